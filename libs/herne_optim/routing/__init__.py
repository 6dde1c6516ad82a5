"""OR-Tools routing: the model of a `RoutingProblem` (model.py) and the search (search.py)."""

from herne_optim.routing.search import solve

__all__ = ["solve"]
