"""Who may call each stack's API: prod behind its Cognito user pool, dev open, `jwt` any issuer."""

from __future__ import annotations

import pytest

from components import lambda_package, outputs
from components.stack_config import ConfigError
from runtime.routes import HEALTH, ROUTES
from tests.infra.pulumi_mocks import ACCOUNT_ID
from tests.infra.stacks import API_FUNCTION, api_function, deploy_stack, named

SIGNIN_SCOPE = "aws.cognito.signin.user.admin"
SES_IDENTITY = f"arn:aws:ses:us-east-1:{ACCOUNT_ID}:identity/example.com"

AUTH_OUTPUTS = {outputs.USER_POOL_ID, outputs.USER_POOL_CLIENT_ID, outputs.JWT_ISSUER}


@pytest.fixture(scope="module")
def external_issuer():
    return deploy_stack(
        "dev",
        authMode="jwt",
        jwtIssuer="https://example.eu.auth0.com/",
        jwtAudiences='["https://api.example.com", "mobile-app"]',
    )


def routes_by_key(deployment):
    """The HTTP API's routes (the WebSocket API's $connect authorizer is test_realtime_api.py's)."""
    http_api = named(deployment, "aws:apigatewayv2/api:Api", API_FUNCTION)
    routes = deployment.of_type("aws:apigatewayv2/route:Route")
    return {route.inputs["routeKey"]: route for route in routes if route.inputs["apiId"] == http_api.id}


def test_prod_has_its_own_user_pool_protected_like_the_table(prod):
    pool = prod.one("aws:cognito/userPool:UserPool")
    client = prod.one("aws:cognito/userPoolClient:UserPoolClient")

    assert pool.inputs["name"] == "users-items-auth-prod", pool
    assert (pool.inputs["deletionProtection"], pool.protect) == ("ACTIVE", True), pool
    assert pool.inputs["usernameAttributes"] == ["email"], pool
    assert pool.inputs["passwordPolicy"]["minimumLength"] == 12, pool
    assert client.inputs["generateSecret"] is False, client
    assert client.inputs["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], client


def test_prods_authorizer_accepts_tokens_of_its_pool_for_its_app_client(prod):
    pool = prod.one("aws:cognito/userPool:UserPool")
    client = prod.one("aws:cognito/userPoolClient:UserPoolClient")
    authorizer = named(prod, "aws:apigatewayv2/authorizer:Authorizer", API_FUNCTION)

    assert authorizer.inputs["authorizerType"] == "JWT", authorizer
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool.id}",
        "audiences": [client.id],
    }, authorizer
    assert authorizer.inputs["apiId"] == named(prod, "aws:apigatewayv2/api:Api", API_FUNCTION).id, authorizer


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_in_prod_every_route_but_health_needs_a_token(route, prod):
    authorizer = named(prod, "aws:apigatewayv2/authorizer:Authorizer", API_FUNCTION)
    deployed = routes_by_key(prod)[route.route_key]

    if route is HEALTH:
        assert (deployed.inputs["authorizationType"], deployed.inputs.get("authorizerId")) == ("NONE", None)
        assert "authorizationScopes" not in deployed.inputs, deployed
    else:
        assert (deployed.inputs["authorizationType"], deployed.inputs["authorizerId"]) == ("JWT", authorizer.id)
        # ID tokens carry the client id as `aud` but no scope: only access tokens get in.
        assert deployed.inputs["authorizationScopes"] == [SIGNIN_SCOPE], deployed


def test_prods_access_tokens_carry_the_users_email_through_its_pools_trigger(prod):
    pool = prod.one("aws:cognito/userPool:UserPool")
    trigger = next(f for f in prod.of_type("aws:lambda/function:Function") if f.name == "users-items-auth-token-claims")

    assert pool.inputs["userPoolTier"] == "ESSENTIALS", pool
    assert pool.inputs["lambdaConfig"]["preTokenGenerationConfig"] == {
        "lambdaArn": trigger.outputs["arn"],
        "lambdaVersion": "V2_0",
    }, pool
    assert trigger.inputs["handler"] == lambda_package.TOKEN_CLAIMS_HANDLER, trigger
    # The same archive as the API's function, without its layer: the trigger needs the standard library only.
    assert trigger.inputs["code"].path == api_function(prod).inputs["code"].path, trigger
    assert "layers" not in trigger.inputs, trigger
    assert "vpcConfig" not in trigger.inputs, trigger


def test_without_access_token_email_claims_the_pool_stays_on_lite_with_no_trigger():
    deployment = deploy_stack("prod", accessTokenEmailClaims="false")

    assert deployment.one("aws:cognito/userPool:UserPool").inputs["userPoolTier"] == "LITE"
    assert "lambdaConfig" not in deployment.one("aws:cognito/userPool:UserPool").inputs
    assert sorted(f.name for f in deployment.of_type("aws:lambda/function:Function")) == [
        "users-items-api",
        "users-items-attachments-cleanup",
        "users-items-attachments-processor",
        "users-items-events-relay",
        "users-items-realtime-authorizer",
        "users-items-realtime-pusher",
        "users-items-realtime-routes",
        "users-items-reminders",
    ]


