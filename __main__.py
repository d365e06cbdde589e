"""The stack: the whole backend, composed from its components.

    UserPool (Cognito) ──issues the JWTs its JWT authorizer checks──┐
                                                                     ▼
    client ──HTTPS + Bearer──▶ HttpLambdaApi: HTTP API ($default stage) ──▶ Lambda (runtime/
                                                                              sources, layer)
                                    │ runs in                                    │ reads and writes
                                    ▼                                            ▼
    PrivateNetwork: private subnets, no IGW / NAT ──gateway endpoint──▶ SingleTable (DynamoDB),
                                                                          and the idempotency table

    DomainEvents: SingleTable's stream ──event source mapping──▶ relay Lambda (outside the VPC:
    it reads only what Lambda hands it and calls only SNS) ──▶ events topic (SNS, KMS) ──▶
    integration queue (SQS); failures land in dead-letter queues.

    Reminders: the relay keeps one EventBridge Scheduler schedule per item due ──at(dueAt)──▶
    reminders Lambda (in the VPC: records the reminder once) ──reminder record on the stream──▶
    notifier Lambda (outside the VPC; only with `notificationSender` and an authorizer) ──▶ SES.

    RealtimeApi: the events topic ──its own queue──▶ pusher Lambda ──post_to_connection──▶ the
    event's user's clients on a WebSocket API (wss, the HTTP API's tokens checked on $connect by a
    REQUEST authorizer); connections in a table of their own. All outside the VPC, no user data.

    AttachmentBucket (S3) ◀──presigned POST / GET, signed by the API── client; PrivateNetwork's S3
    gateway endpoint lets the functions reach it. AttachmentStore: the bucket's uploads ──SQS──▶
    processor (in the VPC: checks them, READY or REJECTED in the table); item.deleted and
    attachment.removed events ──SQS──▶ cleanup (in the VPC: deletes their objects).

    AlarmTopic (SNS, or an existing topic from `alarmTopicArn`) ◀── the alarms HttpLambdaApi,
    SingleTable and DomainEvents own; ServiceDashboard graphs the same metrics.

`build_stack` creates them in the order their outputs flow: the alarm topic (every component's
alarms notify it), the tables, the network (its DynamoDB endpoint names the tables), the user
pool, the API, the domain events, the dashboard; the exports come last, all in one place.

`authMode` picks the authorizer: `cognito` (the stack's own user pool, whose access tokens alone
get in, with the user's verified email added by its token-claims trigger), `jwt` (an issuer,
audiences and optional scopes from config) or `none` (every route open; refused for production
stacks).

Everything the runtime and the infrastructure must agree on comes from the runtime's pure
modules: the key schema (`runtime.table_schema`), the routes (`runtime.routes`), the environment
(`runtime.config`), the DynamoDB actions (`runtime.permissions`) and the stream's filter
(`runtime.events.stream_filter`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import lambda_artifacts, lambda_package, outputs, policies
from components.alarm_topic import AlarmTopic, AlarmTopicArgs
from components.alarms import AlarmOptions
from components.attachment_bucket import AccessLogOptions, AttachmentBucket, AttachmentBucketArgs, BucketVersioning
from components.attachment_store import AttachmentStore, AttachmentStoreArgs, WorkerArgs
from components.domain_events import DomainEvents, DomainEventsArgs, RelayArgs, StreamSource
from components.function_package import FunctionPackage
from components.http_lambda_api import AlarmThresholds, ApiOptions, HttpLambdaApi, HttpLambdaApiArgs, JwtAuthorizerArgs
from components.lambda_function import FunctionCode, FunctionNetwork, FunctionOptions, TableAccess
from components.private_network import (
    DynamoDbEndpointAccess,
    FlowLogOptions,
    NetworkLayout,
    PrivateNetwork,
    PrivateNetworkArgs,
    S3EndpointAccess,
)
from components.realtime_api import RealtimeApi, RealtimeApiArgs, RealtimeCode, TokenRules
from components.reminders import NotifierArgs, Reminders, RemindersArgs, RemindersFunctionArgs
from components.service_dashboard import EventsMetrics, ServiceDashboard, ServiceDashboardArgs
from components.single_table import DataProtection, SingleTable, SingleTableArgs, TableAlarmThresholds, TableKeys
from components.stack_config import StackConfig
from components.user_pool import SIGNIN_SCOPE, TokenClaimsTriggerArgs, UserPool, UserPoolArgs
from runtime import config as runtime_config
from runtime import permissions, table_schema
from runtime.config import EnvironmentVariable
from runtime.events import stream_mapping
from runtime.events.stream_filter import NOTIFIER_FILTER_PATTERNS, STREAM_FILTER_PATTERNS
from runtime.routes import ROUTES

PROJECT_ROOT = Path(__file__).resolve().parent
NAME = "users-items"
# The relay's name on its log lines, traces and metrics.
RELAY_SERVICE_NAME = "users-items-relay"
REMINDERS_SERVICE_NAME = "users-items-reminders"
NOTIFIER_SERVICE_NAME = "users-items-notifier"

# The WebSocket functions' (authorizer, routes, pusher).
REALTIME_SERVICE_NAME = "users-items-realtime"

# The attachment processor's and cleanup's.
ATTACHMENTS_SERVICE_NAME = "users-items-attachments"


def build_stack(config: StackConfig, artifacts: lambda_artifacts.Artifacts) -> dict[str, pulumi.Output[object]]:
    """Create every resource, the functions from `artifacts` (`make package`); return the stack
    outputs by their exported names."""
    alarms = create_alarm_topic(config)
    table, idempotency_table = create_tables(config, alarms)
    table_access = [
        TableAccess(
            sid="TableAndIndexes",
            table_arn=table.arn,
            index_arns=table.index_arns,
            actions=permissions.DYNAMODB_ACTIONS,
        ),
        TableAccess(
            sid="IdempotencyTable", table_arn=idempotency_table.arn, actions=permissions.IDEMPOTENCY_TABLE_ACTIONS
        ),
    ]
    attachment_bucket = create_attachment_bucket(config)
    network = create_network(config, table_access, attachment_bucket)

    # The one place the functions' code comes in: `make package`'s archive of the runtime for every
    # function, and its dependency layer for those that import more than the standard library.
    region = aws.get_region_output().region
    package = FunctionPackage(NAME, artifacts)
    api_code = package.code(lambda_package.HANDLER)
    trigger_code = package.code(lambda_package.TOKEN_CLAIMS_HANDLER, dependencies=False)

    pool = create_user_pool(config, trigger_code) if config.auth_mode == "cognito" else None
    authorizer = create_authorizer(config, pool)
    function_options = FunctionOptions(
        memory_mb=config.lambda_memory_mb,
        timeout_seconds=config.lambda_timeout_seconds,
        log_retention_days=config.log_retention_days,
        reserved_concurrency=config.reserved_function_concurrency,
        snap_start=config.snap_start,
    )
    api = HttpLambdaApi(
        f"{NAME}-api",
        HttpLambdaApiArgs(
            code=api_code,
            routes=ROUTES,
            environment=function_environment(
                table.name, idempotency_table.name, attachment_environment(attachment_bucket.bucket_name, config)
            ),
            network=FunctionNetwork(
                subnet_ids=network.private_subnet_ids, security_group_ids=[network.lambda_security_group_id]
            ),
            dynamodb_tables=table_access,
            function=function_options,
            inline_policies=attachment_signing_policy(attachment_bucket),
            api=ApiOptions(
                throttling_burst_limit=config.throttling_burst_limit,
                throttling_rate_limit=config.throttling_rate_limit,
                cors_allowed_origins=config.cors_allowed_origins,
                jwt_authorizer=authorizer,
            ),
            alarms=alarms,
            alarm_thresholds=AlarmThresholds(
                errors=config.function_errors_alarm_threshold,
                server_errors=config.api_5xx_alarm_threshold,
                throttles=config.function_throttles_alarm_threshold,
                limit_warning_percent=config.alarm_limit_warning_percent,
            ),
        ),
    )
    reminders = create_reminders(config, table, network, package, alarms, with_authorizer=authorizer is not None)
    events = create_domain_events(config, table, package.code(lambda_package.STREAM_RELAY_HANDLER), alarms, reminders)
    realtime = create_realtime(config, package, events.topic_arn, authorizer, alarms)
    create_attachment_store(config, attachment_bucket, table, events, network, package, alarms)
    dashboard = ServiceDashboard(
        f"{NAME}-dashboard",
        ServiceDashboardArgs(
            api_id=api.api_id,
            stage_name=api.stage_name,
            function_name=api.function_name,
            table_name=table.name,
            function_options=function_options,
            events=EventsMetrics(
                relay_function_name=events.relay_function_name,
                relay_dead_letter_queue_name=events.relay_dead_letter_queue_name,
                queue_dead_letter_queue_name=events.queue_dead_letter_queue_name,
            ),
        ),
    )

    exported: dict[str, pulumi.Output[object]] = {
        outputs.API_URL: api.api_url,
        outputs.REGION: region,
        outputs.TABLE_NAME: table.name,
        outputs.TABLE_ARN: table.arn,
        outputs.FUNCTION_NAME: api.function_name,
        outputs.VPC_ID: network.vpc_id,
        outputs.PRIVATE_SUBNET_IDS: network.private_subnet_ids,
        outputs.DASHBOARD_URL: dashboard.url,
        outputs.EVENTS_TOPIC_ARN: events.topic_arn,
        outputs.EVENTS_QUEUE_URL: events.queue_url,
        outputs.WS_URL: realtime.ws_url,
    }
    if alarms:
        exported[outputs.ALARM_TOPIC_ARN] = pulumi.Output.from_input(alarms.topic_arn)
    if pool:
        exported[outputs.USER_POOL_ID] = pool.user_pool_id
        exported[outputs.USER_POOL_CLIENT_ID] = pool.client_id
    if authorizer:
        exported[outputs.JWT_ISSUER] = pulumi.Output.from_input(authorizer.issuer)
    return exported


def create_alarm_topic(config: StackConfig) -> AlarmOptions | None:
    """The topic the components' alarms notify (an existing one from `alarmTopicArn`, or the
    stack's own with an optional email), and how they evaluate; None with alarms off."""
    if not config.enable_alarms:
        return None
    topic_arn: pulumi.Output[str]
    if config.alarm_topic_arn:
        topic_arn = pulumi.Output.from_input(config.alarm_topic_arn)
    else:
        topic_arn = AlarmTopic(f"{NAME}-alarms", AlarmTopicArgs(email=config.alarm_email or None)).topic_arn
    return AlarmOptions(
        topic_arn=topic_arn,
        period_seconds=config.alarm_period_seconds,
        evaluation_periods=config.alarm_evaluation_periods,
        datapoints_to_alarm=config.alarm_datapoints_to_alarm,
    )


