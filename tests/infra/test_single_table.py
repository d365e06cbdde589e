"""SingleTable alone: keys from the runtime's key-schema module, and the data-safety settings."""

from __future__ import annotations

import pytest

from components.alarms import AlarmOptions
from components.single_table import DataProtection, SingleTable, SingleTableArgs, TableAlarmThresholds, TableKeys
from runtime import table_schema
from tests.infra.pulumi_mocks import Deployment, deploy

KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def runtime_keys(**overrides: object) -> TableKeys:
    keys = {
        "partition_key": table_schema.PARTITION_KEY,
        "sort_key": table_schema.SORT_KEY,
        "attribute_types": table_schema.KEY_ATTRIBUTE_TYPES,
        "local_indexes": table_schema.LOCAL_INDEXES,
        "ttl_attribute": table_schema.TTL_ATTRIBUTE,
    }
    return TableKeys(**{**keys, **overrides})


def single_table(**overrides: object) -> Deployment:
    def program() -> dict[str, object]:
        table = SingleTable("table", SingleTableArgs(**{"keys": runtime_keys(), **overrides}))
        return {"name": table.name, "arn": table.arn, "indexArns": table.index_arns}

    return deploy(program)


@pytest.fixture(scope="module")
def default_table() -> Deployment:
    return single_table()


@pytest.fixture(scope="module")
def protected_table() -> Deployment:
    return single_table(protection=DataProtection(deletion_protection=True, protect=True, kms_key_arn=KMS_KEY))


def table_of(deployment: Deployment):
    return deployment.one("aws:dynamodb/table:Table")


def test_the_key_schema_is_the_runtimes(default_table):
    table = table_of(default_table)

    assert table.inputs["hashKey"] == table_schema.PARTITION_KEY, table
    assert table.inputs["rangeKey"] == table_schema.SORT_KEY, table
    assert {a["name"]: a["type"] for a in table.inputs["attributes"]} == table_schema.KEY_ATTRIBUTE_TYPES, table


def test_the_local_indexes_are_the_runtimes(default_table):
    table = table_of(default_table)

    assert table.inputs["localSecondaryIndexes"] == [
        {"name": index.name, "rangeKey": index.sort_key, "projectionType": index.projection}
        for index in table_schema.LOCAL_INDEXES
    ], table
    assert "globalSecondaryIndexes" not in table.inputs, table


def test_the_table_matches_the_create_table_request_the_local_api_and_tests_use(default_table):
    table = table_of(default_table)
    request = table_schema.create_table_request("any")

    assert table.inputs["billingMode"] == request["BillingMode"]
    assert [a["name"] for a in table.inputs["attributes"]] == [
        d["AttributeName"] for d in request["AttributeDefinitions"]
    ]
    assert [i["name"] for i in table.inputs["localSecondaryIndexes"]] == [
        i["IndexName"] for i in request["LocalSecondaryIndexes"]
    ]


def test_billing_is_on_demand(default_table):
    assert table_of(default_table).inputs["billingMode"] == "PAY_PER_REQUEST"


def test_point_in_time_recovery_is_on(default_table):
    assert table_of(default_table).inputs["pointInTimeRecovery"]["enabled"] is True


def test_records_expire_on_the_attribute_the_runtime_writes(default_table):
    assert table_of(default_table).inputs["ttl"] == {"attributeName": table_schema.TTL_ATTRIBUTE, "enabled": True}


def test_encryption_is_on_with_the_aws_managed_key_by_default(default_table):
    assert table_of(default_table).inputs["serverSideEncryption"] == {"enabled": True}


def test_encryption_uses_the_customer_key_when_given(protected_table):
    assert table_of(protected_table).inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": KMS_KEY}


def test_deletion_protection_and_protect_are_off_unless_asked_for(default_table):
    table = table_of(default_table)

    assert table.inputs["deletionProtectionEnabled"] is False, table
    assert table.protect is False, table


def test_deletion_protection_and_protect_are_on_when_asked_for(protected_table):
    table = table_of(protected_table)

    assert table.inputs["deletionProtectionEnabled"] is True, table
    assert table.protect is True, table


def test_outputs_are_the_name_the_arn_and_one_arn_per_index(default_table):
    table = table_of(default_table)

    assert default_table.outputs == {
        "name": table.outputs["name"],
        "arn": table.outputs["arn"],
        "indexArns": [f"{table.outputs['arn']}/index/{index.name}" for index in table_schema.LOCAL_INDEXES],
    }
    assert table.outputs["arn"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/")


def test_the_table_is_a_child_of_the_component(default_table):
    component = default_table.one("users-items:index:SingleTable")

    assert table_of(default_table).parent == component.urn


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"attribute_types": {**table_schema.KEY_ATTRIBUTE_TYPES, "email": "S"}}, "exactly the key attributes"),
        ({"attribute_types": {table_schema.PARTITION_KEY: "S", table_schema.SORT_KEY: "S"}}, "exactly the key"),
        ({"attribute_types": dict.fromkeys(table_schema.KEY_ATTRIBUTE_TYPES, "BOOL")}, "S, N or B"),
        ({"local_indexes": table_schema.LOCAL_INDEXES * 2}, "unique"),
    ],
)
def test_inconsistent_key_schemas_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        runtime_keys(**overrides)


