"""OR-Tools routing: the model of a `RoutingProblem` (model.py), the search (search.py) and
several searches side by side (portfolio.py)."""

from herne_optim.routing.portfolio import solve

__all__ = ["solve"]