def create_tables(config: StackConfig, alarms: AlarmOptions | None) -> tuple[SingleTable, SingleTable]:
    """The users-and-items table and the idempotency table, keyed as the runtime's key schema says."""
    thresholds = TableAlarmThresholds(
        throttled_requests=config.table_throttles_alarm_threshold,
        system_errors=config.table_system_errors_alarm_threshold,
    )
    table = SingleTable(
        f"{NAME}-table",
        SingleTableArgs(
            keys=TableKeys(
                partition_key=table_schema.PARTITION_KEY,
                sort_key=table_schema.SORT_KEY,
                attribute_types=table_schema.KEY_ATTRIBUTE_TYPES,
                local_indexes=table_schema.LOCAL_INDEXES,
                ttl_attribute=table_schema.TTL_ATTRIBUTE,
            ),
            protection=DataProtection(
                deletion_protection=config.table_deletion_protection, protect=config.table_deletion_protection
            ),
            operations=permissions.TABLE_OPERATIONS,
            alarms=alarms,
            alarm_thresholds=thresholds,
            # The domain events' outbox: every change, with the item before and after it.
            stream_view_type=stream_mapping.STREAM_VIEW_TYPE,
        ),
    )
    idempotency_table = SingleTable(
        f"{NAME}-idempotency",
        SingleTableArgs(
            keys=TableKeys(
                partition_key=table_schema.IDEMPOTENCY_KEY,
                sort_key=None,
                attribute_types=table_schema.IDEMPOTENCY_KEY_ATTRIBUTE_TYPES,
                ttl_attribute=table_schema.IDEMPOTENCY_TTL_ATTRIBUTE,
            ),
            # Records live a day at most; a restored one would replay a stale response.
            protection=DataProtection(point_in_time_recovery=False),
            operations=permissions.IDEMPOTENCY_TABLE_OPERATIONS,
            alarms=alarms,
            alarm_thresholds=thresholds,
        ),
    )
    return table, idempotency_table


