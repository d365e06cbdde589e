"""The two archives the function deploys, built by the project, with bytecode, byte for byte the
same on every build from the same inputs.

    build/<arch>/function.zip   runtime/ (Lambda's /var/task), each module with its .pyc
    build/<arch>/layer.zip      python/ (Lambda's /opt/python): every distribution of
                                requirements/runtime.lock, boto3 and botocore included, with .pyc
    build/<arch>/manifest.json  what they were built from and their sha256

`python -m components.lambda_artifacts [--arch arm64|x86_64]` (`make package [ARCH=x86_64]`)
builds them; `ensure_artifacts(arch)` returns them, building only when they are missing or were
built from other inputs (the lock, runtime/'s sources, this module and lambda_package.py).

Why bytecode: /var/task and /opt are read-only in Lambda, so a module shipped without its .pyc
is compiled from source on every cold start (the public Powertools layer ships none; the
cold-start benchmark measures our handler at about a third of the time with bytecode).
Timestamp-checked .pyc do not match their sources' dates in a zip with fixed timestamps, so
every .pyc is hash-based and unchecked (PEP 552): its source is never read to validate it. It is
compiled by a python3.13 (the runtime's minor version, whose bytecode
format is fixed for all its patch releases) and records the path the module has in Lambda
(`/var/task/runtime/…`, `/opt/python/…`), not the build machine's.

Reproducible: the wheels are the lock's, checked against its hashes; the compiler runs with a
fixed hash seed; console scripts (`bin/`, whose shebangs name the build machine's interpreter)
are dropped; zip entries are sorted, dated 1980-01-01 and 0644. Same inputs, same python3.13
patch release and zlib: same bytes, so a second `pulumi up` has nothing to change.

Offline: the wheels are downloaded once into build/wheels/ (shared by both architectures); a
build installs only from there, so once they are cached no network is needed.

Pure Python (no pulumi import).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from components import lambda_package
from components.lambda_package import ARCHITECTURE, PYTHON_RUNTIME, python_version, runtime_sources
from components.runtime_lock import LOCK, PROJECT_ROOT

BUILD_DIR = Path("build")
WHEEL_CACHE = BUILD_DIR / "wheels"
FUNCTION_ZIP = "function.zip"
LAYER_ZIP = "layer.zip"
MANIFEST = "manifest.json"
# Where Lambda extracts each archive: these are the paths the bytecode records.
FUNCTION_ROOT = PurePosixPath("/var/task")
LAYER_ROOT = PurePosixPath("/opt")
LAYER_PACKAGES_DIR = "python"  # /opt/python is on the Python runtime's sys.path

# Lambda's limits (AWS counts them in MiB): a zip uploaded directly, and the function with all
# its layers once extracted.
DIRECT_UPLOAD_LIMIT_BYTES = 50 * 2**20
UNZIPPED_LIMIT_BYTES = 250 * 2**20

_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644
_UNIX = 3  # a zip entry's "made by" system: its mode bits are Unix ones
# A frozenset constant's order in a .pyc follows string hashes; a fixed seed keeps it.
_HASH_SEED = "0"
_PYTHON_ENVIRONMENT_VARIABLE = "LAMBDA_PYTHON"


class BuildError(Exception):
    """The archives cannot be built here; the message says what to do about it."""


@dataclass(frozen=True)
class Artifacts:
    function_zip: Path
    layer_zip: Path

    @classmethod
    def in_directory(cls, directory: Path) -> Artifacts:
        return cls(directory / FUNCTION_ZIP, directory / LAYER_ZIP)


@dataclass(frozen=True)
class ArchiveSize:
    zipped: int
    unzipped: int

    @classmethod
    def of(cls, archive: Path) -> ArchiveSize:
        with zipfile.ZipFile(archive) as opened:
            return cls(archive.stat().st_size, sum(entry.file_size for entry in opened.infolist()))


def ensure_artifacts(
    architecture: str = ARCHITECTURE, project_root: Path = PROJECT_ROOT, wheel_cache: Path | None = None
) -> Artifacts:
    """The archives for `architecture` under build/, built first when missing or out of date."""
    directory = project_root / BUILD_DIR / architecture
    artifacts = Artifacts.in_directory(directory)
    if not is_current(directory, inputs_digest(project_root, architecture)):
        build_artifacts(architecture, project_root, wheel_cache)
    return artifacts


def inputs_digest(project_root: Path, architecture: str) -> str:
    """sha256 over everything the archives are made from, the build rules included."""
    digest = hashlib.sha256()
    for label, content in [
        ("architecture", architecture.encode()),
        ("python", PYTHON_RUNTIME.encode()),
        ("lock", (project_root / LOCK).read_bytes()),
        ("build rules", Path(__file__).read_bytes() + Path(lambda_package.__file__).read_bytes()),
        *((path, source.read_bytes()) for path, source in runtime_sources(project_root).items()),
    ]:
        digest.update(f"{label}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def is_current(directory: Path, digest: str) -> bool:
    """Whether `directory` holds archives built from inputs with this digest, unaltered since."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("inputs") != digest:
        return False
    archives = manifest.get("archives", {})
    return all(
        (directory / name).is_file() and archives.get(name, {}).get("sha256") == file_sha256(directory / name)
        for name in (FUNCTION_ZIP, LAYER_ZIP)
    )


