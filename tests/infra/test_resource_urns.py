"""Every resource keeps its URN: a renamed or re-parented resource is replaced on the next `up`.

The URNs of the dev and prod stacks, under the mocks, are committed in `tests/infra/urns/`. A
change that means to add, remove or rename resources updates them on purpose:
`URNS_UPDATE=1 python -m pytest tests/infra/test_resource_urns.py`, and the diff shows what an
`up` would create or delete.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.infra.stacks import STACKS, deploy_stack

COMMITTED = Path(__file__).parent / "urns"


@pytest.mark.parametrize("stack", STACKS)
def test_the_stacks_resources_keep_their_urns(stack):
    urns = sorted(resource.urn for resource in deploy_stack(stack))
    committed = COMMITTED / f"{stack}.txt"
    if os.environ.get("URNS_UPDATE") == "1":
        committed.write_text("\n".join(urns) + "\n")

    expected = committed.read_text().splitlines()
    assert urns == expected, (
        f"created: {sorted(set(urns) - set(expected))}; deleted: {sorted(set(expected) - set(urns))}"
    )
