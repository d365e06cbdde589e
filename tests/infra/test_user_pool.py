"""UserPool alone: email sign-up with a strong password policy, and a public SRP app client."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.lambda_function import FunctionCode
from components.user_pool import (
    SIGNIN_SCOPE,
    PasswordPolicy,
    TokenClaimsTriggerArgs,
    TokenValidity,
    UserPool,
    UserPoolArgs,
)
from tests.infra.pulumi_mocks import ACCOUNT_ID, Deployment, deploy, policy_of

TRIGGER_HANDLER = "runtime.cognito_triggers.add_email_to_access_token"


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


def token_claims_trigger() -> TokenClaimsTriggerArgs:
    archive = pulumi.AssetArchive({"runtime/cognito_triggers.py": pulumi.StringAsset("# the trigger")})
    return TokenClaimsTriggerArgs(code=FunctionCode(archive=archive, handler=TRIGGER_HANDLER), log_retention_days=14)


@pytest.fixture(scope="module")
def with_email_claims() -> Deployment:
    return user_pool(token_claims_trigger=token_claims_trigger())


def trigger_of(deployment: Deployment):
    return deployment.one("aws:lambda/function:Function")


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


def test_every_resource_is_a_child_of_the_component(defaults, with_email_claims):
    for deployment in (defaults, with_email_claims):
        component = deployment.one("users-items:index:UserPool")
        for resource in deployment:
            assert resource.type == component.type or resource.parent == component.urn, resource


def test_without_the_trigger_the_pool_stays_on_lite_with_no_function(defaults):
    assert pool_of(defaults).inputs["userPoolTier"] == "LITE"
    assert "lambdaConfig" not in pool_of(defaults).inputs
    assert not defaults.of_type("aws:lambda/function:Function")


def test_the_trigger_puts_the_pool_on_essentials_and_runs_on_every_token_with_the_v2_event(with_email_claims):
    pool = pool_of(with_email_claims)

    assert pool.inputs["userPoolTier"] == "ESSENTIALS", pool
    assert pool.inputs["lambdaConfig"] == {
        "preTokenGenerationConfig": {"lambdaArn": trigger_of(with_email_claims).outputs["arn"], "lambdaVersion": "V2_0"}
    }, pool


def test_the_trigger_is_a_small_function_outside_any_vpc(with_email_claims):
    function = trigger_of(with_email_claims)

    assert function.inputs["name"] == "people-staging-token-claims", function
    assert function.inputs["handler"] == TRIGGER_HANDLER, function
    assert (function.inputs["runtime"], function.inputs["architectures"]) == ("python3.13", ["arm64"]), function
    # Cognito waits five seconds for a trigger.
    assert (function.inputs["timeout"], function.inputs["memorySize"]) == (5, 128), function
    assert "vpcConfig" not in function.inputs, function
    assert "layers" not in function.inputs, function


def test_the_trigger_logs_to_its_own_group_created_first_and_may_do_nothing_else(with_email_claims):
    function = trigger_of(with_email_claims)
    log_group = with_email_claims.one("aws:cloudwatch/logGroup:LogGroup")
    role = with_email_claims.one("aws:iam/role:Role")
    logs = with_email_claims.one("aws:iam/rolePolicy:RolePolicy")

    assert log_group.inputs["name"] == "/aws/lambda/people-staging-token-claims", log_group
    assert log_group.inputs["retentionInDays"] == 14, log_group
    assert function.inputs["loggingConfig"]["logGroup"] == log_group.outputs["name"], function
    assert {log_group.urn, logs.urn} <= set(function.dependencies), function
    assert function.inputs["role"] == role.outputs["arn"], function
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [statement["Principal"] for statement in trust] == [{"Service": "lambda.amazonaws.com"}], role
    assert policy_of(logs)["Statement"] == [
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group.outputs['arn']}:*",
        }
    ]
    assert not with_email_claims.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_only_this_pool_may_invoke_the_trigger(with_email_claims):
    permission = with_email_claims.one("aws:lambda/permission:Permission")

    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": trigger_of(with_email_claims).outputs["name"],
        "principal": "cognito-idp.amazonaws.com",
        "sourceArn": pool_of(with_email_claims).outputs["arn"],
    }, permission


def test_the_api_requires_the_scope_of_srp_access_tokens():
    assert SIGNIN_SCOPE == "aws.cognito.signin.user.admin"


def test_mail_goes_through_cognitos_own_sender_unless_an_ses_identity_is_given(defaults):
    assert pool_of(defaults).inputs["emailConfiguration"] == {"emailSendingAccount": "COGNITO_DEFAULT"}


@pytest.mark.parametrize(
    ("identity", "sender"),
    [("identity/auth@example.com", "auth@example.com"), ("identity/example.com", "no-reply@example.com")],
)
def test_an_ses_identity_sends_the_pools_mail_from_its_address_or_its_domain(identity, sender):
    arn = f"arn:aws:ses:eu-west-1:{ACCOUNT_ID}:{identity}"

    pool = pool_of(user_pool(email_identity_arn=arn))

    assert pool.inputs["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": arn,
        "fromEmailAddress": sender,
    }, pool


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (lambda: PasswordPolicy(minimum_length=6), "minimum_length"),
        (lambda: TokenValidity(access_token_minutes=2), "between 5 minutes and one day"),
        (lambda: TokenValidity(id_token_minutes=1441), "between 5 minutes and one day"),
        (lambda: TokenValidity(refresh_token_days=0), "refresh_token_days"),
        (lambda: UserPoolArgs(email_identity_arn="auth@example.com"), "SES identity ARN"),
        (
            lambda: UserPoolArgs(email_identity_arn=f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:identity/example.com"),
            "SES identity ARN",
        ),
        (
            lambda: UserPoolArgs(email_identity_arn="arn:aws:ses:us-east-1:12345:identity/example.com"),
            "SES identity ARN",
        ),
        (
            lambda: UserPoolArgs(email_identity_arn=f"arn:aws:ses:us-east-1:{ACCOUNT_ID}:configuration-set/x"),
            "SES identity ARN",
        ),
    ],
)
def test_settings_cognito_would_refuse_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        settings()


def test_the_password_policy_and_token_lifetimes_follow_their_options():
    deployment = user_pool(
        passwords=PasswordPolicy(minimum_length=16, temporary_password_days=1),
        tokens=TokenValidity(access_token_minutes=15, id_token_minutes=30, refresh_token_days=7),
    )
    policy = pool_of(deployment).inputs["passwordPolicy"]
    client = client_of(deployment)

    assert (policy["minimumLength"], policy["temporaryPasswordValidityDays"]) == (16, 1), policy
    assert (client.inputs["accessTokenValidity"], client.inputs["idTokenValidity"]) == (15, 30), client
    assert client.inputs["refreshTokenValidity"] == 7, client
