"""Strimzi KafkaTopic resources match the topic registry, dead-letter topics included."""

from __future__ import annotations

import pytest

from herne_deploy.inventory import KAFKA_CLUSTER
from herne_events.admin import topic_specs
from herne_events.topics import REGISTRY
from tests.fixtures.deploy import OVERLAYS, objects_of


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_match_the_registry(rendered, overlay: str) -> None:
    """Tests one KafkaTopic per registry topic and DLQ, with its partitions and cleanup/retention config."""
    topics = objects_of(rendered[overlay], "KafkaTopic")
    expected = {spec.name: spec for spec in topic_specs(REGISTRY)}
    by_topic_name = {topic["spec"].get("topicName", name): topic for name, topic in topics.items()}
    assert set(by_topic_name) == set(expected), "KafkaTopics differ from the registry: run `make manifests`"
    for name, spec in expected.items():
        topic = by_topic_name[name]
        assert topic["spec"]["partitions"] == spec.num_partitions, name
        assert topic["spec"]["config"] == spec.topic_configs, name
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == KAFKA_CLUSTER


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topic_replicas_fit_the_cluster(rendered, overlay: str) -> None:
    """Tests that topic replicas equal the services' replication factor and do not exceed the brokers."""
    objects = rendered[overlay]
    brokers = sum(pool["spec"]["replicas"] for pool in objects_of(objects, "KafkaNodePool").values()
                  if "broker" in pool["spec"]["roles"])  # fmt: skip
    [common] = [cm for name, cm in objects_of(objects, "ConfigMap").items() if name.startswith("herne-common")]
    factor = int(common["data"]["HERNE_KAFKA_REPLICATION_FACTOR"])
    for topic in objects_of(objects, "KafkaTopic").values():
        assert topic["spec"]["replicas"] == factor <= brokers
    assert objects_of(objects, "Kafka")[KAFKA_CLUSTER]["spec"]["entityOperator"]["topicOperator"] is not None
