"""The WebSocket functions' settings: read from exactly their declared variables, refused at start
when incomplete or invalid."""

from __future__ import annotations

import pytest

from runtime.config import ConnectionsSettings, MissingSettingError, PusherSettings, TokenRules


def test_token_rules_read_lists_and_leave_empty_optional_ones_empty():
    rules = TokenRules.from_environment(
        {"JWT_ISSUER": "https://issuer.example.com/", "JWT_AUDIENCES": "web, mobile", "JWT_REQUIRED_SCOPES": ""}
    )

    assert rules == TokenRules("https://issuer.example.com/", ("web", "mobile"), (), None)
    assert rules.jwks_url == "https://issuer.example.com/.well-known/jwks.json"


def test_cognito_token_rules_require_the_access_token_use_and_the_scope():
    rules = TokenRules.from_environment(
        {"JWT_ISSUER": "https://i", "JWT_AUDIENCES": "c", "JWT_REQUIRED_SCOPES": "a,b", "JWT_TOKEN_USE": "access"}
    )

    assert (rules.required_scopes, rules.token_use) == (("a", "b"), "access")


@pytest.mark.parametrize(
    "environment",
    [{"JWT_AUDIENCES": "c"}, {"JWT_ISSUER": "https://i"}, {"JWT_ISSUER": "https://i", "JWT_AUDIENCES": " , "}],
)
def test_token_rules_without_an_issuer_or_an_audience_are_refused(environment):
    with pytest.raises(MissingSettingError):
        TokenRules.from_environment(environment)


def test_the_connect_auth_must_be_one_of_its_modes():
    assert (
        ConnectionsSettings.from_environment({"CONNECTIONS_TABLE_NAME": "t", "CONNECT_AUTH": "query"}).connect_auth
        == "query"
    )
    with pytest.raises(MissingSettingError, match="authorizer, query"):
        ConnectionsSettings.from_environment({"CONNECTIONS_TABLE_NAME": "t", "CONNECT_AUTH": "none"})


def test_the_pusher_needs_its_table_and_management_endpoint():
    with pytest.raises(MissingSettingError, match="WEBSOCKET_MANAGEMENT_ENDPOINT"):
        PusherSettings.from_environment({"CONNECTIONS_TABLE_NAME": "t"})
