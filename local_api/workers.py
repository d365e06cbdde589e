"""Lambda-like execution: a pool of processes, each importing the handler once.

Powertools keeps the current event on the resolver, so one handler instance serves one request
at a time, as in Lambda; concurrency comes from more instances, whose requests really race
against the table.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_handler: Callable[[dict[str, Any], Any], Any] | None = None


@dataclass(frozen=True)
class LocalLambdaContext:
    """What Lambda passes as `context`, as far as powertools reads it."""

    aws_request_id: str
    function_name: str = "users-items-api-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:users-items-api-local"
    log_group_name: str = "/aws/lambda/users-items-api-local"
    log_stream_name: str = "local"
    timeout_seconds: int = 15
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.timeout_seconds * 1000 - (time.monotonic() - self.started) * 1000))


def _start_instance(environment: Mapping[str, str]) -> None:
    global _handler
    os.environ.update(environment)
    # Metrics are not published locally; powertools would warn about that on every request.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from runtime.handler import lambda_handler

    _handler = lambda_handler


def _is_started() -> bool:
    return _handler is not None


def _invoke(event: dict[str, Any]) -> Any:
    if _handler is None:
        raise RuntimeError("the worker was not started with the handler")
    return _handler(event, LocalLambdaContext(aws_request_id=str(uuid.uuid4())))


class HandlerPool:
    def __init__(self, environment: Mapping[str, str], *, instances: int) -> None:
        # spawn: a worker starts clean, with no server threads or clients inherited from the parent.
        self._executor = ProcessPoolExecutor(
            max_workers=instances,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_instance,
            initargs=(dict(environment),),
        )
        self._instances = instances

    def warm_up(self) -> None:
        """Start every instance now rather than on the first requests."""
        futures = [self._executor.submit(_is_started) for _ in range(self._instances)]
        if not all(future.result() for future in futures):
            raise RuntimeError("a handler instance did not start")

    async def invoke(self, event: dict[str, Any]) -> Any:
        """The handler's result for `event`, from the first free instance; the event loop serves
        other requests meanwhile."""
        return await asyncio.wrap_future(self._executor.submit(_invoke, event))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def retire(self) -> None:
        """Take no new requests; let those already sent finish, then the instances exit."""
        self._executor.shutdown(wait=False)


def sources_fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """What a change to the Python sources under `directory` changes: each file's path, size and mtime."""
    sources = [path for path in sorted(directory.rglob("*.py")) if "__pycache__" not in path.parts]
    return tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in sources)


class ReloadingHandlerPool:
    """`--reload`: a pool started afresh, with the code as it is now, when the Python sources under
    `watched` changed since the last request, so each request runs the current code.

    Used from the event loop only: the check and the swap run without an await between them, so
    concurrent requests restart the instances once. The check (a stat of each source, about
    0.25 ms for runtime/) runs on the loop."""

    def __init__(self, start: Callable[[], HandlerPool], watched: Path) -> None:
        self._start = start
        self._watched = watched
        self._fingerprint = sources_fingerprint(watched)
        self._pool = start()

    async def invoke(self, event: dict[str, Any]) -> Any:
        current = sources_fingerprint(self._watched)
        if current != self._fingerprint:
            retired, self._pool, self._fingerprint = self._pool, self._start(), current
            retired.retire()
            print(f"{self._watched.name}/ changed: handler instances restarted", file=sys.stderr, flush=True)
        return await self._pool.invoke(event)

    def warm_up(self) -> None:
        self._pool.warm_up()

    def close(self) -> None:
        self._pool.close()
