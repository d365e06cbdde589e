"""The warm-request benchmark's measuring process (see warm_request.py): python3.13 on the archives.

Its path puts the extracted function first, the baselines next, the layer, and only then the
repository (for `benchmarks._support`), so `runtime` and every library come from the archives.
Reads a JSON configuration, writes a JSON result; prints nothing of its own (fd 1 is silenced
while handlers run, their log lines and EMF metrics included).
"""

from __future__ import annotations

import copy
import cProfile
import io
import json
import os
import pstats
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._support import new_trace_header, stdout_silenced

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Variant:
    key: str
    handler: Handler
    event: dict[str, Any]
    expected_status: int
    stubber: Any
    operation: str
    response: dict[str, Any]
    samples_us: list[float] = field(default_factory=list)

    def call(self, context: Any, profiler: cProfile.Profile | None = None) -> float:
        """One request, timed alone: its stubbed DynamoDB answer is queued and checked outside the clock."""
        self.stubber.add_response(self.operation, copy.deepcopy(self.response))
        event = copy.deepcopy(self.event)
        os.environ["_X_AMZN_TRACE_ID"] = new_trace_header()  # Lambda sets one per invocation
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter_ns()
        response = self.handler(event, context)
        elapsed = time.perf_counter_ns() - start
        if profiler is not None:
            profiler.disable()
        if response["statusCode"] != self.expected_status:
            raise RuntimeError(f"{self.key}: {response['statusCode']} {response.get('body')}")
        self.stubber.assert_no_pending_responses()  # exactly the one call was made
        return elapsed / 1e3


class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = f"/aws/lambda/{function_name}"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def build_variants(config: dict[str, Any]) -> list[Variant]:
    import baseline_handler
    import boto3
    from botocore.stub import Stubber

    from runtime.dependencies import dynamodb_client
    from runtime.handler import lambda_handler

    ours, baseline, alone = Stubber(dynamodb_client()), Stubber(baseline_handler.dynamodb), boto3.client("dynamodb")
    alone_stubber = Stubber(alone)
    for stubber in (ours, baseline, alone_stubber):
        stubber.activate()
    events, profile = config["events"], {"Item": config["profile_record"]}
    key = config["profile_record"]["PK"], config["profile_record"]["SK"]

    def get_item_alone(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        alone.get_item(TableName=config["table"], Key={"PK": key[0], "SK": key[1]}, ConsistentRead=True)
        return {"statusCode": 200}

    theirs = baseline_handler.lambda_handler
    get_user, post_item = events["get-user"], events["post-item"]
    return [
        Variant("get-ours", lambda_handler, get_user, 200, ours, "get_item", profile),
        Variant("get-baseline", theirs, get_user, 200, baseline, "get_item", profile),
        Variant("post-ours", lambda_handler, post_item, 201, ours, "transact_write_items", {}),
        Variant("post-baseline", theirs, post_item, 201, baseline, "transact_write_items", {}),
        Variant("get-alone", get_item_alone, {}, 200, alone_stubber, "get_item", profile),
    ]


def measure(variants: list[Variant], rounds: int, context: Any, *, keep: bool) -> None:
    """Round-robin over the variants, rotating who goes first, so drift hits all alike."""
    for index in range(rounds):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            elapsed = variant.call(context)
            if keep:
                variant.samples_us.append(elapsed)


def origin(filename: str, config: dict[str, Any]) -> str:
    """Who a profiled function belongs to: our runtime, the baseline, a layer package, or Python itself."""
    if filename.startswith(config["task_root"]):
        return "runtime (ours)"
    if filename.startswith(config["baselines"]):
        return "baseline_handler"
    if filename.startswith(config["layer"]):
        return filename.removeprefix(config["layer"]).lstrip("/").split("/")[0].removesuffix(".py")
    return "python (stdlib, builtins)"


def profile(variant: Variant, config: dict[str, Any], context: Any) -> dict[str, Any]:
    """Own time per origin, and the functions with the most own time, over profiled requests."""
    profiler = cProfile.Profile()
    for _ in range(config["profile_requests"]):
        variant.call(context, profiler)
    listing = io.StringIO()
    stats = pstats.Stats(profiler, stream=listing)
    stats.sort_stats("tottime").print_stats(config["top"])
    by_origin: dict[str, float] = {}
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():
        by_origin[origin(filename, config)] = by_origin.get(origin(filename, config), 0.0) + own
    return {"by_origin": by_origin, "top": listing.getvalue()}


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    # A GET publishes no metric, and powertools warns about it on every invocation.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    context = Context()
    with stdout_silenced():
        variants = build_variants(config)
        measure(variants, config["warmup"], context, keep=False)
        measure(variants, config["requests"], context, keep=True)
        by_key = {variant.key: variant for variant in variants}
        hotspots = {
            key: profile(by_key[key], config, context)
            for key in ("get-ours", "get-baseline", "post-ours", "post-baseline")
        }
    result = {"samples_us": {variant.key: variant.samples_us for variant in variants}, "hotspots": hotspots}
    Path(config["output"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
