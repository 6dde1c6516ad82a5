"""Typed settings from environment variables, shared by every service.

Every field is documented; ``herne-mobility config`` prints the table that the
README carries. Values are validated at start-up and a bad value stops the
process with one message naming each offending variable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

ENV_PREFIX = "HERNE_"


class ConfigurationError(Exception):
    """Settings are invalid; the message names every bad variable."""


class RuntimeSettings(BaseSettings):
    """Settings every herne service process understands."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore", populate_by_name=True)

    grpc_host: str = Field("0.0.0.0", description="Address the gRPC server binds to.")
    grpc_port: int = Field(50050, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(
        9100, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables the endpoint)."
    )
    http_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="HTTP port of a service's feeds (open data, GBFS; 0 picks a free one). Services without feeds "
        "open no HTTP port.",
    )
    health_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Extra plaintext port serving only grpc.health.v1, for Kubernetes gRPC probes, which "
        "cannot speak TLS (0: none; health is always on the gRPC port too).",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "HERNE_REDIS_URL"),
        description="Redis connection URL (HERNE_REDIS_URL also accepted).",
    )
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "HERNE_KAFKA_BOOTSTRAP_SERVERS"),
        description="Comma-separated Kafka bootstrap servers (HERNE_KAFKA_BOOTSTRAP_SERVERS also accepted).",
    )
    kafka_enable_idempotence: bool = Field(
        False,
        description="Idempotent Kafka producer. Off for the embedded Tansu broker, which lacks "
        "InitProducerId; on in Kubernetes with Strimzi.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL"] = Field(
        "PLAINTEXT", description="Kafka transport: PLAINTEXT or SSL (TLS, e.g. Strimzi's tls listener)."
    )
    kafka_ssl_cafile: Path | None = Field(None, description="CA bundle for Kafka TLS.")
    kafka_ssl_certfile: Path | None = Field(None, description="Client certificate for Kafka mutual TLS.")
    kafka_ssl_keyfile: Path | None = Field(None, description="Client key for Kafka mutual TLS.")
    kafka_topic_partitions: int | None = Field(
        None, ge=1, description="Override the partitions of topics this process creates (default: registry)."
    )
    kafka_session_timeout_ms: int = Field(
        10_000, ge=1000, description="Consumer group session timeout; a silent member is replaced after it."
    )
    kafka_heartbeat_interval_ms: int = Field(
        3_000, ge=100, description="Consumer heartbeat interval (below a third of the session timeout)."
    )
    kafka_replication_factor: int = Field(
        1, ge=1, description="Replication factor of topics this process creates (3 on a real cluster)."
    )
    auth_tokens: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Bearer tokens and their roles as JSON, e.g. {"s3cret": ["sensor-gateway"]}.',
    )
    auth_tokens_file: Path | None = Field(
        None, description="File with the same JSON as HERNE_AUTH_TOKENS (a mounted Kubernetes Secret)."
    )
    public_reads: bool = Field(True, description="Allow read RPCs marked public without a token.")
    tls_cert_file: Path | None = Field(None, description="Server certificate (PEM); enables TLS with the key.")
    tls_key_file: Path | None = Field(None, description="Server private key (PEM); enables TLS with the cert.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_format: Literal["json", "console"] = Field(
        "json", description="json: one JSON object per line; console: human-readable."
    )
    shutdown_grace_seconds: float = Field(
        10.0, gt=0, le=300, description="Time in-flight RPCs get to finish on SIGTERM/SIGINT."
    )
    health_check_interval_seconds: float = Field(
        2.0, gt=0, le=60, description="How often Redis and Kafka reachability is checked."
    )
    event_dedup_ttl_seconds: int = Field(
        24 * 3600,
        ge=60,
        description="How long applied event ids are remembered to suppress redeliveries.",
    )
    max_request_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="Largest accepted gRPC request message in bytes."
    )
    max_streams_per_client: int = Field(
        16, ge=1, description="Concurrent server streams one client (token or peer) may hold."
    )

    @field_validator("auth_tokens", mode="before")
    @classmethod
    def _parse_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @model_validator(mode="after")
    def _check_pairs(self) -> RuntimeSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("HERNE_TLS_CERT_FILE and HERNE_TLS_KEY_FILE must be set together")
        for path in (self.tls_cert_file, self.tls_key_file, self.auth_tokens_file, self.kafka_ssl_cafile):
            if path is not None and not path.is_file():
                raise ValueError(f"file not found: {path}")
        return self

    def token_roles(self) -> dict[str, list[str]]:
        """Tokens from HERNE_AUTH_TOKENS merged with those of HERNE_AUTH_TOKENS_FILE."""
        tokens = dict(self.auth_tokens)
        if self.auth_tokens_file is not None:
            tokens.update(json.loads(self.auth_tokens_file.read_text()))
        return tokens


SettingsT = TypeVar("SettingsT", bound=RuntimeSettings)


def env_name(settings_cls: type[RuntimeSettings], field: str) -> str:
    """The environment variable that sets ``field``."""
    info = settings_cls.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return first if isinstance(first, str) else str(first)
    prefix = settings_cls.model_config.get("env_prefix", "")
    return f"{prefix}{field}".upper()


def load_settings(settings_cls: type[SettingsT], **overrides: object) -> SettingsT:
    """Read settings from the environment or raise ConfigurationError naming every bad variable."""
    try:
        return settings_cls(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for issue in error.errors():
            location = [str(part) for part in issue["loc"]]
            field = location[0] if location else ""
            name = env_name(settings_cls, field) if field in settings_cls.model_fields else field or "settings"
            value = issue.get("input")
            shown = "" if isinstance(value, dict) or field in {"auth_tokens"} else f" (got {value!r})"
            lines.append(f"  {name}: {issue['msg']}{shown}")
        raise ConfigurationError("invalid configuration:\n" + "\n".join(lines)) from None
    except SettingsError as error:
        # pydantic-settings parses JSON-valued variables itself and names only the field.
        match = re.search(r'field "(\w+)"', str(error))
        field = match.group(1) if match else ""
        name = env_name(settings_cls, field) if field in settings_cls.model_fields else "settings"
        raise ConfigurationError(f"invalid configuration:\n  {name}: not valid JSON ({error.__cause__})") from None


def settings_table(settings_cls: type[RuntimeSettings]) -> list[tuple[str, str, str]]:
    """(variable, default, description) rows for documentation."""
    rows = []
    for field, info in settings_cls.model_fields.items():
        default = info.get_default(call_default_factory=True)
        shown = (
            ""
            if default is None or default == {}
            else json.dumps(default)
            if isinstance(default, dict)
            else str(default)
        )
        rows.append((env_name(settings_cls, field), shown, info.description or ""))
    return rows
