"""Pulumi.yaml, the stack files and the typed config reader agree, and bad values fail before any resource."""

from __future__ import annotations

import dataclasses

import pulumi
import pytest

from components.stack_config import PRODUCTION_STACKS, ConfigError, StackConfig, config_key, project_file
from tests.infra.pulumi_mocks import PROJECT, deploy
from tests.infra.stacks import ROOT, STACKS, operator_settings, read_yaml, stack_settings

# Every config key users may have set, exactly as they spell it: a derived key that drifted would
# silently drop the value a stack file or `pulumi config set` gave it.
CONFIG_KEYS = (
    "lambdaMemoryMb", "lambdaTimeoutSeconds", "logRetentionDays", "availabilityZoneCount", "availabilityZoneIds",
    "vpcCidr", "enableFlowLogs", "tableDeletionProtection", "throttlingBurstLimit", "throttlingRateLimit",
    "corsAllowedOrigins", "authMode", "jwtIssuer", "jwtAudiences", "jwtRequiredScopes", "accessTokenEmailClaims",
    "notificationSender", "userPoolEmailIdentityArn", "userPoolDeletionProtection", "reservedConcurrency",
    "enableAlarms", "alarmEmail", "alarmTopicArn", "eventsSubscriberAccounts", "alarmPeriodSeconds",
    "alarmEvaluationPeriods", "alarmDatapointsToAlarm", "functionErrorsAlarmThreshold", "api5xxAlarmThreshold",
    "functionThrottlesAlarmThreshold",
    "tableThrottlesAlarmThreshold", "tableSystemErrorsAlarmThreshold", "alarmLimitWarningPercent",
    "maxAttachmentBytes", "maxAttachmentsPerItem", "attachmentContentTypes", "attachmentVersioning",
    "attachmentNoncurrentVersionDays", "attachmentAccessLogs", "snapStart",
)  # fmt: skip


def declared() -> dict[str, dict[str, object]]:
    """Pulumi.yaml's project config schema (namespaced keys such as aws:region are only values)."""
    return {key: value for key, value in read_yaml("Pulumi.yaml")["config"].items() if ":" not in key}


def load(settings: dict[str, str], stack: str = "test") -> StackConfig:
    """What `StackConfig.load()` reads in a program of this stack given these config values."""
    loaded: dict[str, StackConfig] = {}
    deploy(lambda: loaded.setdefault("config", StackConfig.load()), config=settings, stack=stack)
    return loaded["config"]


def test_the_project_runs_python_in_the_pip_toolchains_virtualenv():
    project = read_yaml("Pulumi.yaml")

    assert project["name"] == PROJECT
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert (ROOT / "requirements.txt").read_text().splitlines()[-1] == "-r requirements/dev.txt"


def test_the_config_keys_derived_from_the_settings_are_the_keys_users_set():
    assert tuple(config_key(option.name) for option in dataclasses.fields(StackConfig)) == CONFIG_KEYS
    assert config_key("api_5xx_alarm_threshold") == "api5xxAlarmThreshold"


def test_pulumi_yaml_holds_exactly_the_generated_config_schema():
    """Regenerate with `.venv/bin/python -m components.stack_config` after changing a setting."""
    project = read_yaml("Pulumi.yaml")

    assert project == project_file(project)
    assert tuple(declared()) == CONFIG_KEYS


def test_every_setting_has_a_type_a_default_and_a_description():
    for key, schema in declared().items():
        assert schema["type"] in {"integer", "boolean", "string", "array"}, key
        assert "default" in schema, key
        assert len(str(schema.get("description", ""))) > 20, f"{key} needs a description"


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_set_only_declared_keys_and_the_region(stack):
    settings = stack_settings(stack)
    project_keys = {key.removeprefix(f"{PROJECT}:") for key in settings if key.startswith(f"{PROJECT}:")}

    assert project_keys <= set(declared())
    assert {key for key in settings if not key.startswith(f"{PROJECT}:")} <= {"aws:region", "aws:defaultTags"}
    assert settings["aws:region"]


def test_unset_keys_take_their_defaults():
    assert load({}) == StackConfig()


def test_prod_turns_on_what_protects_data_and_helps_an_investigation():
    config = load(operator_settings("prod"), stack="prod")

    assert config.table_deletion_protection is True
    assert config.user_pool_deletion_protection is True
    assert config.enable_flow_logs is True
    assert config.availability_zone_count == 3
    assert config.log_retention_days == 365


