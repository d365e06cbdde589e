"""Which stream records are domain records (profiles and items): one pattern, used by the event
source mapping's filter criteria in the stack and by the local stream pump alike.

Email claims (`EMAIL#…`) and idempotency records of the old layout (`PK` without `USER#`) are
never events, so Lambda drops them before the relay is invoked (and bills nothing for them).
"""

from __future__ import annotations

import json

from runtime.table_schema import PARTITION_KEY, USER_PREFIX

# Lambda's filter-pattern syntax, applied to the stream record as the mapping hands it on.
DOMAIN_RECORD_PATTERN: dict[str, object] = {"dynamodb": {"Keys": {PARTITION_KEY: {"S": [{"prefix": USER_PREFIX}]}}}}
# What the mapping's `filter_criteria.filters[].pattern` take: JSON strings.
STREAM_FILTER_PATTERNS: tuple[str, ...] = (json.dumps(DOMAIN_RECORD_PATTERN, separators=(",", ":")),)
