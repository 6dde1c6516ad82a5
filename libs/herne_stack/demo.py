"""Demo credentials for the embedded stack. Never use these outside a laptop."""

from __future__ import annotations

DEMO_TOKENS: dict[str, list[str]] = {
    "demo-reader-token": ["reader"],
    "demo-sensor-gateway-token": ["sensor-gateway"],
    "demo-mobility-operator-token": ["mobility-operator"],
    "demo-traffic-engineer-token": ["traffic-engineer"],
    "demo-dispatcher-token": ["dispatcher"],
    "demo-booking-token": ["booking"],
    "demo-crew-token": ["crew"],
    "demo-operator-token": ["operator"],
}


def token_for(role: str) -> str:
    """The demo token that grants ``role``."""
    for token, roles in DEMO_TOKENS.items():
        if role in roles:
            return token
    raise KeyError(role)
