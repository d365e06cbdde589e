"""The attachments as each stack deploys them: the bucket's settings, the S3 endpoint, the
functions' S3 and table grants, the processor and cleanup inside the VPC, their queues, DLQs and
alarms (the API's own S3 calls are presigned: `test_attachments_api.py` checks the policy)."""

from __future__ import annotations

import json

import pytest

from runtime import permissions
from runtime.attachments import CLEANUP_EVENT_TYPES
from runtime.attachments.keys import PENDING_PREFIX, READY_PREFIX
from runtime.config import ATTACHMENT_CLEANUP_ENVIRONMENT, ATTACHMENT_PROCESSOR_ENVIRONMENT
from tests.infra.pulumi_mocks import Deployment, Registered, policy_of
from tests.infra.stacks import API_FUNCTION, ATTACHMENT_BUCKET, ATTACHMENT_STORE, NETWORK, named
from tests.infra.test_contracts import MAIN_TABLE, table_named
from tests.infra.test_domain_events import inline_statements

WORKERS = ("processor", "cleanup")


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> Deployment:
    """Each stack, deployed once for the module (the shared `dev` and `prod` fixtures)."""
    return request.getfixturevalue(request.param)


def bucket(deployment: Deployment) -> Registered:
    return named(deployment, "aws:s3/bucket:Bucket", ATTACHMENT_BUCKET)


def setting(deployment: Deployment, kind: str, name: str = ATTACHMENT_BUCKET) -> Registered:
    return named(deployment, f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}", name)


def worker(deployment: Deployment, role: str) -> Registered:
    return named(deployment, "aws:lambda/function:Function", f"{ATTACHMENT_STORE}-{role}")


def s3_grants(deployment: Deployment, function: Registered) -> dict[str, list[str]]:
    """S3 action -> the resources the function's role allows it on."""
    grants: dict[str, list[str]] = {}
    for statement in inline_statements(deployment, function):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            if action.startswith("s3:") or action == "*":
                grants.setdefault(action, []).extend(statement["Resource"])
    return grants


