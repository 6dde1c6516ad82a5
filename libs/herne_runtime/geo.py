"""Coordinates: validation of request values and straight-line distances."""

from __future__ import annotations

import math

from herne_runtime.errors import InvalidArgument

EARTH_RADIUS_M = 6_371_008.8


def validate_position(latitude: float, longitude: float, field: str = "position") -> None:
    """InvalidArgument unless latitude/longitude are finite WGS84 degrees."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise InvalidArgument(f"{field}: latitude and longitude must be finite numbers")
    if not -90.0 <= latitude <= 90.0:
        raise InvalidArgument(f"{field}.latitude must be between -90 and 90, got {latitude}")
    if not -180.0 <= longitude <= 180.0:
        raise InvalidArgument(f"{field}.longitude must be between -180 and 180, got {longitude}")


def validate_radius(radius_m: float, *, maximum_m: float, field: str = "radius_m") -> None:
    """InvalidArgument unless 0 < radius <= maximum."""
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise InvalidArgument(f"{field} must be a positive number of metres, got {radius_m}")
    if radius_m > maximum_m:
        raise InvalidArgument(f"{field} must be at most {maximum_m:.0f} m, got {radius_m:.0f}")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
