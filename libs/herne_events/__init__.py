"""Event bus over Kafka: topic registry, envelope codec, publisher, consumer runner."""
