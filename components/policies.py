"""Every IAM, KMS, SNS topic, SQS queue and VPC endpoint policy document of the stack, in one place to review.

Pure functions from ARNs to JSON documents (no resources here): the components attach them, and
the tests read each one whole and run parliament over it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from runtime import permissions


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def lambda_trust_policy() -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    return _document(statement)


def vpc_access_policy() -> str:
    """What `AWSLambdaVPCAccessExecutionRole` grants for the network and the ENI-management
    policy lacks: AWS added `ec2:DescribeSubnets` to it in 2024 (its version 3). The action
    takes no resource scoping, so `*`: it lists subnets, changes nothing."""
    statement = {"Sid": "DescribeSubnets", "Effect": "Allow", "Action": "ec2:DescribeSubnets", "Resource": "*"}
    return _document(statement)


def function_logs_policy(log_group_arn: str) -> str:
    """Write log streams in the function's own log group, which the stack creates, and no other."""
    statement = {
        "Sid": "OwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:*",
    }
    return _document(statement)


def table_access_policy(grants: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> str:
    """One statement per table, `(sid, actions, resources)`: its actions on it and its indexes,
    none on another table."""
    return _document(
        *(
            {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
            for sid, actions, resources in grants
        )
    )


def endpoint_policy(table_arns: Sequence[str], actions: Sequence[str]) -> str:
    """Anyone in the VPC may use these actions on these tables and their indexes, and nothing else."""
    resources = [resource for arn in table_arns for resource in (arn, f"{arn}/index/*")]
    statement = {
        "Sid": "OnlyTheseTables",
        "Effect": "Allow",
        "Principal": "*",
        "Action": sorted(actions),
        "Resource": resources,
    }
    return _document(statement)


def flow_logs_trust_policy(partition: str, region: str, account_id: str) -> str:
    """Only the flow-logs service, acting for this account's flow logs (no confused deputy)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
        },
    }
    return _document(statement)


def flow_logs_policy(log_group_arn: str) -> str:
    """Write to its own log group, which the stack creates, and nowhere else; find it by listing."""
    own_group = {
        "Sid": "OwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "Resource": [log_group_arn, f"{log_group_arn}:*"],
    }
    # The delivery service lists log groups to find its destination (in AWS's documented minimum
    # for the role). The action takes no resource scoping, so `*`: it reveals names, writes nothing.
    find_group = {"Sid": "FindLogGroup", "Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}
    return _document(own_group, find_group)


def _account_administers_key(partition: str, account_id: str) -> dict[str, Any]:
    """KMS's default key policy statement: the account's IAM policies decide who uses the key.
    Without it the key could become unmanageable."""
    return {
        "Sid": "AccountAdministersTheKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def alarm_topic_key_policy(partition: str, region: str, account_id: str) -> str:
    """The account administers the key through IAM (the default key policy: without it the key
    could become unmanageable); CloudWatch may only encrypt for the topic with it, acting for
    this account's alarms in this region.

    In a key policy `"Resource": "*"` means this key and nothing else."""
    administer = _account_administers_key(partition, account_id)
    # The statement AWS documents for alarms on encrypted topics (Knowledge Center, "configure a
    # CloudWatch alarm with an encrypted SNS topic"), which also shows it narrowed by the request's
    # source context. Narrowed here to this account's alarms in this region (`aws:SourceAccount`,
    # and the alarm as `aws:SourceArn`), so CloudWatch acting for anyone else's alarm cannot use
    # the key. It lets CloudWatch encrypt messages, not read anything.
    cloudwatch = {
        "Sid": "CloudWatchAlarmsPublishToTheTopic",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:*"},
        },
    }
    return _document(administer, cloudwatch)


# What Lambda's poller does on the table's stream with the relay's role, as AWS's DynamoDB Streams
# example policy lists it; ListStreams is apart below: it takes no resource scoping.
STREAM_READ_ACTIONS: tuple[str, ...] = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


def events_topic_key_policy(partition: str, account_id: str) -> str:
    """Only the account's IAM policies decide who uses the events topic's key: the relay's role
    (through SNS) and nobody else is granted it. The queues subscribed to the topic are encrypted
    with SQS-managed keys, so SNS needs no grant on this key to deliver to them."""
    return _document(_account_administers_key(partition, account_id))


def events_topic_policy(
    topic_arn: str, relay_role_arn: str, *, partition: str = "aws", subscriber_accounts: Sequence[str] = ()
) -> str:
    """Only the relay publishes, and only over TLS. The topic carries the service's domain events
    to other teams: a message from anyone else would be a forged event. Principals of
    `subscriber_accounts` may subscribe queues and functions (their own IAM policies permitting)."""
    relay_publishes = {
        "Sid": "RelayPublishes",
        "Effect": "Allow",
        "Principal": {"AWS": relay_role_arn},
        "Action": list(permissions.RELAY_SNS_ACTIONS),
        "Resource": topic_arn,
    }
    nobody_else_publishes = {
        "Sid": "NobodyElsePublishes",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(permissions.RELAY_SNS_ACTIONS),
        "Resource": topic_arn,
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": relay_role_arn}},
    }
    # AWS's documented statement for encryption in transit on a topic.
    tls_only = {
        "Sid": "PublishOverTlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(permissions.RELAY_SNS_ACTIONS),
        "Resource": topic_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    statements = [relay_publishes, nobody_else_publishes, tls_only]
    if subscriber_accounts:
        statements.append(
            {
                "Sid": "OtherAccountsSubscribe",
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in subscriber_accounts]},
                "Action": "sns:Subscribe",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"sns:Protocol": ["sqs", "lambda"]}},
            }
        )
    return _document(*statements)


def topic_delivery_queue_policy(queue_arn: str, topic_arn: str) -> str:
    """SNS may send to the queue what this topic delivers, and nothing else's (no confused deputy)."""
    statement = {
        "Sid": "TopicDelivers",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }
    return _document(statement)


def _stream_reader(table_arn: str) -> list[dict[str, Any]]:
    """What a function reading this table's stream through an event source mapping needs: stream
    reads are not data actions, so it reads no item."""
    read_stream = {
        "Sid": "ReadTheTablesStream",
        "Effect": "Allow",
        "Action": list(STREAM_READ_ACTIONS),
        "Resource": f"{table_arn}/stream/*",
    }
    # In AWS's list of what the stream poller needs. It takes no resource scoping, so `*`: it
    # lists stream ARNs, reads no record.
    list_streams = {"Sid": "ListStreams", "Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"}
    return [read_stream, list_streams]


def _sends_to_its_dead_letters(dead_letter_queue_arn: str) -> dict[str, Any]:
    """Lambda (a mapping's on-failure destination) or Scheduler sends what failed with the role."""
    return {
        "Sid": "SendToItsDeadLetterQueue",
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Resource": dead_letter_queue_arn,
    }


def stream_relay_policy(
    *, table_arn: str, topic_arn: str, key_arn: str, dead_letter_queue_arn: str, region: str
) -> str:
    """The relay reads this table's stream (not its items: stream reads are not data actions),
    publishes to this topic with its key, and sends what it cannot relay to its own queue."""
    publish = {
        "Sid": "PublishToTheTopic",
        "Effect": "Allow",
        "Action": list(permissions.RELAY_SNS_ACTIONS),
        "Resource": topic_arn,
    }
    # What a publisher to an encrypted topic needs, only as SNS uses the key for it.
    use_key = {
        "Sid": "EncryptForTheTopic",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
    }
    return _document(*_stream_reader(table_arn), publish, use_key, _sends_to_its_dead_letters(dead_letter_queue_arn))


def scheduler_trust_policy(account_id: str, schedule_group_arn: str) -> str:
    """Only EventBridge Scheduler, acting for this account's schedules in the stack's group (no
    confused deputy: `aws:SourceAccount` and `aws:SourceArn`). Scheduler's `aws:SourceArn` is the
    schedule group's ARN; AWS says not to scope it to a schedule or a name prefix."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "scheduler.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnEquals": {"aws:SourceArn": schedule_group_arn},
        },
    }
    return _document(statement)


def scheduler_policy(*, function_arn: str, dead_letter_queue_arn: str) -> str:
    """A schedule invokes the reminders function and nothing else, and sends what it could not
    deliver to its dead-letter queue (Scheduler uses the schedule's role for both)."""
    invoke = {
        "Sid": "InvokeTheRemindersFunction",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn,
    }
    return _document(invoke, _sends_to_its_dead_letters(dead_letter_queue_arn))


def relay_schedules_policy(*, schedules_arn: str, scheduler_role_arn: str) -> str:
    """The relay creates, moves and deletes schedules in the stack's group only, and hands them the
    scheduler's role only, and only to Scheduler."""
    manage = {
        "Sid": "ManageTheItemsSchedules",
        "Effect": "Allow",
        "Action": list(permissions.RELAY_SCHEDULER_ACTIONS),
        "Resource": schedules_arn,
    }
    pass_role = {
        "Sid": "PassTheSchedulersRole",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": scheduler_role_arn,
        "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
    }
    return _document(manage, pass_role)


def notifier_policy(
    *, table_arn: str, identity_arns: Sequence[str], configuration_set_arn: str, sender: str, dead_letter_queue_arn: str
) -> str:
    """The notifier reads the table's stream (no item: stream reads are not data actions), sends
    from the configured identity only, with the stack's configuration set, and sends the batches
    it could not handle to its own queue."""
    # SendEmail is authorised on the identity and on the configuration set it names.
    send = {
        "Sid": "SendFromTheConfiguredIdentity",
        "Effect": "Allow",
        "Action": list(permissions.NOTIFIER_SES_ACTIONS),
        "Resource": [*identity_arns, configuration_set_arn],
        "Condition": {"StringEquals": {"ses:FromAddress": sender}},
    }
    return _document(*_stream_reader(table_arn), send, _sends_to_its_dead_letters(dead_letter_queue_arn))


def websocket_pusher_policy(queue_statement: dict[str, Any], connections_arn: str) -> str:
    """The pusher reads its own queue (`queue_statement`, components.event_queue's) and posts to
    the connections of its WebSocket API's stage: `connections_arn` is
    `arn:…:execute-api:<region>:<account>:<api id>/<stage>/POST/@connections/*`, no other API,
    stage or method."""
    manage = {
        "Sid": "PostToItsConnections",
        "Effect": "Allow",
        "Action": permissions.MANAGE_CONNECTIONS_ACTION,
        "Resource": connections_arn,
    }
    return _document(queue_statement, manage)


def _prefix_resources(bucket_arn: str, prefixes: Sequence[str], action: str) -> list[str]:
    """ListBucket is on the bucket (its prefix goes in a condition); object actions on keys."""
    return [bucket_arn] if action == "s3:ListBucket" else [f"{bucket_arn}/{prefix}*" for prefix in prefixes]


def s3_grant_statements(sid: str, bucket_arn: str, grants: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """One statement per action of `grants` (S3 action -> key prefixes), on exactly those keys."""
    statements = []
    for action, prefixes in sorted(grants.items()):
        statement: dict[str, Any] = {
            "Sid": f"{sid}{action.removeprefix('s3:')}",
            "Effect": "Allow",
            "Action": action,
            "Resource": _prefix_resources(bucket_arn, prefixes, action),
        }
        if action == "s3:ListBucket":
            statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in prefixes]}}
        statements.append(statement)
    return statements


def s3_access_policy(bucket_arn: str, grants: Mapping[str, Sequence[str]], *extra: dict[str, Any]) -> str:
    return _document(*s3_grant_statements("Attachments", bucket_arn, grants), *extra)


def tls_only_bucket_policy(bucket_arn: str) -> str:
    """AWS's documented statement for encryption in transit: any request over plain HTTP is denied."""
    statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return _document(statement)


def s3_endpoint_policy(bucket_arn: str, actions: Sequence[str]) -> str:
    """Anyone in the VPC may use these actions on this bucket and its objects, and nothing else."""
    statement = {
        "Sid": "OnlyTheAttachmentsBucket",
        "Effect": "Allow",
        "Principal": "*",
        "Action": sorted(actions),
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
    }
    return _document(statement)


def bucket_notification_queue_policy(queue_arn: str, bucket_arn: str, account_id: str) -> str:
    """S3 may send this bucket's notifications to the queue, and no other bucket's (no confused deputy)."""
    statement = {
        "Sid": "BucketNotifies",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": bucket_arn}, "StringEquals": {"aws:SourceAccount": account_id}},
    }
    return _document(statement)


def access_log_bucket_policy(log_bucket_arn: str, source_bucket_arn: str, account_id: str) -> str:
    """S3's logging service writes the source bucket's access logs, and nothing else writes; TLS only."""
    logging_writes = {
        "Sid": "S3ServerAccessLogsWrite",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{log_bucket_arn}/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_bucket_arn},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }
    tls_only = json.loads(tls_only_bucket_policy(log_bucket_arn))["Statement"]
    return _document(logging_writes, *tls_only)
