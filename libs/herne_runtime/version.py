"""The installed version of herne-mobility."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("herne-mobility")
    except PackageNotFoundError:
        return "0+unknown"
