"""The stack's typed configuration: each setting declared once, read from Pulumi config, validated.

A setting is one field of `StackConfig`: its type, its default, its description and the rules its
value must keep (`setting`). Its config key derives from the field name (`config_key`). The
config schema in `Pulumi.yaml` is generated from these declarations
(`python -m components.stack_config` rewrites it; a test checks it is current), so adding a
setting is its declaration plus its use. Rules that tie settings together are the methods below.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pulumi

from components.alarm_topic import EMAIL_ADDRESS
from components.alarms import SNS_TOPIC_ARN
from components.cors import is_origin
from components.private_network import LAMBDA_UNSUPPORTED_ZONE_IDS
from components.user_pool import SES_IDENTITY_ARN
from runtime.attachments.content import CHECKED_TYPES as ATTACHMENT_CHECKED_TYPES
from runtime.attachments.content import DEFAULT_MAX_BYTES as DEFAULT_MAX_ATTACHMENT_BYTES

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
# A regular zone's ID: the region's short form, then the zone (`use1-az1`, `apne1-az4`).
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ZONE_ID = re.compile(r"[a-z]{2,5}[1-9]-az[1-9][0-9]?")


def _is_private_cidr(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        return False
    return isinstance(network, ipaddress.IPv4Network) and network.is_private and 16 <= network.prefixlen <= 20


@dataclass(frozen=True)
class Check:
    """A rule one setting's value keeps; `says` completes "<key> must …" when it is broken."""

    holds: Callable[[Any], bool]
    says: str


def between(low: int, high: int) -> Check:
    return Check(lambda value: low <= value <= high, f"be between {low} and {high}")


def at_least(low: int) -> Check:
    return Check(lambda value: value >= low, f"be at least {low}")


def one_of(allowed: Collection[object]) -> Check:
    return Check(lambda value: value in allowed, f"be one of {', '.join(map(str, allowed))}")


def each(check: Check) -> Check:
    """The rule for every element of a list setting."""
    return Check(lambda values: all(check.holds(value) for value in values), check.says)


def setting(default: Any, description: str, *checks: Check) -> Any:
    """One setting: its default, what it means (Pulumi.yaml's description) and its rules."""
    return field(default=default, metadata={"description": description, "checks": checks})


