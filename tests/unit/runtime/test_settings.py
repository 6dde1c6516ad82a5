"""Settings: typed, validated, and reported with the variable's name."""

from __future__ import annotations

import pytest

from herne_runtime.settings import ConfigurationError, RuntimeSettings, load_settings, settings_table


def test_defaults_load() -> None:
    """Tests that the defaults form a valid configuration."""
    settings = load_settings(RuntimeSettings)
    assert settings.public_reads is True
    assert settings.kafka_enable_idempotence is False


def test_bad_port_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that a non-numeric port is reported with its variable name and value."""
    monkeypatch.setenv("HERNE_GRPC_PORT", "fifty")
    with pytest.raises(ConfigurationError, match=r"HERNE_GRPC_PORT: .*integer.*'fifty'"):
        load_settings(RuntimeSettings)


def test_every_bad_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that all invalid variables appear in one message, not just the first."""
    monkeypatch.setenv("HERNE_GRPC_PORT", "70000")
    monkeypatch.setenv("HERNE_LOG_LEVEL", "LOUD")
    with pytest.raises(ConfigurationError) as error:
        load_settings(RuntimeSettings)
    assert "HERNE_GRPC_PORT" in str(error.value)
    assert "HERNE_LOG_LEVEL" in str(error.value)


def test_tokens_json_is_parsed_and_bad_json_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that HERNE_AUTH_TOKENS takes JSON and a broken value names the variable."""
    monkeypatch.setenv("HERNE_AUTH_TOKENS", '{"secret-token-1": ["dispatcher"]}')
    assert load_settings(RuntimeSettings).token_roles() == {"secret-token-1": ["dispatcher"]}
    monkeypatch.setenv("HERNE_AUTH_TOKENS", "{not json")
    with pytest.raises(ConfigurationError, match="HERNE_AUTH_TOKENS: not valid JSON"):
        load_settings(RuntimeSettings)


def test_tls_needs_cert_and_key() -> None:
    """Tests that a certificate without its key is refused."""
    with pytest.raises(ConfigurationError, match="must be set together"):
        load_settings(RuntimeSettings, tls_cert_file=__file__)


def test_standard_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that REDIS_URL and KAFKA_BOOTSTRAP_SERVERS are honoured."""
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/1")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    settings = load_settings(RuntimeSettings)
    assert settings.redis_url == "redis://example:6379/1"
    assert settings.kafka_bootstrap_servers == "kafka:9092"


def test_settings_table_documents_every_field() -> None:
    """Tests that every setting has a variable name and a description."""
    rows = settings_table(RuntimeSettings)
    assert len(rows) == len(RuntimeSettings.model_fields)
    assert all(name and description for name, _default, description in rows)
