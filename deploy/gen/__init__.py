"""Renders leadflow's Kubernetes manifests, NATS permissions and Grafana dashboard from one catalog.

``python -m deploy.gen`` writes the generated files under ``deploy/k8s/``; ``python -m deploy.gen --check`` fails
when a committed file differs from what the catalog gives (CI runs it). Hand-written files (kustomizations,
the NATS StatefulSet, alerts) live beside them and are never touched by the generator.
"""