def create_network(
    config: StackConfig, tables: Sequence[TableAccess], attachment_bucket: AttachmentBucket
) -> PrivateNetwork:
    """Private subnets whose DynamoDB endpoint lets through what the function may do on its
    tables, and whose S3 endpoint what the functions may do on the attachments bucket; nothing else."""
    return PrivateNetwork(
        f"{NAME}-network",
        PrivateNetworkArgs(
            dynamodb=DynamoDbEndpointAccess(
                table_arns=[table.table_arn for table in tables],
                actions=sorted({action for table in tables for action in table.actions}),
            ),
            layout=NetworkLayout(
                cidr_block=config.vpc_cidr,
                availability_zone_count=config.availability_zone_count,
                availability_zone_ids=config.availability_zone_ids,
            ),
            flow_logs=FlowLogOptions(retention_days=config.log_retention_days) if config.enable_flow_logs else None,
            s3=S3EndpointAccess(bucket_arn=attachment_bucket.bucket_arn, actions=permissions.ATTACHMENT_S3_ACTIONS),
        ),
    )


def create_attachment_bucket(config: StackConfig) -> AttachmentBucket:
    """The attachments' bucket: versioned and access-logged where the stack's config says (prod)."""
    return AttachmentBucket(
        f"{NAME}-attachments",
        AttachmentBucketArgs(
            cors_allowed_origins=config.cors_allowed_origins,
            versioning=(
                BucketVersioning(noncurrent_days=config.attachment_noncurrent_version_days)
                if config.attachment_versioning
                else None
            ),
            access_logs=(
                AccessLogOptions(retention_days=config.log_retention_days) if config.attachment_access_logs else None
            ),
        ),
    )


