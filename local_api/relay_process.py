"""The stream relay in a process of its own, as Lambda runs it apart from the API.

In this process its CPU work (reading records, building events, its SNS calls) would contend for
the GIL with the HTTP server and the embedded AWS, and slow every API request down.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from local_api.workers import LocalLambdaContext
from runtime.events.stream_mapping import RELAY_TIMEOUT_SECONDS

_relay: Callable[[dict[str, Any], Any], Any] | None = None


def _start(environment: Mapping[str, str]) -> None:
    global _relay
    os.environ.update(environment)
    # Metrics are not published locally; powertools would warn about that on every batch.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from runtime.events.relay import lambda_handler

    _relay = lambda_handler


def _is_started() -> bool:
    return _relay is not None


def _invoke(event: dict[str, Any], function_arn: str) -> Any:
    if _relay is None:
        raise RuntimeError("the relay process was not started with the relay")
    function_name = function_arn.rsplit(":", 1)[1]
    context = LocalLambdaContext(
        aws_request_id=str(uuid.uuid4()),
        function_name=function_name,
        invoked_function_arn=function_arn,
        log_group_name=f"/aws/lambda/{function_name}",
        timeout_seconds=RELAY_TIMEOUT_SECONDS,
    )
    return _relay(event, context)


class RelayProcess:
    """Calls the relay's `lambda_handler` in its own process, one batch at a time, as the event
    source mapping invokes one function instance per shard; a raised error comes back raised."""

    def __init__(self, environment: Mapping[str, str], function_arn: str) -> None:
        self._function_arn = function_arn
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(dict(environment),),
        )

    def warm_up(self) -> None:
        """Start the process and import the relay now, not on the first batch."""
        if not self._pool.submit(_is_started).result():
            raise RuntimeError("the relay process did not start")

    def __call__(self, event: dict[str, Any]) -> Any:
        return self._pool.submit(_invoke, event, self._function_arn).result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
