"""The local stand-in for the attachments' store: the bucket and its uploads queue on the embedded
moto server, the cleanup queue subscribed to the events topic, and a thread handing both queues'
messages to the processor and the cleanup handlers in this process, as their event source
mappings would (moto delivers the bucket's notifications to SQS, but runs no mapping).

moto checks no POST policy condition: a wrong size or type is caught by the processor's check,
as it would be in AWS when a client got past the policy.
"""

from __future__ import annotations

import json
import logging
import uuid
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from local_api.embedded_aws import REGION, EmbeddedAws
from local_api.polling import PollingThread
from local_api.workers import LocalLambdaContext
from runtime.attachments import CLEANUP_EVENT_TYPES
from runtime.attachments.keys import PENDING_PREFIX
from runtime.config import ATTACHMENTS_BUCKET

BUCKET_NAME = "users-items-attachments-local"
UPLOADS_QUEUE_NAME = "users-items-attachments-uploads-local"
CLEANUP_QUEUE_NAME = "users-items-attachments-cleanup-local"
# Local-only key of the outputs file: the bucket (for `aws s3 ls --endpoint-url …`).
BUCKET_KEY = "attachmentsBucketName"
# How often the queues are read: about as soon as Lambda's poller would hand a message on.
POLL_INTERVAL_SECONDS = 0.1
# Messages the handlers failed come back after this long, as with the stack's queues.
VISIBILITY_TIMEOUT_SECONDS = 5

_log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def sqs_event(messages: Sequence[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """ReceiveMessage's messages as Lambda hands them to a function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class _QueueFeed:
    """One queue's event source mapping: batches to the handler, the messages it did not fail deleted."""

    def __init__(self, sqs: Any, queue_url: str, handler: Handler, function_name: str) -> None:
        self._sqs, self._queue_url, self._handler, self._function_name = sqs, queue_url, handler, function_name
        self._queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def step(self) -> bool:
        """Hand one batch on; whether there was one."""
        messages = self._sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return False
        context = LocalLambdaContext(
            aws_request_id=str(uuid.uuid4()),
            function_name=self._function_name,
            invoked_function_arn=f"arn:aws:lambda:{REGION}:000000000000:function:{self._function_name}",
            log_group_name=f"/aws/lambda/{self._function_name}",
        )
        try:
            failed = {
                failure["itemIdentifier"]
                for failure in self._handler(sqs_event(messages, self._queue_arn), context)["batchItemFailures"]
            }
        except Exception:
            # Every message failed: all come back after the visibility timeout.
            _log.exception("%s failed a batch", self._function_name)
            return True
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)]
            self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        return True


class LocalAttachments:
    def __init__(self, aws: EmbeddedAws, events_topic_arn: str, cors_origins: Sequence[str]) -> None:
        self._aws = aws
        self._sqs = aws.client("sqs")
        self._events_topic_arn = events_topic_arn
        self._cors_origins = list(cors_origins)
        self._feeds: list[_QueueFeed] = []
        self._thread = PollingThread(
            "attachments",
            self._step_feeds,
            interval=POLL_INTERVAL_SECONDS,
            failure="reading an attachments queue failed",
        )

    def create(self) -> dict[str, str]:
        """The bucket, notifying the uploads queue of the pending prefix, and the cleanup queue
        subscribed to the events whose objects must go; the handlers' environment for them."""
        s3, sns = self._aws.client("s3"), self._aws.client("sns")
        s3.create_bucket(Bucket=BUCKET_NAME)
        if self._cors_origins:
            rule = {
                "AllowedMethods": ["GET", "POST"],
                "AllowedOrigins": self._cors_origins,
                "AllowedHeaders": ["Content-Type"],
            }
            s3.put_bucket_cors(Bucket=BUCKET_NAME, CORSConfiguration={"CORSRules": [rule]})
        self.uploads_queue_url = self._queue(UPLOADS_QUEUE_NAME)
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET_NAME,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": self._queue_arn(self.uploads_queue_url),
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": PENDING_PREFIX}]}},
                    }
                ]
            },
        )
        self.cleanup_queue_url = self._queue(CLEANUP_QUEUE_NAME)
        sns.subscribe(
            TopicArn=self._events_topic_arn,
            Protocol="sqs",
            Endpoint=self._queue_arn(self.cleanup_queue_url),
            Attributes={
                "RawMessageDelivery": "true",
                "FilterPolicy": json.dumps({"eventType": list(CLEANUP_EVENT_TYPES)}),
            },
        )
        return {ATTACHMENTS_BUCKET.name: BUCKET_NAME}

    def _queue(self, name: str) -> str:
        attributes = {"VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS)}
        return str(self._sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    def _queue_arn(self, queue_url: str) -> str:
        attributes = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
        return str(attributes["QueueArn"])

    def start(self) -> None:
        """Import the handlers (the environment is set by now) and start feeding them."""
        # Metrics are not published locally; powertools would warn about that on every batch.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        from runtime.attachments import cleanup, processor

        self._feeds = [
            _QueueFeed(
                self._sqs, self.uploads_queue_url, processor.lambda_handler, "users-items-attachments-processor-local"
            ),
            _QueueFeed(
                self._sqs, self.cleanup_queue_url, cleanup.lambda_handler, "users-items-attachments-cleanup-local"
            ),
        ]
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def outputs(self) -> dict[str, str]:
        return {BUCKET_KEY: BUCKET_NAME}

    def announce(self) -> list[str]:
        return [f"Attachments in the bucket {BUCKET_NAME} (uploads checked from {self.uploads_queue_url})"]

    def _step_feeds(self) -> None:
        for feed in self._feeds:
            try:  # one queue's failure holds back no other's
                while feed.step():
                    pass
            except Exception:
                _log.exception("reading an attachments queue failed")