def config_key(name: str) -> str:
    """`lambda_memory_mb` -> `lambdaMemoryMb`; a part is only capitalised at its first character,
    so `api_5xx_alarm_threshold` stays `api5xxAlarmThreshold` (`str.title` would give `5Xx`)."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    """One field per project config key (`config_key` of its name), declared with `setting`."""

    lambda_memory_mb: int = setting(
        256,
        "Memory of the Lambda function, in MB (also scales its CPU).",
        between(128, 10240),
    )
    lambda_timeout_seconds: int = setting(
        15,
        "Timeout of the Lambda function, in seconds (at most 29, under API Gateway's 30 s).",
        Check(
            lambda value: 1 <= value <= 29, "be between 1 and 29 (API Gateway gives up on an integration after 30 s)"
        ),
    )
    log_retention_days: int = setting(
        30,
        "Retention of the function, access and flow log groups, in days (a CloudWatch Logs value).",
        one_of(LOG_RETENTION_DAYS),
    )
    availability_zone_count: int = setting(
        2,
        "Number of availability zones, one private subnet each (2 to 6, and at most the zones the region "
        "has where Lambda runs - five in us-east-1). Raising it adds subnets; lowering it removes the "
        "last ones.",
        between(2, 6),
    )
    availability_zone_ids: tuple[str, ...] = setting(
        (),
        "Zone IDs (e.g. use1-az1, the same physical zone in every account) for the subnets, in order, "
        "exactly availabilityZoneCount of them; empty picks the first availabilityZoneCount zone names in"
        " alphabetical order, whatever the zones' state. Pinning the zones a stack already uses changes "
        "nothing.",
        each(Check(lambda zone: bool(_ZONE_ID.fullmatch(zone)), "list zone IDs like use1-az1")),
        each(
            Check(
                lambda zone: zone not in LAMBDA_UNSUPPORTED_ZONE_IDS,
                f"not name {', '.join(LAMBDA_UNSUPPORTED_ZONE_IDS)}: Lambda cannot attach a function to a subnet there",
            )
        ),
        Check(lambda ids: len(set(ids)) == len(ids), "not repeat a zone"),
    )
    vpc_cidr: str = setting(
        "10.0.0.0/16",
        "Private IPv4 range of the VPC (/16 to /20); subnet i is its i-th sixteenth. Changing it replaces the network.",
        Check(_is_private_cidr, "be a private IPv4 network from /16 to /20"),
    )
    enable_flow_logs: bool = setting(False, "Send VPC flow logs (all traffic) to CloudWatch Logs.")
    table_deletion_protection: bool = setting(
        False,
        "Turn on DynamoDB deletion protection and Pulumi protect on the table.",
    )
    throttling_burst_limit: int = setting(
        100,
        "Burst limit of every route of the API's $default stage, in requests.",
        at_least(1),
    )
    throttling_rate_limit: int = setting(
        50,
        "Steady-state rate limit of every route of the API's $default stage, in requests per second.",
        at_least(1),
    )
    cors_allowed_origins: tuple[str, ...] = setting(
        (),
        "Browser origins allowed by CORS (e.g. https://app.example.com); empty turns CORS off.",
        each(Check(is_origin, "list origins like https://app.example.com (no path; `*` is refused)")),
    )
    auth_mode: str = setting(
        "cognito",
        "Who may call the API: cognito (the stack's own user pool and app client), jwt (the issuer and "
        "audiences below) or none (every route open; refused for production stacks).",
        one_of(AUTH_MODES),
    )
    jwt_issuer: str = setting(
        "",
        "With authMode jwt, the tokens' issuer (`iss`) exactly, as an https:// URL; API Gateway reads its"
        " keys from <issuer>/.well-known/openid-configuration.",
    )
    jwt_audiences: tuple[str, ...] = setting(
        (),
        "With authMode jwt, the audiences a token may be for (its `aud`, or a Cognito access token's "
        "`client_id`); at least one.",
    )
    jwt_required_scopes: tuple[str, ...] = setting(
        (),
        "With authMode jwt, every guarded route requires a token carrying at least one of these scopes "
        "(its `scope` or `scp` claim), else 403; empty checks no scope (ID tokens of your issuer then get"
        " in too).",
        each(
            Check(
                lambda scope: bool(scope) and not any(char.isspace() for char in scope),
                "list scopes without spaces (a token's scope claim is space-separated)",
            )
        ),
    )
    access_token_email_claims: bool = setting(
        True,
        "With authMode cognito, put the user's email and email_verified into access tokens (a "
        "pre-token-generation trigger, which needs the user pool's Essentials feature plan), so a profile"
        " can only hold its owner's verified address. false keeps the Lite plan and tokens without email.",
    )
    notification_sender: str = setting(
        "",
        "The address reminder emails are sent from: a verified SES identity (the address, or its domain) in "
        "the stack's region. Empty: no email is sent (reminders are still recorded and published). A stack "
        "with authMode none never sends email, whatever this says. A new SES account is in the sandbox: it "
        "sends only to verified recipients until production access is granted.",
        Check(lambda address: not address or bool(EMAIL_ADDRESS.fullmatch(address)), "be an email address"),
    )
    user_pool_email_identity_arn: str = setting(
        "",
        "With authMode cognito, the ARN of a verified SES identity (address or domain) the user pool "
        "mails through; empty uses Cognito's own sender, at most 50 emails a day.",
        Check(
            lambda arn: not arn or bool(SES_IDENTITY_ARN.fullmatch(arn)),
            "be an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<id>",
        ),
    )
    user_pool_deletion_protection: bool = setting(
        False,
        "Turn on Cognito deletion protection and Pulumi protect on the user pool (it holds every user's account).",
    )
    reserved_concurrency: int = setting(
        NO_RESERVED_CONCURRENCY,
        "Instances of the function that may run at once, a ceiling on the load on the table and on the "
        "bill; -1 reserves none (the account's shared pool).",
        Check(
            lambda value: value == NO_RESERVED_CONCURRENCY or value >= 1,
            "be -1 (no reservation) or at least 1 (0 would stop the function)",
        ),
    )
    enable_alarms: bool = setting(
        True,
        "Create the alarm topic and the CloudWatch alarms on the function, the API and the table.",
    )
    alarm_email: str = setting(
        "",
        "Email address subscribed to the stack's alarm topic (SNS mails a confirmation link first); empty"
        " for no subscription. Production stacks need it or alarmTopicArn.",
        Check(lambda email: not email or bool(EMAIL_ADDRESS.fullmatch(email)), "be an email address"),
    )
    alarm_topic_arn: str = setting(
        "",
        "An existing SNS topic (e.g. routed to paging or chat) the alarms notify instead of a topic of "
        "the stack's own; the stack then creates no topic or key. Its policy must let CloudWatch publish,"
        " and its KMS key (if any) let CloudWatch encrypt.",
        Check(
            lambda arn: not arn or bool(SNS_TOPIC_ARN.fullmatch(arn)),
            "be an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:alarms",
        ),
    )
    events_subscriber_accounts: tuple[str, ...] = setting(
        (),
        "AWS accounts (12-digit ids) whose principals may subscribe SQS queues or Lambda functions to the "
        "domain events topic; the stack's own account needs no entry (its IAM policies decide).",
        each(Check(lambda account: bool(_ACCOUNT_ID.fullmatch(account)), "list 12-digit AWS account ids")),
    )
    alarm_period_seconds: int = setting(
        300,
        "Length of the period every alarm evaluates, in seconds (a multiple of 60).",
        Check(
            lambda value: value >= 60 and value % 60 == 0,
            "be a multiple of 60 (the services publish per-minute metrics)",
        ),
    )
    alarm_evaluation_periods: int = setting(1, "Number of recent periods an alarm looks at.", at_least(1))
    alarm_datapoints_to_alarm: int = setting(
        1,
        "How many of those periods must breach for an alarm to fire (at most alarmEvaluationPeriods).",
    )
    function_errors_alarm_threshold: int = setting(
        1,
        "Function errors (unhandled exceptions, timeouts) in a period that fire the errors alarm.",
        at_least(1),
    )
    api_5xx_alarm_threshold: int = setting(
        1,
        "5xx responses of the API in a period that fire its 5xx alarm.",
        at_least(1),
    )
    function_throttles_alarm_threshold: int = setting(
        1,
        "Throttled invocations of the function in a period that fire its throttles alarm.",
        at_least(1),
    )
    table_throttles_alarm_threshold: int = setting(
        1,
        "Throttled requests to the table in a period (all operations) that fire its throttles alarm.",
        at_least(1),
    )
    table_system_errors_alarm_threshold: int = setting(
        1,
        "DynamoDB's own errors on the table in a period (all operations) that fire its system-errors alarm.",
        at_least(1),
    )
    alarm_limit_warning_percent: int = setting(
        80,
        "Warn before a limit is hit, at this percent of it - p99 duration against the function timeout, "
        "concurrent instances against the reserved concurrency.",
        between(1, 100),
    )
    max_attachment_bytes: int = setting(
        DEFAULT_MAX_ATTACHMENT_BYTES,
        "Largest file an item's attachment may be, in bytes (the presigned upload's exact length; at most 5 GiB, "
        "S3's limit for one POST and one copy).",
        between(1, 5 * 1024**3),
    )
    max_attachments_per_item: int = setting(
        10,
        "Attachments an item may hold at once; their summaries live in the item's record (at most 400 KB).",
        between(1, 100),
    )
    attachment_content_types: tuple[str, ...] = setting(
        ATTACHMENT_CHECKED_TYPES,
        "Content types an attachment may declare: any of those the arrival check knows (image/png, "
        "image/jpeg, application/pdf, text/plain).",
        Check(bool, "list at least one type"),
        each(one_of(ATTACHMENT_CHECKED_TYPES)),
    )
    attachment_versioning: bool = setting(
        False,
        "Version the attachments bucket: a deleted or replaced object is kept for "
        "attachmentNoncurrentVersionDays, then expires.",
    )
    attachment_noncurrent_version_days: int = setting(
        30, "Days a noncurrent version of an attachment is kept (with attachmentVersioning).", between(1, 3650)
    )
    attachment_access_logs: bool = setting(
        False, "S3 server access logs of the attachments bucket, to a log bucket of their own."
    )
    snap_start: bool = setting(
        False,
        "Lambda SnapStart for the API function: each deploy publishes a version, snapshots it after "
        "init, and the API invokes it through the `live` alias. Cold starts become restores; for Python "
        "this costs a caching charge while the version is live and a charge per restore.",
    )

    def __post_init__(self) -> None:
        for option in fields(self):
            value = getattr(self, option.name)
            for check in option.metadata["checks"]:
                _check(check.holds(value), f"{config_key(option.name)} must {check.says}")
        self._check_zone_ids()
        self._check_auth()
        self._check_concurrency_and_alarms()

    def _check_zone_ids(self) -> None:
        """Pinned zones: one per subnet. Whether the region has them is checked against AWS's
        zone list at preview."""
        ids = self.availability_zone_ids
        _check(
            not ids or len(ids) == self.availability_zone_count,
            f"availabilityZoneIds lists {len(ids)} zones but availabilityZoneCount is {self.availability_zone_count}: "
            "set both to the same number of zones",
        )

    def _check_auth(self) -> None:
        if self.auth_mode == "jwt":
            parts = urlsplit(self.jwt_issuer)
            _check(parts.scheme == "https" and bool(parts.hostname), "jwtIssuer must be the https:// URL of the issuer")
            _check(bool(self.jwt_audiences) and all(self.jwt_audiences), "jwtAudiences must list at least one audience")
        else:
            # Set but unused would look like protection that is not there.
            _check(
                not self.jwt_issuer and not self.jwt_audiences and not self.jwt_required_scopes,
                f"jwtIssuer, jwtAudiences and jwtRequiredScopes are only read with authMode jwt, not {self.auth_mode}",
            )
        _check(
            not self.user_pool_email_identity_arn or self.auth_mode == "cognito",
            "userPoolEmailIdentityArn is only read with authMode cognito",
        )

    def _check_concurrency_and_alarms(self) -> None:
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
            1 <= self.alarm_datapoints_to_alarm <= self.alarm_evaluation_periods,
            "alarmDatapointsToAlarm must be between 1 and alarmEvaluationPeriods",
        )
        _check(
            self.alarm_period_seconds * self.alarm_evaluation_periods <= 86400,
            "alarmPeriodSeconds * alarmEvaluationPeriods must be one day at most",
        )

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
            key = config_key(option.name)
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
    def schema(cls) -> dict[str, dict[str, Any]]:
        """Config key -> its entry in `Pulumi.yaml`'s config schema, from the declarations."""
        return {config_key(option.name): _schema_entry(option) for option in fields(cls)}


