"""The stack's typed configuration, read once from Pulumi config and validated.

`Pulumi.yaml` declares the same keys with the same defaults (a test keeps them equal); the
defaults are applied here too because Pulumi's unit-test mocks do not read `Pulumi.yaml`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

import pulumi

# The retention periods CloudWatch Logs accepts.
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    """One field per project config key; the metadata's `key` is its name in Pulumi config."""

    lambda_memory_mb: int = field(default=256, metadata={"key": "lambdaMemoryMb"})
    lambda_timeout_seconds: int = field(default=15, metadata={"key": "lambdaTimeoutSeconds"})
    log_retention_days: int = field(default=30, metadata={"key": "logRetentionDays"})
    availability_zone_count: int = field(default=2, metadata={"key": "availabilityZoneCount"})
    vpc_cidr: str = field(default="10.0.0.0/16", metadata={"key": "vpcCidr"})
    enable_flow_logs: bool = field(default=False, metadata={"key": "enableFlowLogs"})
    table_deletion_protection: bool = field(default=False, metadata={"key": "tableDeletionProtection"})
    throttling_burst_limit: int = field(default=100, metadata={"key": "throttlingBurstLimit"})
    throttling_rate_limit: int = field(default=50, metadata={"key": "throttlingRateLimit"})
    cors_allowed_origins: tuple[str, ...] = field(default=(), metadata={"key": "corsAllowedOrigins"})

    def __post_init__(self) -> None:
        _check(128 <= self.lambda_memory_mb <= 10240, "lambdaMemoryMb must be between 128 and 10240")
        # API Gateway gives up on an integration after 30 s: a longer function only costs more.
        _check(1 <= self.lambda_timeout_seconds <= 29, "lambdaTimeoutSeconds must be between 1 and 29")
        _check(self.log_retention_days in LOG_RETENTION_DAYS, f"logRetentionDays must be one of {LOG_RETENTION_DAYS}")
        _check(2 <= self.availability_zone_count <= 6, "availabilityZoneCount must be between 2 and 6")
        _check(_is_private_cidr(self.vpc_cidr), "vpcCidr must be a private IPv4 network from /16 to /20")
        _check(self.throttling_burst_limit > 0, "throttlingBurstLimit must be positive")
        _check(self.throttling_rate_limit > 0, "throttlingRateLimit must be positive")
        for origin in self.cors_allowed_origins:
            _check(_is_origin(origin), f"corsAllowedOrigins: {origin!r} is not an origin like https://app.example.com")

    @classmethod
    def load(cls, config: pulumi.Config | None = None) -> StackConfig:
        """Read every key from the project's config, with the defaults above for those unset."""
        config = config or pulumi.Config()
        values: dict[str, Any] = {}
        for option in fields(cls):
            key = option.metadata["key"]
            if option.type == "int":
                value: Any = config.get_int(key)
            elif option.type == "bool":
                value = config.get_bool(key)
            elif option.type == "str":
                value = config.get(key)
            else:
                listed = config.get_object(key)
                value = None if listed is None else tuple(listed)
            if value is not None:
                values[option.name] = value
        return cls(**values)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Config key -> default, as `Pulumi.yaml` should declare them."""
        return {option.metadata["key"]: option.default for option in fields(cls)}


class ConfigError(ValueError):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _is_private_cidr(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        return False
    return isinstance(network, ipaddress.IPv4Network) and network.is_private and 16 <= network.prefixlen <= 20


def _is_origin(origin: str) -> bool:
    """A browser origin: scheme and host (and port), no path; `*` is refused on purpose."""
    parts = urlsplit(origin)
    return parts.scheme in ("https", "http") and bool(parts.hostname) and origin == f"{parts.scheme}://{parts.netloc}"
