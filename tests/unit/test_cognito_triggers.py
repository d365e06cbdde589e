"""The pre-token-generation trigger copies the user's email claims into the access token only."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.cognito_triggers import add_email_to_access_token

# The V2_0 event Cognito sends on sign-in, in the shape the pre-token-generation docs publish.
_EVENT = json.loads(
    (Path(__file__).parents[1] / "support" / "recorded" / "cognito_pre_token_generation_v2.json").read_text()
)


def _answer(**attributes: str) -> dict:
    event = copy.deepcopy(_EVENT)
    if attributes:
        event["request"]["userAttributes"] = {"sub": event["request"]["userAttributes"]["sub"], **attributes}
    return add_email_to_access_token(event, None)


def test_a_verified_email_is_added_to_the_access_token():
    answer = _answer()

    assert answer["response"] == {
        "claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"email": "jane@example.com", "email_verified": True}}
        }
    }


def test_the_rest_of_the_event_goes_back_as_cognito_sent_it():
    answer = _answer()

    assert {key: value for key, value in answer.items() if key != "response"} == {
        key: value for key, value in _EVENT.items() if key != "response"
    }


@pytest.mark.parametrize("verified", ["false", "", "True"])
def test_an_email_not_verified_says_so(verified):
    claims = _answer(email="jane@example.com", email_verified=verified)["response"]["claimsAndScopeOverrideDetails"]

    assert claims["accessTokenGeneration"]["claimsToAddOrOverride"]["email_verified"] is False


def test_a_user_without_an_email_gets_no_claims_and_nothing_else_is_touched():
    details = _answer(phone_number="+15555550100")["response"]["claimsAndScopeOverrideDetails"]

    assert details == {"accessTokenGeneration": {"claimsToAddOrOverride": {}}}
    assert "idTokenGeneration" not in details


def test_the_trigger_needs_nothing_but_the_standard_library():
    # It runs without the Powertools layer: importing it must not pull in any third-party package.
    probe = (
        "import sys, runtime.cognito_triggers; "
        "packages = ('boto3', 'botocore', 'aws_lambda_powertools', 'pydantic'); "
        "print(','.join(sorted(m for m in packages if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603

    assert result.stdout.strip() == ""
