"""Which stream records each reader gets: the relay the domain records (profiles, items and reminder
records), the notifier the reminders to email; each pattern used by its event source mapping's
filter criteria in the stack and by the local stream pump alike.

Email claims (`EMAIL#…`) and idempotency records of the old layout (`PK` without `USER#`) are
never events, so Lambda drops them before the relay is invoked (and bills nothing for them).
"""

from __future__ import annotations

import json

from runtime.table_schema import NOTIFY_BY_EMAIL_ATTRIBUTE, PARTITION_KEY, REMINDER_PREFIX, SORT_KEY, USER_PREFIX

# Lambda's filter-pattern syntax, applied to the stream record as the mapping hands it on.
DOMAIN_RECORD_PATTERN: dict[str, object] = {"dynamodb": {"Keys": {PARTITION_KEY: {"S": [{"prefix": USER_PREFIX}]}}}}
# What the mapping's `filter_criteria.filters[].pattern` take: JSON strings.
STREAM_FILTER_PATTERNS: tuple[str, ...] = (json.dumps(DOMAIN_RECORD_PATTERN, separators=(",", ":")),)

# The notifier's mapping, the stream's second reader: reminder records written for an owner who
# opted in to email, and nothing else (Lambda drops the rest before invoking it).
REMINDER_EMAIL_PATTERN: dict[str, object] = {
    "eventName": ["INSERT"],
    "dynamodb": {
        "Keys": {SORT_KEY: {"S": [{"prefix": REMINDER_PREFIX}]}},
        "NewImage": {NOTIFY_BY_EMAIL_ATTRIBUTE: {"BOOL": [True]}},
    },
}
NOTIFIER_FILTER_PATTERNS: tuple[str, ...] = (json.dumps(REMINDER_EMAIL_PATTERN, separators=(",", ":")),)
