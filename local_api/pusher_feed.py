"""Lambda's SQS poller for the pusher, played in this process: long polls the pusher's queue,
hands each batch to the handler as an SQS event, and deletes the messages it did not report
failed (`ReportBatchItemFailures`); those, and a batch whose invocation raised, come back after
the queue's visibility timeout."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

# Short, so that stopping waits at most this long for a poll.
WAIT_SECONDS = 1
# How long stopping waits for a batch in flight (the thread is a daemon: it does not hold up the exit).
STOP_TIMEOUT_SECONDS = 0.5
BATCH_SIZE = 10
_log = logging.getLogger(__name__)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's poller builds from received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "dataType": value["DataType"],
                        "stringListValues": [],
                        "binaryListValues": [],
                    }
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }


class PusherFeed:
    def __init__(self, sqs: Any, queue_url: str, queue_arn: str, handler: Callable[[dict[str, Any]], Any]) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._handler = handler
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pusher-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=STOP_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                if not self._stopping.is_set():  # stopping, the embedded AWS may be gone already
                    _log.exception("the pusher's batch failed; its messages come back after the visibility timeout")

    def poll_once(self) -> None:
        answer = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=BATCH_SIZE,
            WaitTimeSeconds=WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return
        result = self._handler(sqs_event(messages, self._queue_arn)) or {}
        failed = {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(done)],
            )