def build_artifacts(
    architecture: str = ARCHITECTURE, project_root: Path = PROJECT_ROOT, wheel_cache: Path | None = None
) -> Artifacts:
    """Build both archives for `architecture` into build/<arch>/ and record what they came from."""
    python = find_python()
    directory = project_root / BUILD_DIR / architecture
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = Artifacts.in_directory(directory)
    with tempfile.TemporaryDirectory(prefix="lambda-artifacts-") as scratch:
        function_tree = Path(scratch) / "function"
        stage_function(project_root, function_tree)
        compile_tree(python, function_tree, FUNCTION_ROOT)
        write_zip(function_tree, artifacts.function_zip)

        layer_tree = Path(scratch) / "layer"
        install_layer(
            layer_tree / LAYER_PACKAGES_DIR,
            architecture,
            project_root / LOCK,
            wheel_cache or project_root / WHEEL_CACHE,
        )
        compile_tree(python, layer_tree, LAYER_ROOT)
        write_zip(layer_tree, artifacts.layer_zip)
    write_manifest(directory, inputs_digest(project_root, architecture), compiled_by=version_of(python))
    return artifacts


def find_python() -> Path:
    """A python3.13 to compile with: $LAMBDA_PYTHON if set, else python3.13 on PATH, else pyenv's."""
    wanted = python_version()
    configured = os.environ.get(_PYTHON_ENVIRONMENT_VARIABLE)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pyenv_pythons = [str(path) for path in sorted(pyenv_root.glob(f"versions/{wanted}*/bin/python{wanted}"))]
    candidates = [configured] if configured else [shutil.which(f"python{wanted}"), *pyenv_pythons]
    for candidate in candidates:
        if candidate and (found := _interpreter_of_version(candidate, wanted)):
            return found
    problem = (
        f"{_PYTHON_ENVIRONMENT_VARIABLE}={configured} is not a python{wanted}"
        if configured
        else f"no python{wanted} on PATH or in pyenv"
    )
    raise BuildError(
        f"{problem}, and the Lambda's bytecode is compiled by one: install it (`pyenv install {wanted}`,"
        f" `uv python install {wanted}` or your OS's python{wanted} package) and, if it is not on PATH,"
        f" set {_PYTHON_ENVIRONMENT_VARIABLE}=/path/to/python{wanted}"
    )


