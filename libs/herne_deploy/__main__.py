"""`python -m herne_deploy [--check]`: regenerate the derived files of k8s/ (or list stale ones)."""

from __future__ import annotations

import sys

from herne_deploy.generate import stale, write


def main(argv: list[str]) -> int:
    if "--check" in argv:
        outdated = stale()
        for path in outdated:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if outdated else 0
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