def attachment_signing_policy(bucket: AttachmentBucket) -> dict[str, pulumi.Input[str]]:
    """The API's role signs the presigned uploads and downloads: it may do exactly what they do."""
    document = bucket.bucket_arn.apply(lambda arn: policies.s3_access_policy(arn, permissions.API_S3_GRANTS))
    return {"attachments": document}


def create_attachment_store(
    config: StackConfig,
    bucket: AttachmentBucket,
    table: SingleTable,
    events: DomainEvents,
    network: PrivateNetwork,
    package: FunctionPackage,
    alarms: AlarmOptions | None,
) -> AttachmentStore:
    """The attachments' arrival check and cleanup, in the VPC, fed by the bucket and the events."""
    service = {runtime_config.SERVICE_NAME.name: ATTACHMENTS_SERVICE_NAME}
    return AttachmentStore(
        f"{NAME}-attachments",
        AttachmentStoreArgs(
            bucket_name=bucket.bucket_name,
            bucket_arn=bucket.bucket_arn,
            table_arn=table.arn,
            events_topic_arn=events.topic_arn,
            network=FunctionNetwork(
                subnet_ids=network.private_subnet_ids, security_group_ids=[network.lambda_security_group_id]
            ),
            processor=WorkerArgs(
                code=package.code(lambda_package.ATTACHMENT_PROCESSOR_HANDLER),
                environment=declared_environment(
                    runtime_config.ATTACHMENT_PROCESSOR_ENVIRONMENT,
                    {runtime_config.TABLE_NAME.name: table.name, **service},
                ),
            ),
            cleanup=WorkerArgs(
                code=package.code(lambda_package.ATTACHMENT_CLEANUP_HANDLER),
                environment=declared_environment(
                    runtime_config.ATTACHMENT_CLEANUP_ENVIRONMENT,
                    {runtime_config.ATTACHMENTS_BUCKET.name: bucket.bucket_name, **service},
                ),
            ),
            options=FunctionOptions(timeout_seconds=30, log_retention_days=config.log_retention_days),
            alarms=alarms,
        ),
    )


