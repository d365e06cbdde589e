"""Schemathesis against the served OpenAPI document: no 5xx, and every response as documented.

Each generated request goes to two local APIs: the open one, and one behind `--auth`, where it
carries an access token of the user its path names (and of the email its body names), so that it
reaches the handler's isolation and claim checks rather than stopping at the authorizer.
Generating once for both keeps the pair fast: generation costs as much as the calls.
"""

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import unsupported_method

from local_api.auth import load_or_create_key, mint_token
from tests.e2e.conftest import start_local_api

pytestmark = [pytest.mark.e2e, pytest.mark.local_only]  # it starts an --auth API of its own

# Mode "all" runs valid and invalid data for each of the 13 operations: 58 examples give about 1,100 cases.
EXAMPLES_PER_OPERATION = 58
MINIMUM_CASES = 1000
cases_run = {"open": 0, "auth": 0}


# Schema-valid requests this API may still refuse, because the answer depends on state the schema
# cannot describe: an opaque cursor it did not issue (400) and an If-Match of another version (412).
# Besides the defaults: success, 401/403/404/409/429, and 5xx (which not_a_server_error fails).
ACCEPTABLE_FOR_VALID_DATA = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429", "5xx"]


@pytest.fixture(scope="session")
def served_schema(local_api):
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "with-security-parameters": False},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTABLE_FOR_VALID_DATA}},
        }
    )
    return schemathesis.openapi.from_url(f"{local_api.url}/openapi.json", config=config)


@pytest.fixture(scope="module")
def secured_api(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-secured")
    key_file = directory / "signing-key.pem"
    api = start_local_api(directory, "--auth", "--key-file", str(key_file), "--no-demo-data", "--quiet")
    api.key = load_or_create_key(key_file)
    yield api
    api.stop()


schema = schemathesis.pytest.from_fixture("served_schema")


def _token_for(case, key, issuer):
    """An access token of the user the path names (any user for POST /users), with the body's email."""
    subject = (case.path_parameters or {}).get("userId") or str(uuid.uuid4())
    email = case.body.get("email") if isinstance(case.body, dict) else None
    return mint_token(key, subject=str(subject), email=email if isinstance(email, str) else None, issuer=issuer)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_generated_request_gets_a_documented_response_open_and_with_its_users_token(case, secured_api):
    # API Gateway answers a method no route declares with 404 {"message":"Not Found"}, not 405.
    excluded = [unsupported_method]
    cases_run["open"] += 1
    case.call_and_validate(timeout=30, excluded_checks=excluded)
    cases_run["auth"] += 1
    authorization = {"Authorization": f"Bearer {_token_for(case, secured_api.key, secured_api.issuer)}"}
    case.call_and_validate(base_url=secured_api.url, headers=authorization, timeout=30, excluded_checks=excluded)


def test_the_fuzzer_ran_enough_cases():
    print(f"\nschemathesis cases run: {cases_run}")
    assert min(cases_run.values()) >= MINIMUM_CASES, cases_run