# Alarms ------------------------------------------------------------------------------------------

TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
OPERATIONS = ("GetItem", "Query", "TransactWriteItems")


@pytest.fixture(scope="module")
def monitored_table() -> Deployment:
    return single_table(alarms=AlarmOptions(topic_arn=TOPIC, period_seconds=120), operations=OPERATIONS)


def alarm_named(deployment: Deployment, suffix: str):
    [alarm] = [a for a in deployment.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.name.endswith(suffix)]
    return alarm


def test_a_table_without_alarm_options_has_no_alarms(default_table):
    assert not default_table.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")


@pytest.mark.parametrize("metric", ["ThrottledRequests", "SystemErrors"])
def test_each_alarm_adds_up_the_tables_metric_over_its_operations(metric, monitored_table):
    suffix = {"ThrottledRequests": "throttled-requests", "SystemErrors": "system-errors"}[metric]
    alarm = alarm_named(monitored_table, suffix)
    table_name = table_of(monitored_table).outputs["name"]
    *metrics, total = alarm.inputs["metricQueries"]

    assert alarm.inputs["name"] == f"table-test-{suffix}", alarm
    assert [query["metric"]["dimensions"] for query in metrics] == [
        {"TableName": table_name, "Operation": operation} for operation in OPERATIONS
    ], alarm
    for query in metrics:
        assert query["metric"]["namespace"] == "AWS/DynamoDB", alarm
        assert query["metric"]["metricName"] == metric, alarm
        assert (query["metric"]["stat"], query["metric"]["period"]) == ("Sum", 120), alarm
        assert query["returnData"] is False, alarm
    assert (total["expression"], total["returnData"]) == ("SUM(METRICS())", True), alarm
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert "period" not in alarm.inputs, alarm


def test_the_tables_alarms_tell_the_topic_both_ways_and_ignore_missing_data(monitored_table):
    alarms = monitored_table.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")

    assert len(alarms) == 2
    for alarm in alarms:
        assert (alarm.inputs["alarmActions"], alarm.inputs["okActions"]) == ([TOPIC], [TOPIC]), alarm
        assert alarm.inputs["treatMissingData"] == "notBreaching", alarm
        assert alarm.parent == monitored_table.one("users-items:index:SingleTable").urn, alarm


def test_a_key_value_table_has_a_partition_key_only_and_can_skip_point_in_time_recovery():
    deployment = single_table(
        keys=TableKeys(
            partition_key=table_schema.IDEMPOTENCY_KEY,
            sort_key=None,
            attribute_types=table_schema.IDEMPOTENCY_KEY_ATTRIBUTE_TYPES,
            ttl_attribute=table_schema.IDEMPOTENCY_TTL_ATTRIBUTE,
        ),
        protection=DataProtection(point_in_time_recovery=False),
    )
    table = table_of(deployment)

    assert table.inputs["hashKey"] == table_schema.IDEMPOTENCY_KEY, table
    assert "rangeKey" not in table.inputs, table
    assert table.inputs["pointInTimeRecovery"] == {"enabled": False}, table
    assert deployment.outputs["indexArns"] == []


def test_local_indexes_without_a_sort_key_are_refused():
    with pytest.raises(ValueError, match="sort key"):
        runtime_keys(sort_key=None, attribute_types={"PK": "S", "statusSK": "S"})


def test_alarms_without_operations_are_refused():
    with pytest.raises(ValueError, match="operations"):
        SingleTableArgs(keys=runtime_keys(), alarms=AlarmOptions(topic_arn=TOPIC))


def test_the_alarm_thresholds_follow_their_options():
    deployment = single_table(
        alarms=AlarmOptions(topic_arn=TOPIC),
        operations=OPERATIONS,
        alarm_thresholds=TableAlarmThresholds(throttled_requests=5, system_errors=2),
    )

    assert alarm_named(deployment, "throttled-requests").inputs["threshold"] == 5
    assert alarm_named(deployment, "system-errors").inputs["threshold"] == 2


@pytest.mark.parametrize("thresholds", [{"throttled_requests": 0}, {"system_errors": 0}])
def test_an_alarm_threshold_below_one_is_refused(thresholds):
    with pytest.raises(ValueError, match="at least 1"):
        TableAlarmThresholds(**thresholds)
