"""Who may call each stack's API: prod behind its Cognito user pool, dev open, `jwt` any issuer."""

from __future__ import annotations

import pytest

from components import outputs
from components.stack_config import ConfigError
from runtime.routes import HEALTH, ROUTES
from tests.infra.stacks import deploy_stack

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
    return {route.inputs["routeKey"]: route for route in deployment.of_type("aws:apigatewayv2/route:Route")}


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
    authorizer = prod.one("aws:apigatewayv2/authorizer:Authorizer")

    assert authorizer.inputs["authorizerType"] == "JWT", authorizer
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool.id}",
        "audiences": [client.id],
    }, authorizer
    assert authorizer.inputs["apiId"] == prod.one("aws:apigatewayv2/api:Api").id, authorizer


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_in_prod_every_route_but_health_needs_a_token(route, prod):
    authorizer = prod.one("aws:apigatewayv2/authorizer:Authorizer")
    deployed = routes_by_key(prod)[route.route_key]

    if route is HEALTH:
        assert (deployed.inputs["authorizationType"], deployed.inputs.get("authorizerId")) == ("NONE", None)
    else:
        assert (deployed.inputs["authorizationType"], deployed.inputs["authorizerId"]) == ("JWT", authorizer.id)


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
    authorizer = external_issuer.one("aws:apigatewayv2/authorizer:Authorizer")

    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": "https://example.eu.auth0.com/",
        "audiences": ["https://api.example.com", "mobile-app"],
    }, authorizer
    assert not external_issuer.of_type("aws:cognito/userPool:UserPool")
    assert external_issuer.outputs[outputs.JWT_ISSUER] == "https://example.eu.auth0.com/"
    assert not {outputs.USER_POOL_ID, outputs.USER_POOL_CLIENT_ID} & set(external_issuer.outputs)


def test_jwt_mode_guards_every_route_but_health(external_issuer):
    for key, route in routes_by_key(external_issuer).items():
        assert route.inputs["authorizationType"] == ("NONE" if key == HEALTH.route_key else "JWT"), route


def test_the_prod_stack_refuses_to_deploy_open_before_creating_anything():
    with pytest.raises(ConfigError, match="authMode none would deploy the prod stack open"):
        deploy_stack("prod", authMode="none")
