# syntax=docker/dockerfile:1
# leadflow: one image for the five services. `leadflow serve <svc>` runs one; `leadflow migrate <svc>` migrates.
# Build: docker build -t leadflow:0.1.0 .   (pin PYTHON_IMAGE by digest in your registry: python:3.11.14-slim-bookworm@sha256:…)
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: resolve and install the package and its dependencies (binary wheels) into a virtualenv --------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/leadflow
COPY pyproject.toml README.md ./
COPY leadflow/ leadflow/
COPY services/ services/
# A regular (non-editable) install: the generated code in leadflow/ and every service's Alembic migrations are
# package data of the wheel. --only-binary keeps compilers out of the picture.
RUN /opt/leadflow/bin/pip install --only-binary=:all: --no-binary=leadflow . \
    && /opt/leadflow/bin/python -m pip uninstall --yes pip setuptools wheel \
    && /opt/leadflow/bin/python -m compileall -q /opt/leadflow/lib

# --- runtime: the interpreter, the virtualenv, the probe script; no pip, no compilers, no source tree ------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="leadflow" \
      org.opencontainers.image.description="Lead-processing backend: ingest, dedup, assign, telephony, refund" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/leadflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LEADFLOW_DATA_DIR=/tmp/leadflow
RUN groupadd --system --gid 10001 leadflow \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin leadflow \
    && python -m pip uninstall --yes --quiet pip setuptools wheel
COPY --from=build --chown=root:root /opt/leadflow /opt/leadflow
COPY --chown=root:root deploy/image/grpc_health_probe.py /app/bin/grpc_health_probe.py
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 50051 50052 50053 50054 50055 9101 9102 9103 9104 9105
# No HEALTHCHECK: Kubernetes probes the gRPC health service directly (deploy/k8s).
ENTRYPOINT ["leadflow"]
CMD ["serve", "ingest"]