def create_domain_events(
    config: StackConfig,
    table: SingleTable,
    relay_code: FunctionCode,
    alarms: AlarmOptions | None,
    reminders: Reminders,
) -> DomainEvents:
    """The table's stream relayed to the events topic by `relay_code`, outside the VPC; the relay
    also keeps the items' reminder schedules."""
    topic_variable = runtime_config.EVENTS_TOPIC_ARN.name
    schedules = {
        runtime_config.SCHEDULE_GROUP_NAME.name: reminders.schedule_group_name,
        runtime_config.REMINDERS_FUNCTION_ARN.name: reminders.reminders_function_arn,
        runtime_config.SCHEDULER_ROLE_ARN.name: reminders.scheduler_role_arn,
        runtime_config.SCHEDULES_DEAD_LETTER_QUEUE_ARN.name: reminders.schedules_dead_letter_queue_arn,
    }
    return DomainEvents(
        f"{NAME}-events",
        DomainEventsArgs(
            source=StreamSource(
                table_arn=table.arn, stream_arn=table.stream_arn, filter_patterns=STREAM_FILTER_PATTERNS
            ),
            relay=RelayArgs(
                code=relay_code,
                environment=declared_environment(
                    [variable for variable in runtime_config.RELAY_ENVIRONMENT if variable.name != topic_variable],
                    {runtime_config.SERVICE_NAME.name: RELAY_SERVICE_NAME, **schedules},
                ),
                topic_arn_variable=topic_variable,
                options=FunctionOptions(
                    log_retention_days=config.log_retention_days, timeout_seconds=stream_mapping.RELAY_TIMEOUT_SECONDS
                ),
                inline_policies={"schedules": reminders.relay_policy},
            ),
            subscriber_accounts=config.events_subscriber_accounts,
            alarms=alarms,
        ),
    )


def create_reminders(
    config: StackConfig,
    table: SingleTable,
    network: PrivateNetwork,
    package: FunctionPackage,
    alarms: AlarmOptions | None,
    *,
    with_authorizer: bool,
) -> Reminders:
    """The items' schedules' target in the VPC, and, with a sender and an authorizer, the notifier."""
    options = FunctionOptions(log_retention_days=config.log_retention_days)
    notifier = None
    if not config.notification_sender:
        pulumi.log.info("notifications are off: no notificationSender is configured, so no reminder is emailed")
    elif not with_authorizer:
        pulumi.log.warn(
            "notifications are off: a stack without an authorizer never sends email (anyone could make it mail"
            " any address), whatever notificationSender says"
        )
    else:
        sender_variable = runtime_config.NOTIFICATION_SENDER.name
        configuration_set_variable = runtime_config.SES_CONFIGURATION_SET.name
        notifier = NotifierArgs(
            code=package.code(lambda_package.NOTIFIER_HANDLER),
            sender=config.notification_sender,
            environment=declared_environment(
                [
                    variable
                    for variable in runtime_config.NOTIFIER_ENVIRONMENT
                    if variable.name not in (sender_variable, configuration_set_variable)
                ],
                {runtime_config.SERVICE_NAME.name: NOTIFIER_SERVICE_NAME},
            ),
            sender_variable=sender_variable,
            configuration_set_variable=configuration_set_variable,
            stream=StreamSource(
                table_arn=table.arn, stream_arn=table.stream_arn, filter_patterns=NOTIFIER_FILTER_PATTERNS
            ),
            options=options,
        )
    return Reminders(
        f"{NAME}-reminders",
        RemindersArgs(
            reminders=RemindersFunctionArgs(
                code=package.code(lambda_package.REMINDERS_HANDLER),
                network=FunctionNetwork(
                    subnet_ids=network.private_subnet_ids, security_group_ids=[network.lambda_security_group_id]
                ),
                table=TableAccess(
                    sid="TableAndIndexes", table_arn=table.arn, actions=permissions.REMINDERS_DYNAMODB_ACTIONS
                ),
                environment=declared_environment(
                    runtime_config.REMINDERS_ENVIRONMENT,
                    {
                        runtime_config.TABLE_NAME.name: table.name,
                        runtime_config.SERVICE_NAME.name: REMINDERS_SERVICE_NAME,
                    },
                ),
                options=options,
            ),
            notifier=notifier,
            alarms=alarms,
        ),
    )


def create_realtime(
    config: StackConfig,
    package: FunctionPackage,
    topic_arn: pulumi.Input[str],
    authorizer: JwtAuthorizerArgs | None,
    alarms: AlarmOptions | None,
) -> RealtimeApi:
    """The WebSocket API pushing the topic's events to their users, which accepts the HTTP API's
    tokens (a Cognito pool's access tokens only), or `?userId=` when the HTTP API has no authorizer."""
    rules = None
    if authorizer:
        rules = TokenRules(
            issuer=authorizer.issuer,
            audiences=authorizer.audiences,
            required_scopes=authorizer.required_scopes,
            token_use="access" if config.auth_mode == "cognito" else None,
        )
    return RealtimeApi(
        f"{NAME}-realtime",
        RealtimeApiArgs(
            code=RealtimeCode(
                authorizer=package.code(lambda_package.WEBSOCKET_AUTHORIZER_HANDLER),
                routes=package.code(lambda_package.WEBSOCKET_ROUTES_HANDLER),
                pusher=package.code(lambda_package.WEBSOCKET_PUSHER_HANDLER),
            ),
            events_topic_arn=topic_arn,
            token_rules=rules,
            service_name=REALTIME_SERVICE_NAME,
            function=FunctionOptions(log_retention_days=config.log_retention_days),
            throttling_burst_limit=config.throttling_burst_limit,
            throttling_rate_limit=config.throttling_rate_limit,
            alarms=alarms,
        ),
    )


