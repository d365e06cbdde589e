"""SnapStart: what the snapshot holds, and what each environment restored from it makes its own.

Loaded only when Lambda initializes a version for its snapshot (`config.initializing_for_snapshot`):
an on-demand cold start neither imports this module nor needs `snapshot_restore_py`, the library
of SnapStart's runtime hooks, which Lambda's Python managed runtimes include, so neither the
layer nor the archive ships it (`components.lambda_package.RUNTIME_PROVIDED_MODULES`):
https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html

Into the snapshot goes the DynamoDB client, built now instead of on the first request. Building
it opens no connection and calls no table, so nothing in the snapshot goes stale: the first
request after a restore connects. Its credentials are the SDK's refreshable ones and renew
themselves once expired, however old the snapshot.

Every restored environment starts from the same memory, the `random` module's state included.
Ids do not depend on it (ULIDs draw from `os.urandom`, which stays unique across restores), but
the write-retry jitter (`runtime.writes.jitter`) does, and so does botocore's retry backoff,
whose `ExponentialBackoff` draws from the module's shared `random.random`: restored environments
would retry a conflict in lockstep and collide again. So each restore re-seeds `random` from the
operating system first thing.
"""

from __future__ import annotations

import os
import random

from snapshot_restore_py import register_after_restore  # type: ignore[import-untyped]

from runtime.dependencies import get_repository

_SEED_BYTES = 32


def reseed_random() -> None:
    """Give this environment a sequence of `random` of its own, whatever state the snapshot held."""
    random.seed(os.urandom(_SEED_BYTES))


def prepare_snapshot() -> None:
    """Build the DynamoDB client and repository into the snapshot; re-seed `random` after each restore."""
    get_repository()
    register_after_restore(reseed_random)
