"""A reminder as an email, plain text and HTML, and how it is sent (SES v2 `SendEmail`).

The email holds the item's task and due time, and nothing of any other user. SES takes no
idempotency key: a batch retried after a send it did not hear back from sends that email again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from runtime.records import Reminder


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    text: str
    html: str


def _readable(timestamp: str) -> str:
    return datetime.fromisoformat(timestamp).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def reminder_email(reminder: Reminder) -> Email:
    due = _readable(reminder.due_at)
    task = reminder.task
    return Email(
        recipient=reminder.recipient,
        subject=f"Reminder: {task[:80]}" + ("…" if len(task) > 80 else ""),
        text=f"Your to-do item is due now.\n\nTask: {task}\nDue: {due}\n",
        html=(
            "<!DOCTYPE html><html><body><p>Your to-do item is due now.</p>"
            f"<p><strong>Task:</strong> {html.escape(task)}<br><strong>Due:</strong> {due}</p></body></html>"
        ),
    )


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send it; the message id."""


class SesMailer:
    """Sends from one identity with one configuration set (its bounces and complaints go to metrics)."""

    def __init__(self, client: Any, sender: str, configuration_set: str) -> None:
        self._client = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, email: Email) -> str:
        response = self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [email.recipient]},
            Content={
                "Simple": {
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": email.text, "Charset": "UTF-8"},
                        "Html": {"Data": email.html, "Charset": "UTF-8"},
                    },
                }
            },
            ConfigurationSetName=self._configuration_set,
        )
        return str(response["MessageId"])
