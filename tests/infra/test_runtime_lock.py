"""requirements/runtime.lock pins the whole layer: what runtime.txt pins, and everything it pulls in."""

from __future__ import annotations

import importlib.metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from components.runtime_lock import LOCK, REQUIREMENTS, Pin, merge, read_lock, render_lock, top_level_pins
from tests.infra.stacks import ROOT

# Lambda's Python, as environment markers see it (the machine is either architecture's; no
# dependency of the lock depends on which).
LAMBDA_MARKERS = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "platform_machine": "aarch64",
}


@pytest.fixture(scope="module")
def lock() -> dict[str, Pin]:
    return read_lock((ROOT / LOCK).read_text())


def _requirements_of(requirement: Requirement) -> list[Requirement]:
    """What an installed distribution requires with these extras, on Lambda's Python."""
    found = []
    for text in importlib.metadata.requires(requirement.name) or []:
        dependency = Requirement(text)
        extras = requirement.extras or {""}
        if dependency.marker is None or any(
            dependency.marker.evaluate({**LAMBDA_MARKERS, "extra": extra}) for extra in extras
        ):
            found.append(dependency)
    return found


def _closure_of_runtime_requirements() -> set[str]:
    """Every distribution runtime.txt's requirements pull in, with their extras, on Lambda's Python."""
    pending = [
        Requirement(line.split("#", 1)[0])
        for line in (ROOT / REQUIREMENTS).read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        key = f"{canonicalize_name(requirement.name)}{sorted(requirement.extras)}"
        if key in seen:
            continue
        seen.add(key)
        pending.extend(_requirements_of(requirement))
    return {key.split("[", 1)[0] for key in seen}


def test_every_pin_of_runtime_txt_is_locked_at_the_same_version(lock):
    pins = top_level_pins((ROOT / REQUIREMENTS).read_text())

    differing = {name: (version, lock[name].version if name in lock else None) for name, version in pins.items()}
    assert {name: pair for name, pair in differing.items() if pair[0] != pair[1]} == {}, "run `make lock`"


def test_the_lock_holds_exactly_what_runtime_txt_pulls_in_on_lambdas_python(lock):
    assert set(lock) == _closure_of_runtime_requirements(), "run `make lock`"


def test_the_dev_environment_runs_the_versions_the_layer_ships(lock):
    installed = {name: importlib.metadata.version(name) for name in lock}

    assert installed == {name: pin.version for name, pin in lock.items()}, (
        "the tests run other versions than the layer ships: pin the lock's versions in requirements/runtime.txt"
    )


def test_every_pin_carries_sha256_hashes_and_the_file_is_as_make_lock_writes_it(lock):
    assert all(pin.hashes and all(digest.startswith("sha256:") for digest in pin.hashes) for pin in lock.values())
    assert render_lock(lock.values()) == (ROOT / LOCK).read_text()


def test_a_requirement_without_an_exact_pin_is_refused():
    with pytest.raises(ValueError, match="not pinned"):
        top_level_pins("boto3>=1.40\n")


def test_top_level_pins_drop_extras_and_comments():
    assert top_level_pins("# layer\naws-lambda-powertools[tracer]==3.37.0  # why\nPyYAML==6.0.3\n") == {
        "aws-lambda-powertools": "3.37.0",
        "pyyaml": "6.0.3",
    }


def test_architectures_that_resolve_other_versions_are_refused():
    resolutions = {
        "arm64": {canonicalize_name("wrapt"): ("2.5.2", "sha256:aa")},
        "x86_64": {canonicalize_name("wrapt"): ("2.5.1", "sha256:bb")},
    }

    with pytest.raises(ValueError, match="wrapt resolves differently per architecture"):
        merge(resolutions)


def test_a_platform_wheel_keeps_one_hash_per_architecture():
    resolutions = {
        "arm64": {canonicalize_name("pydantic-core"): ("2.46.4", "sha256:bb")},
        "x86_64": {canonicalize_name("pydantic-core"): ("2.46.4", "sha256:aa")},
    }

    assert merge(resolutions) == [Pin(canonicalize_name("pydantic-core"), "2.46.4", ("sha256:aa", "sha256:bb"))]