def test_prod_requires_tokens_alarms_and_limits_its_concurrency():
    config = load(operator_settings("prod"), stack="prod")

    assert config.auth_mode == "cognito"
    assert config.enable_alarms is True
    assert config.reserved_function_concurrency == 50
    assert (config.throttling_burst_limit, config.throttling_rate_limit) == (500, 200)


def test_prods_file_names_nobody_to_alarm_but_says_what_to_set():
    settings = read_yaml("Pulumi.prod.yaml")["config"]
    text = (ROOT / "Pulumi.prod.yaml").read_text()

    assert f"{PROJECT}:alarmEmail" not in settings
    assert f"{PROJECT}:alarmTopicArn" not in settings
    assert "pulumi config set alarmEmail" in text
    assert "pulumi config set alarmTopicArn" in text


def test_prods_preview_fails_until_someone_is_told_of_its_alarms_naming_the_keys_to_set():
    with pytest.raises(
        ConfigError, match=r"the prod stack's alarms would tell nobody: .* needs alarmEmail .* or alarmTopicArn"
    ):
        load(stack_settings("prod"), stack="prod")


@pytest.mark.parametrize(
    "someone",
    [{"alarmEmail": "oncall@example.com"}, {"alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:paging"}],
)
def test_an_email_or_an_existing_topic_tells_someone(someone):
    config = load({**stack_settings("prod"), **{f"{PROJECT}:{k}": v for k, v in someone.items()}}, stack="prod")

    assert (config.alarm_email or config.alarm_topic_arn) in someone.values()


def test_a_production_stack_without_alarms_needs_nobody_to_tell_and_other_stacks_may_tell_nobody():
    assert load({**stack_settings("prod"), f"{PROJECT}:enableAlarms": "false"}, stack="prod").enable_alarms is False
    assert load(stack_settings("dev"), stack="dev").alarm_email == ""


def test_pinned_zone_ids_are_read_in_order():
    config = load({f"{PROJECT}:availabilityZoneIds": '["use1-az4", "use1-az1"]'})

    assert config.availability_zone_ids == ("use1-az4", "use1-az1")


def test_the_prod_stack_cannot_be_deployed_open():
    open_prod = {**stack_settings("prod"), f"{PROJECT}:authMode": "none"}

    with pytest.raises(ConfigError, match="authMode none would deploy the prod stack open"):
        load(open_prod, stack="prod")


def test_every_production_stack_refuses_an_open_api_whatever_its_file_says():
    for stack in PRODUCTION_STACKS:
        with pytest.raises(ConfigError, match="must use cognito or jwt"):
            load({f"{PROJECT}:authMode": "none"}, stack=stack)


def test_other_stacks_may_run_open():
    assert load({f"{PROJECT}:authMode": "none"}, stack="dev").auth_mode == "none"


def test_dev_keeps_the_defaults_but_runs_open_with_a_shorter_retention_and_local_origins():
    config = load(stack_settings("dev"), stack="dev")

    assert dataclasses.replace(config, log_retention_days=30, cors_allowed_origins=(), auth_mode="cognito") == (
        StackConfig()
    )
    assert config.auth_mode == "none"
    assert config.log_retention_days == 14
    assert config.cors_allowed_origins == ("http://localhost:3000", "http://localhost:5173")


def test_a_new_stack_is_secured_by_its_own_user_pool_monitored_and_unreserved():
    config = StackConfig()

    assert config.auth_mode == "cognito"
    assert config.enable_alarms is True
    assert config.reserved_function_concurrency is None


