"""`requirements/runtime.lock`: every distribution the Lambda layer holds, pinned, with the sha256
of each wheel the layer may be built from (Lambda's Python on arm64 and on x86_64).

`requirements/runtime.txt` pins only what the runtime imports; what those pull in (the X-Ray
SDK's botocore, pydantic's pydantic-core, botocore's urllib3, ...) would otherwise be chosen
afresh by each build. `make lock` (`python -m components.runtime_lock`) asks pip what it would
install from `runtime.txt` for each architecture (`pip install --dry-run --report`: nothing is
installed) and writes the answer, which the layer is then installed from with `--no-deps
--require-hashes`. Both architectures must resolve to the same versions; their platform wheels
(pydantic-core, wrapt) differ, so those pins carry one hash per architecture.

Pure Python (no pulumi import).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from components.lambda_package import PYTHON_RUNTIME, WHEEL_MACHINES, wheel_target_options

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = Path("requirements/runtime.txt")
LOCK = Path("requirements/runtime.lock")

_HEADER = f"""\
# Every distribution of the Lambda dependency layer, for {PYTHON_RUNTIME} on {" and ".join(WHEEL_MACHINES)}.
# Generated from requirements/runtime.txt by `make lock`; do not edit by hand.
"""


@dataclass(frozen=True)
class Pin:
    name: NormalizedName
    version: str
    hashes: tuple[str, ...]  # "sha256:<hex>", sorted

    def lines(self) -> str:
        hashes = "".join(f" \\\n    --hash={digest}" for digest in self.hashes)
        return f"{self.name}=={self.version}{hashes}\n"


def top_level_pins(requirements: str) -> dict[NormalizedName, str]:
    """name -> pinned version for every requirement of a requirements file's text (extras dropped)."""
    pins: dict[NormalizedName, str] = {}
    for line in requirements.splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(versions) != 1:
            raise ValueError(f"{text!r} is not pinned with ==")
        pins[canonicalize_name(requirement.name)] = versions[0]
    return pins


def read_lock(text: str) -> dict[NormalizedName, Pin]:
    """The lock's pins by name, as `Pin.lines` wrote them."""
    pins: dict[NormalizedName, Pin] = {}
    for entry in text.replace("\\\n", " ").splitlines():
        fields = entry.split("#", 1)[0].split()
        if not fields:
            continue
        name, version = fields[0].split("==")
        hashes = tuple(field.removeprefix("--hash=") for field in fields[1:])
        pins[canonicalize_name(name)] = Pin(canonicalize_name(name), version, hashes)
    return pins


def render_lock(pins: Iterable[Pin]) -> str:
    return _HEADER + "".join(pin.lines() for pin in sorted(pins, key=lambda pin: pin.name))


def resolve(requirements_file: Path, architecture: str) -> dict[NormalizedName, tuple[str, str]]:
    """name -> (version, "sha256:<hex>") of every wheel pip would install for `architecture`."""
    with tempfile.TemporaryDirectory(prefix="runtime-lock-") as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            f"--report={report}",
            f"--target={Path(scratch) / 'target'}",
            *wheel_target_options(architecture),
            f"--requirement={requirements_file}",
        ]
        subprocess.run(command, check=True)  # noqa: S603 - our own arguments
        installs = json.loads(report.read_text())["install"]
    return {
        canonicalize_name(entry["metadata"]["name"]): (
            entry["metadata"]["version"],
            f"sha256:{entry['download_info']['archive_info']['hashes']['sha256']}",
        )
        for entry in installs
    }


def merge(resolutions: Mapping[str, Mapping[NormalizedName, tuple[str, str]]]) -> list[Pin]:
    """One pin per distribution with every architecture's wheel hash; the versions must agree."""
    names = {name for resolved in resolutions.values() for name in resolved}
    pins = []
    for name in sorted(names):
        found = {architecture: resolved.get(name) for architecture, resolved in resolutions.items()}
        versions = {entry[0] for entry in found.values() if entry is not None}
        if None in found.values() or len(versions) != 1:
            raise ValueError(f"{name} resolves differently per architecture: {found}")
        hashes = tuple(sorted({entry[1] for entry in found.values() if entry is not None}))
        pins.append(Pin(name, versions.pop(), hashes))
    return pins


def write_lock(project_root: Path = PROJECT_ROOT) -> Path:
    requirements = project_root / REQUIREMENTS
    resolutions = {architecture: resolve(requirements, architecture) for architecture in WHEEL_MACHINES}
    lock = project_root / LOCK
    lock.write_text(render_lock(merge(resolutions)))
    return lock


def main() -> None:
    argparse.ArgumentParser(description="Write requirements/runtime.lock from requirements/runtime.txt.").parse_args()
    lock = write_lock()
    print(f"wrote {lock.relative_to(PROJECT_ROOT)}: {len(read_lock(lock.read_text()))} pins")


if __name__ == "__main__":
    main()