class ConfigError(ValueError):
    pass


_PULUMI_TYPES = {"int": "integer", "bool": "boolean", "str": "string", "tuple[str, ...]": "array"}


def _schema_entry(option: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": _PULUMI_TYPES[str(option.type)]}
    if entry["type"] == "array":
        entry["items"] = {"type": "string"}
    entry["description"] = option.metadata["description"]
    entry["default"] = list(option.default) if isinstance(option.default, tuple) else option.default
    return entry


PROJECT_FILE = Path(__file__).resolve().parents[1] / "Pulumi.yaml"


def project_file(current: dict[str, Any]) -> dict[str, Any]:
    """`Pulumi.yaml` with its project config schema generated from the declarations; its other
    entries (name, runtime, provider settings such as `aws:region`) kept as they are."""
    provider_settings = {key: value for key, value in current.get("config", {}).items() if ":" in key}
    return {**current, "config": {**provider_settings, **StackConfig.schema()}}


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


if __name__ == "__main__":
    # `python -m components.stack_config` rewrites Pulumi.yaml's config schema from the declarations.
    import yaml

    document = project_file(yaml.safe_load(PROJECT_FILE.read_text()))
    header = "# The project config schema is generated: declare settings in components/stack_config.py, then\n"
    header += "# run `.venv/bin/python -m components.stack_config` (a test checks this file is current).\n"
    PROJECT_FILE.write_text(header + yaml.safe_dump(document, sort_keys=False, width=100))
