# syntax=docker/dockerfile:1
# One image per Escalator service, all from this file:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=sla-timer -t escalator/sla-timer .
# SERVICE is the service's folder name under services/ (console, intake, router, sla-timer,
# vendor-gateway, notifier); the image runs `python -m escalator_<SERVICE with - replaced by _>`.
# The build context is the repository root (see .dockerignore).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: install the project and its pinned dependencies into a virtual environment
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/escalator
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN /opt/escalator/bin/pip install .

# ---- runtime
FROM ${PYTHON_IMAGE}
ARG SERVICE
ENV PATH=/opt/escalator/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ESCALATOR_HTTP_HOST=0.0.0.0
COPY --from=build /opt/escalator /opt/escalator
# The console draws escalation paths with Graphviz.
RUN if [ "${SERVICE:-}" = console ]; then \
        apt-get update && apt-get install -y --no-install-recommends graphviz fonts-dejavu-core \
        && rm -rf /var/lib/apt/lists/*; \
    fi
# The launcher is `exec python -m escalator_<module>`: python runs as PID 1 and gets SIGTERM.
RUN set -eu; \
    if [ -z "${SERVICE:-}" ]; then \
        echo "build arg SERVICE is required: console, intake, router, sla-timer, vendor-gateway or notifier" >&2; \
        exit 1; \
    fi; \
    SERVICE_MODULE="$(printf '%s' "${SERVICE}" | tr '-' '_')"; \
    python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('escalator_${SERVICE_MODULE}') is None)" \
        || { echo "no Python module escalator_${SERVICE_MODULE} in the image" >&2; exit 1; }; \
    printf '#!/bin/sh\nexec python -m escalator_%s "$@"\n' "${SERVICE_MODULE}" > /usr/local/bin/escalator-service; \
    chmod 0755 /usr/local/bin/escalator-service; \
    useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin escalator
ENV ESCALATOR_SERVICE=${SERVICE}
USER escalator
WORKDIR /tmp
STOPSIGNAL SIGTERM
CMD ["escalator-service"]