def _interpreter_of_version(candidate: str, version: str) -> Path | None:
    probe = f"import sys; print(sys.executable if '%d.%d' % sys.version_info[:2] == {version!r} else '')"
    try:
        completed = subprocess.run(  # noqa: S603 - a Python interpreter we were pointed at
            [candidate, "-c", probe], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    executable = completed.stdout.strip()
    return Path(executable) if completed.returncode == 0 and executable else None


def stage_function(project_root: Path, tree: Path) -> None:
    """runtime/'s shipped sources at their archive paths."""
    for archive_path, source in runtime_sources(project_root).items():
        target = tree / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def install_layer(target: Path, architecture: str, lock: Path, wheel_cache: Path) -> None:
    """Every distribution of the lock into `target`, from the wheel cache (filled first if it
    lacks some), for Lambda's Python on `architecture`; without bytecode or console scripts."""
    try:
        _pip_install_from_cache(target, architecture, lock, wheel_cache, quiet=True)
    except subprocess.CalledProcessError:
        print(f"downloading the lock's {architecture} wheels into {wheel_cache}", file=sys.stderr)
        _pip(["download", f"--dest={wheel_cache}", *_lock_options(architecture, lock)])
        shutil.rmtree(target, ignore_errors=True)
        _pip_install_from_cache(target, architecture, lock, wheel_cache, quiet=False)
    _drop_console_scripts(target)


def _lock_options(architecture: str, lock: Path) -> list[str]:
    target = lambda_package.wheel_target_options(architecture)
    return ["--no-deps", "--require-hashes", *target, f"--requirement={lock}"]


def _pip_install_from_cache(target: Path, architecture: str, lock: Path, wheel_cache: Path, *, quiet: bool) -> None:
    # --no-compile: pip would compile with its own interpreter (not 3.13) and timestamps.
    options = ["install", "--no-index", f"--find-links={wheel_cache}", "--no-compile", f"--target={target}"]
    _pip([*options, *_lock_options(architecture, lock)], capture=quiet)


def _pip(arguments: list[str], *, capture: bool = False) -> None:
    command = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check", *arguments]
    subprocess.run(command, check=True, capture_output=capture)  # noqa: S603 - our own arguments


def _drop_console_scripts(target: Path) -> None:
    """Remove bin/ (the wheels' console scripts, whose shebangs name this machine's interpreter,
    and which nothing in Lambda runs) and their rows in each RECORD, which pip writes as paths
    outside the package directory (`../../bin/jp.py`)."""
    shutil.rmtree(target / "bin", ignore_errors=True)
    for record in sorted(target.glob("*.dist-info/RECORD")):
        rows = list(csv.reader(io.StringIO(record.read_text())))
        kept = io.StringIO()
        csv.writer(kept, lineterminator="\n").writerows(row for row in rows if not row[0].startswith("../"))
        record.write_text(kept.getvalue())


def compile_tree(python: Path, tree: Path, recorded_root: PurePosixPath) -> None:
    """Unchecked-hash .pyc beside every module under `tree`, naming it as under `recorded_root`."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    environment["PYTHONHASHSEED"] = _HASH_SEED
    command = [
        str(python),
        "-m",
        "compileall",
        "-q",
        "-j0",
        "--invalidation-mode=unchecked-hash",
        f"-s{tree}",
        f"-p{recorded_root}",
        str(tree),
    ]
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)  # noqa: S603 - our own arguments


def write_zip(tree: Path, archive: Path) -> None:
    """Every file under `tree`, sorted, each dated 1980-01-01 with mode 0644; replaced atomically."""
    partial = archive.with_name(archive.name + ".partial")
    files = sorted((path.relative_to(tree).as_posix(), path) for path in tree.rglob("*") if path.is_file())
    with zipfile.ZipFile(partial, "w") as opened:
        for name, path in files:
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            entry.create_system = _UNIX
            entry.external_attr = (stat.S_IFREG | _FILE_MODE) << 16
            opened.writestr(entry, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    partial.replace(archive)


def write_manifest(directory: Path, digest: str, *, compiled_by: str) -> None:
    manifest = {
        "inputs": digest,
        "compiled_by": compiled_by,
        "archives": {
            name: {"sha256": file_sha256(directory / name), **vars(ArchiveSize.of(directory / name))}
            for name in (FUNCTION_ZIP, LAYER_ZIP)
        },
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def version_of(python: Path) -> str:
    probe = [str(python), "-c", "import platform; print(platform.python_version())"]
    return subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


def file_sha256(path: Path) -> str:
    with path.open("rb") as opened:
        return hashlib.file_digest(opened, "sha256").hexdigest()


def describe(artifacts: Artifacts) -> list[str]:
    """Each archive's sizes and sha256, against Lambda's limits."""
    function, layer = ArchiveSize.of(artifacts.function_zip), ArchiveSize.of(artifacts.layer_zip)
    mib = 2**20
    return [
        f"{artifacts.function_zip}: {function.zipped / mib:.2f} MiB zipped, {function.unzipped / mib:.2f} MiB"
        f" unzipped, sha256 {file_sha256(artifacts.function_zip)}",
        f"{artifacts.layer_zip}: {layer.zipped / mib:.2f} MiB zipped (direct upload limit"
        f" {DIRECT_UPLOAD_LIMIT_BYTES // mib} MiB), {layer.unzipped / mib:.2f} MiB unzipped,"
        f" sha256 {file_sha256(artifacts.layer_zip)}",
        f"function + layer unzipped: {(function.unzipped + layer.unzipped) / mib:.2f} MiB"
        f" (limit {UNZIPPED_LIMIT_BYTES // mib} MiB)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Build build/<arch>/function.zip and layer.zip.")
    parser.add_argument("--arch", choices=sorted(lambda_package.WHEEL_MACHINES), default=ARCHITECTURE)
    parser.add_argument("--force", action="store_true", help="rebuild even when the archives are up to date")
    parser.add_argument("--wheels", type=Path, help=f"the wheel cache (default {WHEEL_CACHE})")
    arguments = parser.parse_args()
    try:
        if arguments.force:
            artifacts = build_artifacts(arguments.arch, PROJECT_ROOT, arguments.wheels)
        else:
            artifacts = ensure_artifacts(arguments.arch, PROJECT_ROOT, arguments.wheels)
    except BuildError as error:
        raise SystemExit(f"cannot build the Lambda archives: {error}") from None
    print("\n".join(describe(artifacts)))


if __name__ == "__main__":
    main()