def test_jwt_mode_reads_the_issuer_and_the_audiences():
    config = load(
        {
            f"{PROJECT}:authMode": "jwt",
            f"{PROJECT}:jwtIssuer": "https://example.eu.auth0.com/",
            f"{PROJECT}:jwtAudiences": '["https://api.example.com"]',
        }
    )

    assert (config.jwt_issuer, config.jwt_audiences) == ("https://example.eu.auth0.com/", ("https://api.example.com",))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("lambdaMemoryMb", "64", "lambdaMemoryMb"),
        ("lambdaTimeoutSeconds", "30", "lambdaTimeoutSeconds"),
        ("logRetentionDays", "10", "logRetentionDays"),
        ("availabilityZoneCount", "1", "availabilityZoneCount"),
        ("vpcCidr", "8.8.0.0/16", "vpcCidr"),
        ("vpcCidr", "10.0.0.0/24", "vpcCidr"),
        ("throttlingRateLimit", "0", "throttlingRateLimit"),
        ("corsAllowedOrigins", '["*"]', "corsAllowedOrigins"),
        ("corsAllowedOrigins", '["https://app.example.com/path"]', "corsAllowedOrigins"),
        ("authMode", "iam", "authMode"),
        ("jwtIssuer", "https://issuer.example.com", "only read with authMode jwt"),
        ("jwtAudiences", '["app"]', "only read with authMode jwt"),
        ("reservedConcurrency", "0", "reservedConcurrency"),
        ("reservedConcurrency", "-2", "reservedConcurrency"),
        ("alarmEmail", "ops", "alarmEmail"),
        ("alarmTopicArn", "alarms", "alarmTopicArn must be an SNS topic ARN"),
        ("alarmTopicArn", "arn:aws:sqs:us-east-1:123456789012:alarms", "alarmTopicArn must be an SNS topic ARN"),
        ("alarmTopicArn", "arn:aws:sns:us-east-1:1234:alarms", "alarmTopicArn must be an SNS topic ARN"),
        ("availabilityZoneIds", '["us-east-1a", "us-east-1b"]', "must list zone IDs like use1-az1"),
        ("availabilityZoneIds", '["use1-az1", "use1-az1"]', "must not repeat a zone"),
        ("availabilityZoneIds", '["use1-az1", "use1-az3"]', "must not name use1-az3: Lambda cannot attach"),
        ("availabilityZoneIds", '["use1-az1", "use1-az2", "use1-az4"]', "lists 3 zones but availabilityZoneCount is 2"),
        ("eventsSubscriberAccounts", '["12345678901"]', "eventsSubscriberAccounts must list 12-digit AWS account ids"),
        ("alarmPeriodSeconds", "90", "alarmPeriodSeconds"),
        ("alarmPeriodSeconds", "30", "alarmPeriodSeconds"),
        ("alarmDatapointsToAlarm", "2", "alarmDatapointsToAlarm"),
        ("alarmEvaluationPeriods", "300", "one day at most"),
        ("functionErrorsAlarmThreshold", "0", "functionErrorsAlarmThreshold"),
        ("api5xxAlarmThreshold", "0", "api5xxAlarmThreshold"),
        ("functionThrottlesAlarmThreshold", "0", "functionThrottlesAlarmThreshold"),
        ("tableThrottlesAlarmThreshold", "0", "tableThrottlesAlarmThreshold"),
        ("tableSystemErrorsAlarmThreshold", "0", "tableSystemErrorsAlarmThreshold"),
        ("alarmLimitWarningPercent", "0", "alarmLimitWarningPercent"),
        ("alarmLimitWarningPercent", "101", "alarmLimitWarningPercent"),
    ],
)
def test_invalid_values_are_refused_with_the_keys_name(key, value, message):
    with pytest.raises(ConfigError, match=message):
        load({f"{PROJECT}:{key}": value})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "jwtIssuer must be the https:// URL"),
        ({"jwtIssuer": "http://issuer.example.com"}, "jwtIssuer must be the https:// URL"),
        ({"jwtIssuer": "https://issuer.example.com"}, "jwtAudiences must list at least one audience"),
        ({"jwtIssuer": "https://issuer.example.com", "jwtAudiences": '[""]'}, "jwtAudiences"),
    ],
)
def test_jwt_mode_needs_an_https_issuer_and_an_audience(settings, message):
    with pytest.raises(ConfigError, match=message):
        load({f"{PROJECT}:authMode": "jwt", **{f"{PROJECT}:{key}": value for key, value in settings.items()}})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"alarmEmail": "ops@example.com", "alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:paging"},
            "alarmEmail and alarmTopicArn are alternatives",
        ),
        ({"enableAlarms": "false", "alarmEmail": "ops@example.com"}, "only read with enableAlarms true"),
        ({"enableAlarms": "false", "alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:x"}, "only read with"),
    ],
)
def test_whom_alarms_tell_is_one_choice_and_only_with_alarms(settings, message):
    with pytest.raises(ConfigError, match=message):
        load({f"{PROJECT}:{key}": value for key, value in settings.items()})


def test_a_value_of_the_wrong_type_is_refused():
    with pytest.raises(pulumi.ConfigTypeError):
        load({f"{PROJECT}:lambdaMemoryMb": "lots"})
