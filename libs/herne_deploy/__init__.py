"""Deployment artefacts derived from the service catalog, the topic registry and the settings.

``python -m herne_deploy`` (``make manifests``) writes the generated parts of ``k8s/``: one
manifest file per service, the KafkaTopic resources, the PrometheusRule, the Grafana dashboard
and the gRPC TLS component. Everything else in ``k8s/`` is written by hand. A test regenerates
and compares bytes, so a new service, topic or setting cannot be silently missing from the
cluster. Nothing here is imported by the services at run time.
"""