def test_prods_pool_mails_through_ses_once_an_identity_is_set(prod):
    assert prod.one("aws:cognito/userPool:UserPool").inputs["emailConfiguration"] == {
        "emailSendingAccount": "COGNITO_DEFAULT"
    }

    pool = deploy_stack("prod", userPoolEmailIdentityArn=SES_IDENTITY).one("aws:cognito/userPool:UserPool")

    assert pool.inputs["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": SES_IDENTITY,
        "fromEmailAddress": "no-reply@example.com",
    }, pool


def test_only_health_is_open_in_the_route_table():
    assert [route for route in ROUTES if not route.requires_auth] == [HEALTH]


def test_prod_tells_client_apps_where_to_sign_users_in(prod):
    pool = prod.one("aws:cognito/userPool:UserPool")

    assert prod.outputs[outputs.USER_POOL_ID] == pool.id
    assert prod.outputs[outputs.USER_POOL_CLIENT_ID] == prod.one("aws:cognito/userPoolClient:UserPoolClient").id
    assert prod.outputs[outputs.JWT_ISSUER] == f"https://{pool.outputs['endpoint']}"


def test_dev_runs_open_without_a_user_pool_or_an_authorizer(dev):
    assert not dev.of_type("aws:cognito/userPool:UserPool")
    assert not dev.of_type("aws:apigatewayv2/authorizer:Authorizer")
    assert {route.inputs["authorizationType"] for route in routes_by_key(dev).values()} == {"NONE"}
    assert not AUTH_OUTPUTS & set(dev.outputs)


def test_jwt_mode_trusts_the_configured_issuer_and_audiences_without_a_user_pool(external_issuer):
    authorizer = named(external_issuer, "aws:apigatewayv2/authorizer:Authorizer", API_FUNCTION)

    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": "https://example.eu.auth0.com/",
        "audiences": ["https://api.example.com", "mobile-app"],
    }, authorizer
    assert not external_issuer.of_type("aws:cognito/userPool:UserPool")
    assert external_issuer.outputs[outputs.JWT_ISSUER] == "https://example.eu.auth0.com/"
    assert not {outputs.USER_POOL_ID, outputs.USER_POOL_CLIENT_ID} & set(external_issuer.outputs)


def test_jwt_mode_guards_every_route_but_health_and_checks_no_scope_unless_told(external_issuer):
    for key, route in routes_by_key(external_issuer).items():
        assert route.inputs["authorizationType"] == ("NONE" if key == HEALTH.route_key else "JWT"), route
        assert "authorizationScopes" not in route.inputs, route


def test_jwt_mode_requires_the_configured_scopes_on_every_guarded_route():
    deployment = deploy_stack(
        "dev",
        authMode="jwt",
        jwtIssuer="https://example.eu.auth0.com/",
        jwtAudiences='["https://api.example.com"]',
        jwtRequiredScopes='["read:items", "write:items"]',
    )

    for key, route in routes_by_key(deployment).items():
        expected = None if key == HEALTH.route_key else ["read:items", "write:items"]
        assert route.inputs.get("authorizationScopes") == expected, route


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"authMode": "jwt", "jwtRequiredScopes": '[""]'}, "jwtRequiredScopes must list scopes without spaces"),
        ({"authMode": "jwt", "jwtRequiredScopes": '["read write"]'}, "must list scopes without spaces"),
        ({"authMode": "cognito", "jwtRequiredScopes": '["read"]'}, "only read with authMode jwt"),
        ({"authMode": "none", "userPoolEmailIdentityArn": SES_IDENTITY}, "only read with authMode cognito"),
        ({"authMode": "cognito", "userPoolEmailIdentityArn": "ops@example.com"}, "must be an SES identity ARN"),
        (
            {"authMode": "cognito", "userPoolEmailIdentityArn": f"arn:aws:ses:us-east-1:{ACCOUNT_ID}:template/x"},
            "must be an SES identity ARN",
        ),
    ],
)
def test_auth_settings_that_would_not_protect_as_written_are_refused(settings, message):
    issuer = {"jwtIssuer": "https://example.eu.auth0.com/", "jwtAudiences": '["app"]'}
    with pytest.raises(ConfigError, match=message):
        deploy_stack("dev", **({**issuer, **settings} if settings["authMode"] == "jwt" else settings))


def test_the_prod_stack_refuses_to_deploy_open_before_creating_anything():
    with pytest.raises(ConfigError, match="authMode none would deploy the prod stack open"):
        deploy_stack("prod", authMode="none")
