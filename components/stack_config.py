"""The stack's typed configuration, read once from Pulumi config and validated.

`Pulumi.yaml` declares the same keys with the same defaults (a test keeps them equal); the
defaults are applied here too because Pulumi's unit-test mocks do not read `Pulumi.yaml`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

import pulumi

from components.alarms import SNS_TOPIC_ARN
from components.cors import is_origin
from components.private_network import LAMBDA_UNSUPPORTED_ZONE_IDS
from components.user_pool import SES_IDENTITY_ARN

# The retention periods CloudWatch Logs accepts.
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on

AUTH_MODES = ("cognito", "jwt", "none")
# Stacks that must never serve the API open, whatever their config file says: the check is on
# the stack's name, so deleting a line from `Pulumi.prod.yaml` cannot turn it off.
PRODUCTION_STACKS = frozenset({"prod"})
# -1, as Lambda spells it: no reserved concurrency (the function draws on the account's pool).
NO_RESERVED_CONCURRENCY = -1
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A regular zone's ID: the region's short form, then the zone (`use1-az1`, `apne1-az4`).
_ZONE_ID = re.compile(r"[a-z]{2,5}[1-9]-az[1-9][0-9]?")


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    """One field per project config key; the metadata's `key` is its name in Pulumi config."""

    lambda_memory_mb: int = field(default=256, metadata={"key": "lambdaMemoryMb"})
    lambda_timeout_seconds: int = field(default=15, metadata={"key": "lambdaTimeoutSeconds"})
    log_retention_days: int = field(default=30, metadata={"key": "logRetentionDays"})
    availability_zone_count: int = field(default=2, metadata={"key": "availabilityZoneCount"})
    availability_zone_ids: tuple[str, ...] = field(default=(), metadata={"key": "availabilityZoneIds"})
    vpc_cidr: str = field(default="10.0.0.0/16", metadata={"key": "vpcCidr"})
    enable_flow_logs: bool = field(default=False, metadata={"key": "enableFlowLogs"})
    table_deletion_protection: bool = field(default=False, metadata={"key": "tableDeletionProtection"})
    throttling_burst_limit: int = field(default=100, metadata={"key": "throttlingBurstLimit"})
    throttling_rate_limit: int = field(default=50, metadata={"key": "throttlingRateLimit"})
    cors_allowed_origins: tuple[str, ...] = field(default=(), metadata={"key": "corsAllowedOrigins"})
    auth_mode: str = field(default="cognito", metadata={"key": "authMode"})
    jwt_issuer: str = field(default="", metadata={"key": "jwtIssuer"})
    jwt_audiences: tuple[str, ...] = field(default=(), metadata={"key": "jwtAudiences"})
    jwt_required_scopes: tuple[str, ...] = field(default=(), metadata={"key": "jwtRequiredScopes"})
    access_token_email_claims: bool = field(default=True, metadata={"key": "accessTokenEmailClaims"})
    user_pool_email_identity_arn: str = field(default="", metadata={"key": "userPoolEmailIdentityArn"})
    user_pool_deletion_protection: bool = field(default=False, metadata={"key": "userPoolDeletionProtection"})
    reserved_concurrency: int = field(default=NO_RESERVED_CONCURRENCY, metadata={"key": "reservedConcurrency"})
    enable_alarms: bool = field(default=True, metadata={"key": "enableAlarms"})
    alarm_email: str = field(default="", metadata={"key": "alarmEmail"})
    alarm_topic_arn: str = field(default="", metadata={"key": "alarmTopicArn"})
    alarm_period_seconds: int = field(default=300, metadata={"key": "alarmPeriodSeconds"})
    alarm_evaluation_periods: int = field(default=1, metadata={"key": "alarmEvaluationPeriods"})
    alarm_datapoints_to_alarm: int = field(default=1, metadata={"key": "alarmDatapointsToAlarm"})
    function_errors_alarm_threshold: int = field(default=1, metadata={"key": "functionErrorsAlarmThreshold"})
    api_5xx_alarm_threshold: int = field(default=1, metadata={"key": "api5xxAlarmThreshold"})
    function_throttles_alarm_threshold: int = field(default=1, metadata={"key": "functionThrottlesAlarmThreshold"})
    table_throttles_alarm_threshold: int = field(default=1, metadata={"key": "tableThrottlesAlarmThreshold"})
    table_system_errors_alarm_threshold: int = field(default=1, metadata={"key": "tableSystemErrorsAlarmThreshold"})
    alarm_limit_warning_percent: int = field(default=80, metadata={"key": "alarmLimitWarningPercent"})
    verify_powertools_layer: bool = field(default=True, metadata={"key": "verifyPowertoolsLayer"})

    def __post_init__(self) -> None:
        _check(128 <= self.lambda_memory_mb <= 10240, "lambdaMemoryMb must be between 128 and 10240")
        # API Gateway gives up on an integration after 30 s: a longer function only costs more.
        _check(1 <= self.lambda_timeout_seconds <= 29, "lambdaTimeoutSeconds must be between 1 and 29")
        _check(self.log_retention_days in LOG_RETENTION_DAYS, f"logRetentionDays must be one of {LOG_RETENTION_DAYS}")
        _check(2 <= self.availability_zone_count <= 6, "availabilityZoneCount must be between 2 and 6")
        self._check_zone_ids()
        _check(_is_private_cidr(self.vpc_cidr), "vpcCidr must be a private IPv4 network from /16 to /20")
        _check(self.throttling_burst_limit > 0, "throttlingBurstLimit must be positive")
        _check(self.throttling_rate_limit > 0, "throttlingRateLimit must be positive")
        for origin in self.cors_allowed_origins:
            _check(is_origin(origin), f"corsAllowedOrigins: {origin!r} is not an origin like https://app.example.com")
        self._check_auth()
        self._check_concurrency_and_alarms()

    def _check_zone_ids(self) -> None:
        """Pinned zones: well-formed IDs, distinct, where Lambda runs, one per subnet. Whether the
        region has them is checked against AWS's zone list at preview."""
        ids = self.availability_zone_ids
        for zone_id in ids:
            _check(
                bool(_ZONE_ID.fullmatch(zone_id)), f"availabilityZoneIds: {zone_id!r} is not a zone ID like use1-az1"
            )
            _check(
                zone_id not in LAMBDA_UNSUPPORTED_ZONE_IDS,
                f"availabilityZoneIds: Lambda cannot attach a function to a subnet in {zone_id}",
            )
        _check(len(set(ids)) == len(ids), "availabilityZoneIds must not repeat a zone")
        _check(
            not ids or len(ids) == self.availability_zone_count,
            f"availabilityZoneIds lists {len(ids)} zones but availabilityZoneCount is {self.availability_zone_count}: "
            "set both to the same number of zones",
        )

    def _check_auth(self) -> None:
        _check(self.auth_mode in AUTH_MODES, f"authMode must be one of {', '.join(AUTH_MODES)}")
        if self.auth_mode == "jwt":
            parts = urlsplit(self.jwt_issuer)
            _check(parts.scheme == "https" and bool(parts.hostname), "jwtIssuer must be the https:// URL of the issuer")
            _check(bool(self.jwt_audiences) and all(self.jwt_audiences), "jwtAudiences must list at least one audience")
            _check(
                all(scope and not any(char.isspace() for char in scope) for scope in self.jwt_required_scopes),
                "jwtRequiredScopes must be scopes without spaces (a token's scope claim is space-separated)",
            )
        else:
            # Set but unused would look like protection that is not there.
            _check(
                not self.jwt_issuer and not self.jwt_audiences and not self.jwt_required_scopes,
                f"jwtIssuer, jwtAudiences and jwtRequiredScopes are only read with authMode jwt, not {self.auth_mode}",
            )
        if self.user_pool_email_identity_arn:
            _check(self.auth_mode == "cognito", "userPoolEmailIdentityArn is only read with authMode cognito")
            _check(
                bool(SES_IDENTITY_ARN.fullmatch(self.user_pool_email_identity_arn)),
                "userPoolEmailIdentityArn must be an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<id>",
            )

    def _check_concurrency_and_alarms(self) -> None:
        _check(
            self.reserved_concurrency == NO_RESERVED_CONCURRENCY or self.reserved_concurrency >= 1,
            "reservedConcurrency must be -1 (no reservation) or at least 1 (0 would stop the function)",
        )
        _check(not self.alarm_email or bool(_EMAIL.fullmatch(self.alarm_email)), "alarmEmail must be an email address")
        _check(
            not self.alarm_topic_arn or bool(SNS_TOPIC_ARN.fullmatch(self.alarm_topic_arn)),
            "alarmTopicArn must be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alarms",
        )
        _check(
            not (self.alarm_email and self.alarm_topic_arn),
            "alarmEmail and alarmTopicArn are alternatives: with your own topic, subscribe the address to it",
        )
        # Set but unused would look like someone is told when nobody is.
        _check(
            self.enable_alarms or not (self.alarm_email or self.alarm_topic_arn),
            "alarmEmail and alarmTopicArn are only read with enableAlarms true",
        )
        _check(
            self.alarm_period_seconds >= 60 and self.alarm_period_seconds % 60 == 0,
            "alarmPeriodSeconds must be a multiple of 60 (the services publish per-minute metrics)",
        )
        _check(
            1 <= self.alarm_datapoints_to_alarm <= self.alarm_evaluation_periods,
            "alarmDatapointsToAlarm must be between 1 and alarmEvaluationPeriods",
        )
        _check(
            self.alarm_period_seconds * self.alarm_evaluation_periods <= 86400,
            "alarmPeriodSeconds * alarmEvaluationPeriods must be one day at most",
        )
        _check(self.function_errors_alarm_threshold >= 1, "functionErrorsAlarmThreshold must be at least 1")
        _check(self.api_5xx_alarm_threshold >= 1, "api5xxAlarmThreshold must be at least 1")
        _check(self.function_throttles_alarm_threshold >= 1, "functionThrottlesAlarmThreshold must be at least 1")
        _check(self.table_throttles_alarm_threshold >= 1, "tableThrottlesAlarmThreshold must be at least 1")
        _check(self.table_system_errors_alarm_threshold >= 1, "tableSystemErrorsAlarmThreshold must be at least 1")
        _check(1 <= self.alarm_limit_warning_percent <= 100, "alarmLimitWarningPercent must be between 1 and 100")

    def check_stack(self, stack: str) -> None:
        """Refuse what a production stack must never be: an API anyone can call, or alarms that
        fire with nobody told."""
        if stack not in PRODUCTION_STACKS:
            return
        production = f"a production stack (PRODUCTION_STACKS: {', '.join(sorted(PRODUCTION_STACKS))})"
        _check(
            self.auth_mode != "none",
            f"authMode none would deploy the {stack} stack open to anyone: {production} must use cognito or jwt",
        )
        _check(
            not self.enable_alarms or bool(self.alarm_email or self.alarm_topic_arn),
            f"the {stack} stack's alarms would tell nobody: {production} needs alarmEmail "
            f"(pulumi config set alarmEmail <address> --stack {stack}) or alarmTopicArn (an existing SNS topic)",
        )

    @property
    def reserved_function_concurrency(self) -> int | None:
        """`reservedConcurrency` as the stack passes it on: None for no reservation."""
        return None if self.reserved_concurrency == NO_RESERVED_CONCURRENCY else self.reserved_concurrency

    @classmethod
    def load(cls, config: pulumi.Config | None = None, stack: str | None = None) -> StackConfig:
        """Read every key from the project's config, with the defaults above for those unset,
        and check them against the stack they are for (by default the one being deployed)."""
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
        loaded = cls(**values)
        loaded.check_stack(pulumi.get_stack() if stack is None else stack)
        return loaded

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
