"""Prometheus metrics of the waste service (the contract: herne_deploy.observability SERVICE_METRICS["waste"])."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

TOUR_STOPS = Gauge("herne_waste_tour_stops", "Pickups planned on the day's tours.", ["date"])
TOUR_KM = Gauge("herne_waste_tour_km", "Driven km of the day's tours.", ["date"])
TOUR_UNSERVED = Gauge("herne_waste_tour_unserved", "Pickups the day's plan cannot serve.", ["date"])
# outcome: ok, infeasible (some pickups unserved), failed_check, timeout, error
SOLVES = Counter("herne_waste_solves", "Tour optimisations by kind (plan, replan) and outcome.", ["kind", "outcome"])
