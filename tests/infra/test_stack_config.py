"""Pulumi.yaml, the stack files and the typed config reader agree, and bad values fail before any resource."""

from __future__ import annotations

import dataclasses

import pulumi
import pytest

from components.stack_config import ConfigError, StackConfig
from tests.infra.pulumi_mocks import PROJECT, deploy
from tests.infra.stacks import ROOT, STACKS, read_yaml, stack_settings

PULUMI_TYPES = {"int": "integer", "bool": "boolean", "str": "string", "tuple[str, ...]": "array"}


def declared() -> dict[str, dict[str, object]]:
    """Pulumi.yaml's project config schema (namespaced keys such as aws:region are only values)."""
    return {key: value for key, value in read_yaml("Pulumi.yaml")["config"].items() if ":" not in key}


def load(settings: dict[str, str]) -> StackConfig:
    """What `StackConfig.load()` reads in a program given these config values."""
    loaded: dict[str, StackConfig] = {}
    deploy(lambda: loaded.setdefault("config", StackConfig.load()), config=settings)
    return loaded["config"]


def test_the_project_runs_python_in_the_pip_toolchains_virtualenv():
    project = read_yaml("Pulumi.yaml")

    assert project["name"] == PROJECT
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert (ROOT / "requirements.txt").read_text().splitlines()[-1] == "-r requirements/dev.txt"


def test_pulumi_yaml_declares_every_key_the_program_reads_with_the_same_default():
    assert {key: schema.get("default") for key, schema in declared().items()} == {
        key: list(value) if isinstance(value, tuple) else value for key, value in StackConfig.defaults().items()
    }


def test_every_declared_key_has_its_type_and_a_description():
    types = {field.metadata["key"]: PULUMI_TYPES[str(field.type)] for field in dataclasses.fields(StackConfig)}

    for key, schema in declared().items():
        assert schema["type"] == types[key], key
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
    config = load(stack_settings("prod"))

    assert config.table_deletion_protection is True
    assert config.enable_flow_logs is True
    assert config.availability_zone_count == 3
    assert config.log_retention_days == 365


def test_dev_keeps_the_defaults_but_a_shorter_retention_and_local_origins():
    config = load(stack_settings("dev"))

    assert dataclasses.replace(config, log_retention_days=30, cors_allowed_origins=()) == StackConfig()
    assert config.log_retention_days == 14
    assert config.cors_allowed_origins == ("http://localhost:3000", "http://localhost:5173")


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
    ],
)
def test_invalid_values_are_refused_with_the_keys_name(key, value, message):
    with pytest.raises(ConfigError, match=message):
        load({f"{PROJECT}:{key}": value})


def test_a_value_of_the_wrong_type_is_refused():
    with pytest.raises(pulumi.ConfigTypeError):
        load({f"{PROJECT}:lambdaMemoryMb": "lots"})
