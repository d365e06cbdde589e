"""Deployments of the whole program per stack, made afresh for each test module (mocks included)."""

from __future__ import annotations

import pytest

from components.lambda_artifacts import Artifacts
from tests.infra.pulumi_mocks import Deployment
from tests.infra.stacks import ROOT, STACKS, deploy_stack
from tests.support.lambda_artifacts import write_stand_in_artifacts


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
def stand_in_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Artifacts:
    """function.zip and layer.zip of the deployed shape, written once per session without building."""
    return write_stand_in_artifacts(ROOT, tmp_path_factory.mktemp("lambda-artifacts"))
