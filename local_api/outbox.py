"""The local outbox: what the notifier sent, as JSON at a local-only URL (`outboxUrl`), with a
printed line per email.

moto's SES keeps only an email's HTML part and no time, so the local notifier sends through moto
(which checks the sender identity) and records each email here as well: recipient, subject, both
bodies and when it was sent.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from runtime.models import utc_milliseconds
from runtime.reminders.emails import Email, Mailer

OUTBOX_PATH = "/outbox"


class Outbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[dict[str, str]] = []

    def record(self, email: Email, message_id: str) -> None:
        entry = {
            "messageId": message_id,
            "recipient": email.recipient,
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
            "sentAt": utc_milliseconds(datetime.now(UTC)),
        }
        with self._lock:
            self._sent.append(entry)
        print(f"reminder email to {email.recipient}: {email.subject!r} ({entry['sentAt']})", flush=True)

    def sent(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._sent)


class RecordingMailer:
    """Sends through `mailer` (moto's SES) and records what it sent in the outbox."""

    def __init__(self, mailer: Mailer, outbox: Outbox) -> None:
        self._mailer = mailer
        self._outbox = outbox

    def send(self, email: Email) -> str:
        message_id = self._mailer.send(email)
        self._outbox.record(email, message_id)
        return message_id


class OutboxServer:
    """GET /outbox on a free loopback port: every email sent so far, oldest first."""

    def __init__(self, outbox: Outbox) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != OUTBOX_PATH:
                    self._answer(404, {"error": {"code": "not_found", "message": f"only {OUTBOX_PATH} is here"}})
                    return
                self._answer(200, {"emails": outbox.sent()})

            def _answer(self, status: int, body: Any) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="outbox", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{OUTBOX_PATH}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.ident is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
