"""Several independent searches side by side, the best plan wins (``SolveOptions.workers``).

Ruin and recreate is a randomised search: two runs with different seeds end in different local
optima, and the better of the two is better on average than either. With a free core per
worker that costs no time: the first search runs in this process, the others in worker
processes of a ``forkserver`` pool (no fork of a process that may hold gRPC or OR-Tools
threads), each with seed ``seed + i`` and the same wall-clock deadline, so start-up time of a
worker is taken from its own search, never added to the caller's limit. The pool is kept for
the life of the process, so only the first call pays for starting the workers.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from herne_optim.problem import RoutingProblem, Solution, SolveOptions
from herne_optim.routing import search

_log = logging.getLogger(__name__)
_MIN_WORKER_S = 0.5  # a worker left with less than this returns nothing rather than a poor plan

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _executor(size: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < size:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["herne_optim.routing.search"])
            _pool, _pool_size = ProcessPoolExecutor(max_workers=size, mp_context=context), size
        return _pool


@atexit.register
def _shutdown() -> None:
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)


def _solve_until(problem: RoutingProblem, options: SolveOptions, deadline: float) -> Solution | None:
    """One search in a worker, bounded by the caller's wall-clock deadline (time.time())."""
    left = deadline - time.time()
    if options.max_iterations is None and left < _MIN_WORKER_S:
        return None
    return search.solve(problem, replace(options, time_limit_s=max(left, 0.05), workers=1))


def _rank(solution: Solution) -> tuple[int, float]:
    return len(solution.unassigned), solution.cost


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """The best plan of ``options.workers`` searches (one search when workers is 1)."""
    options = options or SolveOptions()
    if options.workers == 1 or not problem.jobs or not problem.vehicles:
        return search.solve(problem, options)
    began = time.monotonic()
    deadline = time.time() + options.time_limit_s
    futures: list[Future[Solution | None]] = []
    try:
        pool = _executor(options.workers - 1)
        futures = [
            pool.submit(_solve_until, problem, replace(options, seed=options.seed + index), deadline)
            for index in range(1, options.workers)
        ]
    except (OSError, RuntimeError) as error:  # no processes here (sandbox, limits): search alone
        _log.warning("solver workers unavailable, searching in this process only: %s", error)
    best = search.solve(problem, replace(options, workers=1))
    for index, future in enumerate(futures, 1):
        try:
            found = future.result(timeout=max(1.0, deadline - time.time() + 5.0))
        except (BrokenProcessPool, TimeoutError, OSError) as error:
            _log.warning("solver worker %d gave no plan: %s", index, error)
            continue
        except Exception:  # a bug in a worker must not cost the caller the plan found here
            _log.exception("solver worker %d failed", index)
            continue
        if found is not None and _rank(found) < _rank(best):
            best = found
    return replace(best, solve_time_s=time.monotonic() - began)
