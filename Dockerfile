# herne-mobility: one image for every service; the Deployment picks the service with
# `args: [serve, <service>]` (entry point `herne-mobility`). Build from the repo root:
#   docker build -t herne-mobility:dev .
# Stages: `builder` installs the pinned runtime packages (uv.lock, no dev/embedded extras),
# `dev` adds uv for Tilt's live_update, the last stage is the slim runtime image.
# The generated protobuf code is committed under libs/herne, so nothing is generated here.
# No HEALTHCHECK: Kubernetes ignores it; the pods use native gRPC probes (grpc.health.v1).
# checkov:skip=CKV_DOCKER_2:Kubernetes ignores HEALTHCHECK; pods use native gRPC probes on grpc.health.v1

FROM python:3.11-slim-bookworm AS builder
ENV UV_VERSION=0.13.9 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "uv==${UV_VERSION}"
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache
COPY libs/ libs/
COPY services/ services/
# The project itself, editable: its .pth points at /app/libs and /app/services, which the
# runtime stage copies to the same place (and Tilt's live_update syncs into).
RUN uv sync --frozen --no-dev --no-cache

FROM python:3.11-slim-bookworm AS base
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 herne \
    && useradd --system --uid 10001 --gid herne --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin herne
WORKDIR /app

# Tilt dev loop (docker_build target="dev"): sources writable by the service user, uv present
# so live_update can re-sync the venv when uv.lock changes.
FROM base AS dev
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_CACHE_DIR=/tmp/uv-cache
COPY --from=builder --chown=herne:herne /app /app
COPY --from=builder /usr/local/bin/uv /usr/local/bin/uv
USER 10001:10001
ENTRYPOINT ["herne-mobility"]
CMD ["--help"]

# Runtime image (the default target): root owns the code, the service user only runs it.
FROM base AS runtime
COPY --from=builder /app /app
USER 10001:10001
ENTRYPOINT ["herne-mobility"]
CMD ["--help"]