def create_authorizer(config: StackConfig, pool: UserPool | None) -> JwtAuthorizerArgs | None:
    """Who issues the tokens the API accepts: the stack's own user pool, a configured issuer, or
    nobody (`none`: every route open)."""
    if pool is not None:
        # Access tokens only: ID tokens carry the same audience but no scope.
        return JwtAuthorizerArgs(issuer=pool.issuer, audiences=[pool.client_id], required_scopes=[SIGNIN_SCOPE])
    if config.auth_mode == "jwt":
        return JwtAuthorizerArgs(
            issuer=config.jwt_issuer,
            audiences=list(config.jwt_audiences),
            required_scopes=list(config.jwt_required_scopes),
        )
    return None


def create_user_pool(config: StackConfig, trigger_code: FunctionCode) -> UserPool:
    """The stack's own user pool; with `accessTokenEmailClaims`, its access tokens carry the user's
    verified email (the pre-token-generation trigger, running `trigger_code`)."""
    trigger = None
    if config.access_token_email_claims:
        trigger = TokenClaimsTriggerArgs(code=trigger_code, log_retention_days=config.log_retention_days)
    return UserPool(
        f"{NAME}-auth",
        UserPoolArgs(
            deletion_protection=config.user_pool_deletion_protection,
            token_claims_trigger=trigger,
            email_identity_arn=config.user_pool_email_identity_arn or None,
        ),
    )


def function_environment(
    table_name: pulumi.Input[str],
    idempotency_table_name: pulumi.Input[str],
    attachment_variables: Mapping[str, pulumi.Input[str]],
) -> dict[str, pulumi.Input[str]]:
    """Exactly the variables the runtime declares: the tables' names, the attachments' variables
    (`attachment_environment`), and the declared defaults."""
    provided = {
        runtime_config.TABLE_NAME.name: table_name,
        runtime_config.IDEMPOTENCY_TABLE_NAME.name: idempotency_table_name,
        **attachment_variables,
    }
    return declared_environment(runtime_config.FUNCTION_ENVIRONMENT, provided)


def attachment_environment(bucket_name: pulumi.Input[str], config: StackConfig) -> dict[str, pulumi.Input[str]]:
    """The API's attachment variables: the bucket, and the limits of the config."""
    return {
        runtime_config.ATTACHMENTS_BUCKET.name: bucket_name,
        runtime_config.MAX_ATTACHMENT_BYTES.name: str(config.max_attachment_bytes),
        runtime_config.MAX_ATTACHMENTS_PER_ITEM.name: str(config.max_attachments_per_item),
        runtime_config.ATTACHMENT_CONTENT_TYPES.name: ",".join(config.attachment_content_types),
    }


def declared_environment(
    declared: Sequence[EnvironmentVariable], provided: Mapping[str, pulumi.Input[str]]
) -> dict[str, pulumi.Input[str]]:
    """Exactly the `declared` variables: the `provided` values, else their declared defaults."""
    environment: dict[str, pulumi.Input[str]] = {}
    for variable in declared:
        if variable.name in provided:
            environment[variable.name] = provided[variable.name]
        elif variable.default is not None:
            environment[variable.name] = variable.default
        else:
            raise ValueError(f"the runtime requires {variable.name}, which the stack does not provide")
    return environment


def built_artifacts() -> lambda_artifacts.Artifacts:
    """`make package`'s archives for the function's architecture, rebuilt first when missing or stale."""
    try:
        return lambda_artifacts.ensure_artifacts(lambda_package.ARCHITECTURE)
    except lambda_artifacts.BuildError as error:
        raise pulumi.RunError(str(error)) from error  # one line, no traceback


if __name__ == "__main__":
    for output_name, value in build_stack(StackConfig.load(), built_artifacts()).items():
        pulumi.export(output_name, value)
