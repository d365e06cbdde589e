"""What must hold for the whole table after any interleaving of requests (scan results as input).

- every profile has exactly one email claim: keyed by its current canonical email, naming its
  user id and incarnation;
- no claim exists without the profile (and incarnation) it names;
- no item exists without its profile;
- within one incarnation of a profile, versions never go back (across successive scans).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from runtime.emails import canonical_email

Record = Mapping[str, Any]


def _owner(record: Record) -> tuple[str, str | None]:
    return record["userId"], record.get("incarnation")


def violations(records: Iterable[Record]) -> list[str]:
    """Every broken invariant of one scan of the table, as readable sentences."""
    records = list(records)
    profiles = {_owner(r): r for r in records if r["SK"] == "METADATA"}
    live_users = {user_id for user_id, _ in profiles}
    claims = [r for r in records if r["SK"] == "EMAIL"]
    found = []
    for owner, profile in profiles.items():
        held = [claim for claim in claims if _owner(claim) == owner]
        expected_key = f"EMAIL#{canonical_email(profile['email'])}"
        if [claim["PK"] for claim in held] != [expected_key]:
            found.append(f"profile {owner} with email {profile['email']!r} holds claims {[c['PK'] for c in held]}")
    for claim in claims:
        if _owner(claim) not in profiles:
            found.append(f"claim {claim['PK']} names {_owner(claim)}, which has no profile")
    for record in records:
        if record["SK"].startswith("ITEM#") and record["PK"].removeprefix("USER#") not in live_users:
            found.append(f"item {record['PK']}/{record['SK']} has no profile")
    return found


class VersionWatch:
    """Remembers the highest version seen per profile incarnation, to catch one going back."""

    def __init__(self) -> None:
        self._highest: dict[tuple[str, str | None], int] = {}

    def violations(self, records: Iterable[Record]) -> list[str]:
        found = []
        for record in records:
            if record["SK"] != "METADATA":
                continue
            owner, version = _owner(record), int(record["version"])
            if version < self._highest.get(owner, 0):
                found.append(f"profile {owner} went back from version {self._highest[owner]} to {version}")
            self._highest[owner] = max(version, self._highest.get(owner, 0))
        return found
