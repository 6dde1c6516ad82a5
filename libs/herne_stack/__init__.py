"""The embedded stack: Redis and a Kafka-compatible broker from packages, and all services."""
