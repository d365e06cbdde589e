"""The stack program and its stack files, run as `pulumi up` would run them, but under Pulumi mocks."""

from __future__ import annotations

import importlib.util
import json
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from components.lambda_artifacts import Artifacts
from components.stack_config import StackConfig
from tests.infra.pulumi_mocks import PROJECT, Deployment, Registered, deploy
from tests.support.lambda_artifacts import write_stand_in_artifacts

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")
# What an operator sets before a stack's first preview, as the stack file's comments ask: prod's
# file names no one to tell when an alarm fires, and its preview fails until someone is named.
OPERATOR_SETTINGS: dict[str, dict[str, str]] = {"prod": {"alarmEmail": "oncall@example.com"}}

# `NAME-api` in __main__.py: the API function's resource name.
API_FUNCTION = "users-items-api"
# `NAME-events` in __main__.py, and its relay function's resource name.
DOMAIN_EVENTS = "users-items-events"
RELAY_FUNCTION = f"{DOMAIN_EVENTS}-relay"
# `NAME-attachments`: the attachments' bucket, and the store of their processor and cleanup.
ATTACHMENT_BUCKET = "users-items-attachments"
ATTACHMENT_STORE = "users-items-attachments"
# `NAME-network`: the private network (its endpoints are `<NETWORK>-dynamodb` and `<NETWORK>-s3`).
NETWORK = "users-items-network"
# `NAME-alarms`: the alarm topic's and its key's resource name.
ALARM_TOPIC = "users-items-alarms"


def read_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


def stack_settings(stack: str) -> dict[str, str]:
    """`Pulumi.<stack>.yaml`'s config as the engine hands it to a program: strings, JSON for the rest."""
    config = read_yaml(f"Pulumi.{stack}.yaml")["config"]
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


@cache
def stack_program() -> ModuleType:
    """`__main__.py` as a module, without running its `if __name__ == "__main__"` block."""
    spec = importlib.util.spec_from_file_location("stack_program", ROOT / "__main__.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def stand_in_artifacts() -> Artifacts:
    """What the program deploys instead of `make package`'s archives: the same shape, written once
    per test process, never built (no pip, no python3.13, no network)."""
    return write_stand_in_artifacts(ROOT, Path(tempfile.mkdtemp(prefix="stack-artifacts-")))


def operator_settings(stack: str, **overrides: str) -> dict[str, str]:
    """`Pulumi.<stack>.yaml`'s config with the operator's settings and these project keys set to
    these values, as `pulumi config set` would."""
    project_keys = {**OPERATOR_SETTINGS.get(stack, {}), **overrides}
    return {**stack_settings(stack), **{f"{PROJECT}:{key}": value for key, value in project_keys.items()}}


def deploy_stack(stack: str, *, impaired_zone_ids: frozenset[str] = frozenset(), **overrides: str) -> Deployment:
    """The whole program with `operator_settings(stack, **overrides)`, while AWS reports
    `impaired_zone_ids` as not available; `outputs` are the stack outputs."""
    settings = operator_settings(stack, **overrides)
    program = stack_program()
    return deploy(
        lambda: program.build_stack(StackConfig.load(), stand_in_artifacts()),
        config=settings,
        stack=stack,
        region=settings["aws:region"],
        impaired_zone_ids=impaired_zone_ids,
    )


def named(deployment: Deployment, type_: str, name: str) -> Registered:
    """The one resource of this type with this resource name."""
    found = [resource for resource in deployment.of_type(type_) if resource.name == name]
    assert len(found) == 1, f"expected exactly one {type_} named {name}, found {[str(r) for r in found]}"
    return found[0]


def api_function(deployment: Deployment) -> Registered:
    """The API's function (the user pool may own a trigger function, and the domain events a relay)."""
    return named(deployment, "aws:lambda/function:Function", API_FUNCTION)


def relay_function(deployment: Deployment) -> Registered:
    return named(deployment, "aws:lambda/function:Function", RELAY_FUNCTION)


def alarm_topic(deployment: Deployment) -> Registered:
    """The topic the alarms notify (the domain events have a topic of their own)."""
    return named(deployment, "aws:sns/topic:Topic", ALARM_TOPIC)
