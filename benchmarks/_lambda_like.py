"""Lambda's file system for the benchmarks: the deployable archives extracted read-only, run by python3.13.

Lambda extracts the function's archive to /var/task and each layer's to /opt, both read-only,
and runs the runtime's own Python. Here the archives `make package ARCH=<this machine>` builds
(`components.lambda_artifacts.ensure_artifacts`) are extracted under a temporary directory and
made read-only; the children run with `PYTHONDONTWRITEBYTECODE=1`, and `assert_nothing_written`
checks afterwards that no bytecode appeared (as root, the read-only bits alone would not stop it).
"""

from __future__ import annotations

import os
import platform
import shutil
import stat
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks._support import lambda_environment
from components.lambda_artifacts import (
    FUNCTION_ROOT,
    LAYER_PACKAGES_DIR,
    Artifacts,
    compile_tree,
    ensure_artifacts,
    find_python,
)

BENCHMARKS = Path(__file__).resolve().parent
# What the Lambda runtime itself carries beside its bootstrap (its /var/runtime): the SDK and its
# dependencies, for the variant that imports boto3 from such a copy without bytecode.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
_MACHINES = {"x86_64": "x86_64", "AMD64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class Deployment:
    """A task root and the directories the Python runtime finds libraries in, first to last."""

    task_root: Path
    libraries: tuple[Path, ...]

    @property
    def python_path(self) -> str:
        return os.pathsep.join(str(path) for path in (self.task_root, *self.libraries))


def host_architecture() -> str:
    return _MACHINES[platform.machine()]


def lambda_artifacts() -> tuple[Artifacts, Path]:
    """This machine's archives (built first when missing or stale) and the python3.13 to run them."""
    return ensure_artifacts(host_architecture()), find_python()


def extract(archive: Path, directory: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(directory)
    return directory


def copy_without_bytecode(source: Path, destination: Path) -> Path:
    """The tree as the public Powertools layer ships its libraries: sources, no `__pycache__`."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
    return destination


def deployed(artifacts: Artifacts, root: Path) -> Deployment:
    """function.zip at <root>/var/task and layer.zip at <root>/opt, as Lambda lays them out."""
    task_root = extract(artifacts.function_zip, root / "var" / "task")
    opt = extract(artifacts.layer_zip, root / "opt")
    return Deployment(task_root, (opt / LAYER_PACKAGES_DIR,))


def without_bytecode(deployment: Deployment, root: Path) -> Deployment:
    task_root = copy_without_bytecode(deployment.task_root, root / "var" / "task")
    libraries = tuple(copy_without_bytecode(library, root / "opt" / library.name) for library in deployment.libraries)
    return Deployment(task_root, libraries)


def runtime_sdk_without_bytecode(deployment: Deployment, directory: Path) -> Path:
    """boto3 and its dependencies copied from the layer without bytecode, standing in for the
    copy the Lambda runtime carries, should it have none."""
    (layer,) = deployment.libraries
    directory.mkdir(parents=True)
    for name in RUNTIME_SDK:
        source = layer / name
        if source.is_dir():
            copy_without_bytecode(source, directory / name)
        else:
            shutil.copyfile(source, directory / name)
    return directory


def baseline_task_root(python: Path, modules: Iterable[str], directory: Path) -> Path:
    """The baselines' own one-file functions, compiled as ours is (unchecked-hash, /var/task)."""
    directory.mkdir(parents=True)
    for module in modules:
        shutil.copyfile(BENCHMARKS / f"{module}.py", directory / f"{module}.py")
    compile_tree(python, directory, FUNCTION_ROOT)
    return directory


def child_environment(
    deployment: Deployment, xray_daemon: str, settings: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Lambda's variables and the function's, and nothing of this shell's Python set-up."""
    return {
        **lambda_environment(deployment.task_root, xray_daemon),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": deployment.python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        **(settings or {}),
    }


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def make_read_only(root: Path) -> None:
    for path in (root, *root.rglob("*")):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(root: Path) -> None:
    """So the temporary directory can be removed afterwards."""
    for path in (root, *root.rglob("*")):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def assert_nothing_written(root: Path, before: set[Path]) -> None:
    written = sorted(files_under(root) - before)
    if written:
        raise RuntimeError(f"the children wrote {len(written)} files into the read-only trees, e.g. {written[:3]}")
