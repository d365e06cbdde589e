"""UserPool alone: email sign-up with a strong password policy, and a public SRP app client."""

from __future__ import annotations

import pytest

from components.user_pool import UserPool, UserPoolArgs
from tests.infra.pulumi_mocks import Deployment, deploy


def user_pool(**overrides: object) -> Deployment:
    def program() -> dict[str, object]:
        pool = UserPool("people", UserPoolArgs(**overrides))
        return {"id": pool.user_pool_id, "clientId": pool.client_id, "issuer": pool.issuer, "arn": pool.user_pool_arn}

    return deploy(program, stack="staging", region="eu-west-1")


@pytest.fixture(scope="module")
def defaults() -> Deployment:
    return user_pool()


@pytest.fixture(scope="module")
def protected() -> Deployment:
    return user_pool(deletion_protection=True)


def pool_of(deployment: Deployment):
    return deployment.one("aws:cognito/userPool:UserPool")


def client_of(deployment: Deployment):
    return deployment.one("aws:cognito/userPoolClient:UserPoolClient")


def test_users_sign_up_with_their_email_as_username_and_verify_it(defaults):
    pool = pool_of(defaults)

    assert pool.inputs["usernameAttributes"] == ["email"], pool
    assert pool.inputs["autoVerifiedAttributes"] == ["email"], pool
    assert pool.inputs["usernameConfiguration"] == {"caseSensitive": False}, pool
    assert pool.inputs["userAttributeUpdateSettings"] == {"attributesRequireVerificationBeforeUpdates": ["email"]}
    assert "aliasAttributes" not in pool.inputs, pool


def test_passwords_are_twelve_characters_of_every_kind(defaults):
    assert pool_of(defaults).inputs["passwordPolicy"] == {
        "minimumLength": 12,
        "requireLowercase": True,
        "requireUppercase": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "temporaryPasswordValidityDays": 3,
    }


def test_a_forgotten_password_is_recovered_through_the_verified_email_only(defaults):
    assert pool_of(defaults).inputs["accountRecoverySetting"] == {
        "recoveryMechanisms": [{"name": "verified_email", "priority": 1}]
    }


def test_the_pool_is_named_after_the_component_and_the_stack_with_mfa_off(defaults):
    pool = pool_of(defaults)

    assert pool.inputs["name"] == "people-staging", pool
    assert pool.inputs["mfaConfiguration"] == "OFF", pool
    assert pool.inputs["userPoolTier"] == "LITE", pool


def test_deletion_protection_and_protect_are_off_unless_asked_for(defaults, protected):
    assert (pool_of(defaults).inputs["deletionProtection"], pool_of(defaults).protect) == ("INACTIVE", False)
    assert (pool_of(protected).inputs["deletionProtection"], pool_of(protected).protect) == ("ACTIVE", True)


def test_the_app_client_is_public_and_signs_in_with_srp_and_refresh_tokens_only(defaults):
    client = client_of(defaults)

    assert client.inputs["userPoolId"] == pool_of(defaults).id, client
    assert client.inputs["generateSecret"] is False, client
    assert client.inputs["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], client
    assert client.inputs["preventUserExistenceErrors"] == "ENABLED", client
    assert client.inputs["enableTokenRevocation"] is True, client
    assert "allowedOauthFlows" not in client.inputs, client


def test_tokens_last_an_hour_and_refresh_tokens_thirty_days(defaults):
    client = client_of(defaults)

    assert (client.inputs["accessTokenValidity"], client.inputs["idTokenValidity"]) == (60, 60), client
    assert client.inputs["refreshTokenValidity"] == 30, client
    assert client.inputs["tokenValidityUnits"] == {
        "accessToken": "minutes",
        "idToken": "minutes",
        "refreshToken": "days",
    }, client


def test_the_issuer_is_the_pools_cognito_url_and_the_outputs_its_ids(defaults):
    pool = pool_of(defaults)

    assert defaults.outputs == {
        "id": pool.id,
        "clientId": client_of(defaults).id,
        "issuer": f"https://cognito-idp.eu-west-1.amazonaws.com/{pool.id}",
        "arn": pool.outputs["arn"],
    }


def test_every_resource_is_a_child_of_the_component(defaults):
    component = defaults.one("users-items:index:UserPool")

    for resource in (pool_of(defaults), client_of(defaults)):
        assert resource.parent == component.urn, resource


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password_minimum_length": 6}, "password_minimum_length"),
        ({"access_token_minutes": 2}, "between 5 minutes and one day"),
        ({"id_token_minutes": 1441}, "between 5 minutes and one day"),
        ({"refresh_token_days": 0}, "refresh_token_days"),
    ],
)
def test_settings_cognito_would_refuse_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        UserPoolArgs(**overrides)
