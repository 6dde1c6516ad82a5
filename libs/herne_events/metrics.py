"""Prometheus metrics of the event bus."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter("herne_events_published_total", "Events published.", ["topic"])
PUBLISH_FAILURES = Counter("herne_events_publish_failures_total", "Events that could not be published.", ["topic"])
EVENTS_CONSUMED = Counter(
    "herne_events_consumed_total",
    "Consumed events by outcome: applied, duplicate (id seen before) or dead_lettered.",
    ["group", "topic", "outcome"],
)
HANDLER_RETRIES = Counter(
    "herne_events_handler_retries_total",
    "Batches retried, by reason: transient (dependency down) or error (handler raised).",
    ["group", "topic", "reason"],
)
HANDLER_SECONDS = Histogram(
    "herne_events_handler_seconds",
    "Time to apply one batch of events.",
    ["group", "topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_LAG = Gauge("herne_consumer_lag", "Records not yet processed per partition.", ["group", "topic", "partition"])