def expected_grants(bucket_arn: str, grants: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {
        action: [bucket_arn] if action == "s3:ListBucket" else [f"{bucket_arn}/{prefix}*" for prefix in prefixes]
        for action, prefixes in grants.items()
    }


def test_the_bucket_is_private_owner_enforced_encrypted_and_tls_only(stack):
    block = setting(stack, "BucketPublicAccessBlock").inputs
    arn = bucket(stack).outputs["arn"]

    assert all(
        block[key] for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert setting(stack, "BucketOwnershipControls").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    rule = setting(stack, "BucketServerSideEncryptionConfiguration").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert policy_of(setting(stack, "BucketPolicy"))["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def lifecycle_rules(deployment: Deployment) -> dict[str, dict]:
    return {rule["id"]: rule for rule in setting(deployment, "BucketLifecycleConfiguration").inputs["rules"]}


def test_the_lifecycle_aborts_multipart_uploads_expires_unchecked_ones_and_tiers_the_checked(stack):
    rules = lifecycle_rules(stack)

    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    assert rules["expire-unchecked-uploads"]["filter"] == {"prefix": PENDING_PREFIX}
    assert rules["expire-unchecked-uploads"]["expiration"] == {"days": 1}
    assert rules["ready-to-intelligent-tiering"]["filter"] == {"prefix": READY_PREFIX}
    assert rules["ready-to-intelligent-tiering"]["transitions"] == [{"days": 0, "storageClass": "INTELLIGENT_TIERING"}]
    assert all(rule["status"] == "Enabled" for rule in rules.values())


def test_prod_versions_the_bucket_expires_noncurrent_versions_and_logs_access(prod):
    versioning = setting(prod, "BucketVersioning")
    noncurrent = lifecycle_rules(prod)["expire-noncurrent-versions"]
    logging = setting(prod, "BucketLogging")
    log_bucket = named(prod, "aws:s3/bucket:Bucket", f"{ATTACHMENT_BUCKET}-access-logs")

    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert noncurrent["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert versioning.urn in setting(prod, "BucketLifecycleConfiguration").dependencies
    assert (logging.inputs["bucket"], logging.inputs["targetBucket"]) == (bucket(prod).id, log_bucket.id)
    log_policy = policy_of(setting(prod, "BucketPolicy", f"{ATTACHMENT_BUCKET}-access-logs"))
    assert log_policy["Statement"][0]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert log_policy["Statement"][0]["Condition"]["ArnLike"] == {"aws:SourceArn": bucket(prod).outputs["arn"]}


def test_dev_keeps_no_versions_and_no_access_logs(dev):
    assert not dev.of_type("aws:s3/bucketVersioning:BucketVersioning")
    assert not dev.of_type("aws:s3/bucketLogging:BucketLogging")
    assert "expire-noncurrent-versions" not in lifecycle_rules(dev)


def test_cors_lets_the_configured_origins_upload_and_download(dev):
    (rule,) = setting(dev, "BucketCorsConfiguration").inputs["corsRules"]

    assert rule["allowedOrigins"] == ["http://localhost:3000", "http://localhost:5173"]
    assert sorted(rule["allowedMethods"]) == ["GET", "POST"]


def test_the_s3_endpoint_is_on_every_private_route_table_and_lets_through_this_bucket_only(stack):
    endpoint = named(stack, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{NETWORK}-s3")
    arn = bucket(stack).outputs["arn"]
    tables = [table.id for table in stack.of_type("aws:ec2/routeTable:RouteTable")]
    group = named(stack, "aws:ec2/securityGroup:SecurityGroup", f"{NETWORK}-lambda")

    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert sorted(endpoint.inputs["routeTableIds"]) == sorted(tables)
    assert policy_of(endpoint)["Statement"] == [
        {
            "Sid": "OnlyTheAttachmentsBucket",
            "Effect": "Allow",
            "Principal": "*",
            "Action": sorted(permissions.ATTACHMENT_S3_ACTIONS),
            "Resource": [arn, f"{arn}/*"],
        }
    ]
    assert [endpoint.outputs["prefixListId"]] in [rule["prefixListIds"] for rule in group.inputs["egress"]]


def test_the_api_role_may_exactly_put_uploads_and_get_checked_files(stack):
    api = named(stack, "aws:lambda/function:Function", API_FUNCTION)
    arn = bucket(stack).outputs["arn"]

    assert s3_grants(stack, api) == {
        "s3:PutObject": [f"{arn}/{PENDING_PREFIX}*"],
        "s3:GetObject": [f"{arn}/{READY_PREFIX}*"],
    }


@pytest.mark.parametrize(
    ("role", "grants"), [("processor", permissions.PROCESSOR_S3_GRANTS), ("cleanup", permissions.CLEANUP_S3_GRANTS)]
)
def test_each_worker_holds_exactly_its_declared_s3_grants(stack, role, grants):
    function = worker(stack, role)

    assert s3_grants(stack, function) == expected_grants(bucket(stack).outputs["arn"], grants)


def test_the_cleanup_lists_only_the_attachment_prefix_and_reads_no_table(stack):
    function = worker(stack, "cleanup")
    statements = inline_statements(stack, function)
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")

    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["attachments/*"]}}
    assert not [s for s in statements if str(s["Action"]).count("dynamodb:")]


def test_the_processor_reads_and_settles_items_on_the_table_only(stack):
    table = table_named(stack, MAIN_TABLE)
    function = worker(stack, "processor")
    grants = [s for s in inline_statements(stack, function) if "dynamodb:" in json.dumps(s["Action"])]

    assert [(sorted(s["Action"]), s["Resource"]) for s in grants] == [
        (sorted(permissions.PROCESSOR_DYNAMODB_ACTIONS), [table.outputs["arn"]])
    ]


@pytest.mark.parametrize("role", WORKERS)
def test_both_workers_run_in_the_private_subnets(stack, role):
    function = worker(stack, role)
    subnets = sorted(subnet.id for subnet in stack.of_type("aws:ec2/subnet:Subnet"))

    assert sorted(function.inputs["vpcConfig"]["subnetIds"]) == subnets


def test_each_worker_gets_exactly_its_declared_environment(stack):
    for role, declared in (
        ("processor", ATTACHMENT_PROCESSOR_ENVIRONMENT),
        ("cleanup", ATTACHMENT_CLEANUP_ENVIRONMENT),
    ):
        variables = worker(stack, role).inputs["environment"]["variables"]
        assert set(variables) == {variable.name for variable in declared}, role
    cleanup = worker(stack, "cleanup").inputs["environment"]["variables"]
    assert cleanup["ATTACHMENTS_BUCKET"] == bucket(stack).outputs["bucket"]


def test_uploads_of_the_pending_prefix_notify_the_uploads_queue_which_only_the_bucket_may_send_to(stack):
    notification = named(stack, "aws:s3/bucketNotification:BucketNotification", f"{ATTACHMENT_STORE}-uploads")
    queue = named(stack, "aws:sqs/queue:Queue", f"{ATTACHMENT_STORE}-uploads")
    queue_policy = policy_of(named(stack, "aws:sqs/queuePolicy:QueuePolicy", f"{ATTACHMENT_STORE}-uploads"))

    assert notification.inputs["bucket"] == bucket(stack).outputs["bucket"]
    assert notification.inputs["queues"] == [
        {"queueArn": queue.outputs["arn"], "events": ["s3:ObjectCreated:*"], "filterPrefix": PENDING_PREFIX}
    ]
    assert queue_policy["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert queue_policy["Statement"][0]["Condition"]["ArnEquals"] == {"aws:SourceArn": bucket(stack).outputs["arn"]}


@pytest.mark.parametrize("queue_name", ["uploads", "cleanup"])
def test_each_queue_has_a_dead_letter_queue_and_feeds_its_worker_with_partial_failures(stack, queue_name):
    queue = named(stack, "aws:sqs/queue:Queue", f"{ATTACHMENT_STORE}-{queue_name}")
    dead_letters = named(stack, "aws:sqs/queue:Queue", f"{ATTACHMENT_STORE}-{queue_name}-dlq")
    role = "processor" if queue_name == "uploads" else "cleanup"
    mapping = named(stack, "aws:lambda/eventSourceMapping:EventSourceMapping", f"{ATTACHMENT_STORE}-{role}")

    assert json.loads(queue.inputs["redrivePolicy"])["deadLetterTargetArn"] == dead_letters.outputs["arn"]
    assert queue.inputs["visibilityTimeoutSeconds"] >= worker(stack, role).inputs["timeout"]
    assert (mapping.inputs["eventSourceArn"], mapping.inputs["functionName"]) == (
        queue.outputs["arn"],
        worker(stack, role).outputs["arn"],
    )
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_cleanup_queue_gets_only_the_events_whose_objects_must_go(stack):
    subscription = named(stack, "aws:sns/topicSubscription:TopicSubscription", f"{ATTACHMENT_STORE}-cleanup")

    assert json.loads(subscription.inputs["filterPolicy"]) == {"eventType": list(CLEANUP_EVENT_TYPES)}
    assert subscription.inputs["rawMessageDelivery"] is True


def test_the_alarms_watch_both_workers_and_both_queues(stack):
    alarms = {
        alarm.name.removeprefix(f"{ATTACHMENT_STORE}-"): alarm
        for alarm in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if alarm.name.startswith(f"{ATTACHMENT_STORE}-")
    }
    names = {role: worker(stack, role).outputs["name"] for role in WORKERS}
    queues = {
        suffix: named(stack, "aws:sqs/queue:Queue", f"{ATTACHMENT_STORE}-{suffix}").outputs["name"]
        for suffix in ("uploads", "uploads-dlq", "cleanup", "cleanup-dlq")
    }

    assert {name: alarm.inputs["dimensions"] for name, alarm in alarms.items()} == {
        "processor-errors": {"FunctionName": names["processor"]},
        "cleanup-errors": {"FunctionName": names["cleanup"]},
        "uploads-dlq-depth": {"QueueName": queues["uploads-dlq"]},
        "cleanup-dlq-depth": {"QueueName": queues["cleanup-dlq"]},
        "uploads-oldest-message-age": {"QueueName": queues["uploads"]},
        "cleanup-oldest-message-age": {"QueueName": queues["cleanup"]},
    }
