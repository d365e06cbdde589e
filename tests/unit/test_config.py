import pytest

from runtime.config import FUNCTION_ENVIRONMENT, MissingSettingError, Settings


def test_settings_fail_fast_without_a_table_name():
    with pytest.raises(MissingSettingError, match="TABLE_NAME"):
        Settings.from_environment({})


def test_settings_take_declared_defaults():
    settings = Settings.from_environment({"TABLE_NAME": "t"})

    assert settings.table_name == "t"
    assert settings.service_name == "users-items-api"
    assert settings.idempotency_ttl_seconds == 86400


def test_only_the_table_name_is_required():
    assert [variable.name for variable in FUNCTION_ENVIRONMENT if variable.required] == ["TABLE_NAME"]
