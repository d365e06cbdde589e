"""Contracts between the infrastructure and the runtime: each side built from the same declarations.

The DynamoDB actions are also checked against what the runtime's suite really did, in
`test_iam_contract.py`.
"""

from __future__ import annotations

import pytest

from runtime import table_schema
from runtime.config import ATTACHMENTS_BUCKET, FUNCTION_ENVIRONMENT, IDEMPOTENCY_TABLE_NAME, TABLE_NAME
from runtime.permissions import DYNAMODB_ACTIONS, IDEMPOTENCY_TABLE_ACTIONS
from runtime.routes import ROUTES
from tests.infra.pulumi_mocks import policy_of
from tests.infra.stacks import ATTACHMENT_BUCKET, NETWORK, api_function, named, stack_program

# The stack's tables by their resource names.
MAIN_TABLE = "users-items-table"
IDEMPOTENCY_TABLE = "users-items-idempotency"
DECLARED_ACTIONS = {MAIN_TABLE: set(DYNAMODB_ACTIONS), IDEMPOTENCY_TABLE: set(IDEMPOTENCY_TABLE_ACTIONS)}


def table_named(deployment, name: str):
    return next(table for table in deployment.of_type("aws:dynamodb/table:Table") if table.name == name)


def role_dynamodb_actions(deployment) -> dict[str, set[str]]:
    """Table resource name -> every `dynamodb:` action an inline policy of the function's role
    allows on that table or its indexes."""
    function = api_function(deployment)
    role = next(r for r in deployment.of_type("aws:iam/role:Role") if r.outputs["arn"] == function.inputs["role"])
    names = {table.outputs["arn"]: table.name for table in deployment.of_type("aws:dynamodb/table:Table")}
    actions: dict[str, set[str]] = {}
    for policy in deployment.of_type("aws:iam/rolePolicy:RolePolicy"):
        if policy.inputs["role"] != role.id:
            continue
        for statement in policy_of(policy)["Statement"]:
            listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                table = names.get(resource.split("/index/")[0])
                if table is not None:
                    actions.setdefault(table, set()).update(a for a in listed if a.startswith("dynamodb:"))
    return actions


def http_api_route_keys(stack) -> list[str]:
    """The HTTP API's routes (the WebSocket API's are tests/infra/test_realtime_api.py's)."""
    (http_api,) = [api for api in stack.of_type("aws:apigatewayv2/api:Api") if api.inputs["protocolType"] == "HTTP"]
    routes = stack.of_type("aws:apigatewayv2/route:Route")
    return [route.inputs["routeKey"] for route in routes if route.inputs["apiId"] == http_api.id]


def test_every_route_of_the_runtime_has_an_api_gateway_route(stack):
    deployed = set(http_api_route_keys(stack))

    missing = {route.route_key for route in ROUTES} - deployed
    assert not missing, f"routes the runtime serves but API Gateway does not: {sorted(missing)}"


def test_every_api_gateway_route_is_a_route_of_the_runtime(stack):
    deployed = http_api_route_keys(stack)

    extra = set(deployed) - {route.route_key for route in ROUTES}
    assert not extra, f"routes API Gateway sends to the function but the runtime does not serve: {sorted(extra)}"
    assert len(deployed) == len(ROUTES)


def test_the_functions_environment_is_exactly_what_the_runtime_declares(stack):
    function = api_function(stack)
    variables = function.inputs["environment"]["variables"]
    provided = {
        TABLE_NAME.name: table_named(stack, MAIN_TABLE).outputs["name"],
        IDEMPOTENCY_TABLE_NAME.name: table_named(stack, IDEMPOTENCY_TABLE).outputs["name"],
        ATTACHMENTS_BUCKET.name: named(stack, "aws:s3/bucket:Bucket", ATTACHMENT_BUCKET).outputs["bucket"],
    }

    assert set(variables) == {variable.name for variable in FUNCTION_ENVIRONMENT}, function
    for variable in FUNCTION_ENVIRONMENT:
        expected = provided.get(variable.name, variable.default)
        assert variables[variable.name] == expected, f"{function}: {variable.name}"


def test_a_required_variable_the_stack_cannot_provide_fails_the_program(monkeypatch):
    from runtime import config

    extra = config.EnvironmentVariable("SIGNING_KEY_ARN", "A setting the stack knows nothing about.")
    monkeypatch.setattr(config, "FUNCTION_ENVIRONMENT", (*config.FUNCTION_ENVIRONMENT, extra))

    with pytest.raises(ValueError, match="SIGNING_KEY_ARN"):
        stack_program().function_environment("table", "idempotency", {ATTACHMENTS_BUCKET.name: "bucket"})


def test_the_role_grants_on_each_table_exactly_the_actions_the_runtime_declares_for_it(stack):
    assert role_dynamodb_actions(stack) == DECLARED_ACTIONS


def test_the_endpoint_lets_through_the_declared_actions_on_the_two_tables_and_nothing_else(stack):
    statement = policy_of(named(stack, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{NETWORK}-dynamodb"))["Statement"][0]
    arns = [table_named(stack, name).outputs["arn"] for name in (MAIN_TABLE, IDEMPOTENCY_TABLE)]

    assert set(statement["Action"]) == set(DYNAMODB_ACTIONS) | set(IDEMPOTENCY_TABLE_ACTIONS)
    assert statement["Resource"] == [resource for arn in arns for resource in (arn, f"{arn}/index/*")]


def test_the_idempotency_table_is_built_from_the_key_schema_module(stack):
    table = table_named(stack, IDEMPOTENCY_TABLE)

    assert table.inputs["hashKey"] == table_schema.IDEMPOTENCY_KEY
    assert "rangeKey" not in table.inputs
    assert not table.inputs.get("localSecondaryIndexes")
    assert {a["name"]: a["type"] for a in table.inputs["attributes"]} == table_schema.IDEMPOTENCY_KEY_ATTRIBUTE_TYPES
    assert table.inputs["ttl"] == {"attributeName": table_schema.IDEMPOTENCY_TTL_ATTRIBUTE, "enabled": True}


def test_the_table_is_built_from_the_key_schema_module(stack):
    table = table_named(stack, MAIN_TABLE)

    assert (table.inputs["hashKey"], table.inputs["rangeKey"]) == (table_schema.PARTITION_KEY, table_schema.SORT_KEY)
    assert {a["name"]: a["type"] for a in table.inputs["attributes"]} == table_schema.KEY_ATTRIBUTE_TYPES
    assert [(i["name"], i["rangeKey"], i["projectionType"]) for i in table.inputs["localSecondaryIndexes"]] == [
        (index.name, index.sort_key, index.projection) for index in table_schema.LOCAL_INDEXES
    ]
    assert table.inputs["ttl"] == {"attributeName": table_schema.TTL_ATTRIBUTE, "enabled": True}
