import pytest

from runtime.config import FUNCTION_ENVIRONMENT, RELAY_ENVIRONMENT, MissingSettingError, RelaySettings, Settings


def test_settings_fail_fast_without_a_table_name():
    with pytest.raises(MissingSettingError, match="TABLE_NAME"):
        Settings.from_environment({"IDEMPOTENCY_TABLE_NAME": "i"})


def test_settings_fail_fast_without_an_idempotency_table_name():
    with pytest.raises(MissingSettingError, match="IDEMPOTENCY_TABLE_NAME"):
        Settings.from_environment({"TABLE_NAME": "t"})


def test_settings_take_declared_defaults():
    settings = Settings.from_environment({"TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i"})

    assert (settings.table_name, settings.idempotency_table_name) == ("t", "i")
    assert settings.service_name == "users-items-api"
    assert settings.idempotency_ttl_seconds == 86400


def test_only_the_table_and_bucket_names_are_required():
    required = [variable.name for variable in FUNCTION_ENVIRONMENT if variable.required]

    assert required == ["TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "ATTACHMENTS_BUCKET"]


def test_the_relay_needs_its_topic_and_schedule_settings_and_no_table():
    relay_environment = {variable.name: f"value of {variable.name}" for variable in RELAY_ENVIRONMENT}

    settings = RelaySettings.from_environment(relay_environment)

    assert settings.events_topic_arn == "value of EVENTS_TOPIC_ARN"
    assert settings.scheduler_role_arn == "value of SCHEDULER_ROLE_ARN"
    assert "TABLE_NAME" not in relay_environment
    for variable in RELAY_ENVIRONMENT:
        if variable.required:
            with pytest.raises(MissingSettingError, match=variable.name):
                RelaySettings.from_environment({k: v for k, v in relay_environment.items() if k != variable.name})
