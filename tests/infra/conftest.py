"""Deployments of the whole program per stack, made afresh for each test module (mocks included)."""

from __future__ import annotations

import pytest

from components.lambda_artifacts import Artifacts
from tests.infra import stacks
from tests.infra.pulumi_mocks import Deployment
from tests.infra.stacks import STACKS, deploy_stack


def pytest_configure(config: pytest.Config) -> None:
    # pulumi_aws warns about its own deprecated resource types when it imports their modules.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:pulumi_aws")


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> Deployment:
    """The program as each stack file configures it (tests using it run once per stack)."""
    return deploy_stack(request.param)


@pytest.fixture(scope="module")
def dev() -> Deployment:
    return deploy_stack("dev")


@pytest.fixture(scope="module")
def prod() -> Deployment:
    return deploy_stack("prod")


@pytest.fixture(scope="session")
def stand_in_artifacts() -> Artifacts:
    """function.zip and layer.zip of the deployed shape, the ones the stack tests deploy."""
    return stacks.stand_in_artifacts()
