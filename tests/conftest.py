"""Root test configuration: the shared fixtures live in tests/fixtures and load as plugins."""

pytest_plugins = [
    "tests.fixtures.deploy",
    "tests.fixtures.infra",
    "tests.fixtures.services",
    "tests.fixtures.shared",
]
