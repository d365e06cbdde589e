"""The build of function.zip and layer.zip: deterministic zips, unchecked-hash bytecode naming
Lambda's paths, a layer without console scripts, staleness, and the error without a python3.13.

Nothing here downloads: the layer test installs a wheel it makes itself, with pip's index off.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from components.lambda_artifacts import (
    FUNCTION_ROOT,
    ArchiveSize,
    BuildError,
    compile_tree,
    describe,
    ensure_artifacts,
    find_python,
    inputs_digest,
    install_layer,
    is_current,
    stage_function,
    write_manifest,
    write_zip,
)
from components.lambda_package import runtime_sources
from components.runtime_lock import LOCK
from tests.infra.stacks import ROOT
from tests.support.lambda_artifacts import write_stand_in_artifacts

# The first 16 bytes of a .pyc: magic, flags, then (hash-based) the source's hash. Flags 0b01
# is "hash-based, not checked against the source" (PEP 552).
_UNCHECKED_HASH = 1


@pytest.fixture
def python313() -> Path:
    try:
        return find_python()
    except BuildError as error:
        pytest.skip(f"needs a python3.13: {error}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the archives are built from: runtime/ and the lock."""
    shutil.copytree(ROOT / "runtime", tmp_path / "runtime", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / LOCK).parent.mkdir(parents=True)
    shutil.copyfile(ROOT / LOCK, tmp_path / LOCK)
    return tmp_path


def test_a_zip_is_sorted_dated_1980_and_0644_whatever_the_files_times_and_modes(tmp_path):
    tree = tmp_path / "tree"
    for name in ("b/z.py", "a.py", "b/a.so", "c/__pycache__/m.cpython-313.pyc"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(name.encode())
    (tree / "b/a.so").chmod(0o755)
    write_zip(tree, tmp_path / "first.zip")
    os.utime(tree / "a.py", (0, 2_000_000_000))
    (tree / "a.py").chmod(0o600)
    write_zip(tree, tmp_path / "second.zip")

    with zipfile.ZipFile(tmp_path / "second.zip") as archive:
        entries = archive.infolist()
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    assert [entry.filename for entry in entries] == ["a.py", "b/a.so", "b/z.py", "c/__pycache__/m.cpython-313.pyc"]
    assert {(entry.date_time, entry.external_attr >> 16) for entry in entries} == {((1980, 1, 1, 0, 0, 0), 0o100644)}


def test_the_function_archive_is_runtime_with_unchecked_hash_bytecode_that_names_var_task(tmp_path, python313):
    archives = []
    for build in ("one", "two"):  # two builds in two places give the same bytes
        tree = tmp_path / build / "function"
        stage_function(ROOT, tree)
        compile_tree(python313, tree, FUNCTION_ROOT)
        write_zip(tree, tmp_path / build / "function.zip")
        archives.append((tmp_path / build / "function.zip").read_bytes())

    assert archives[0] == archives[1]
    with zipfile.ZipFile(tmp_path / "one" / "function.zip") as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    for source in runtime_sources(ROOT):
        directory, module = source.rsplit("/", 1)
        bytecode = contents[f"{directory}/__pycache__/{module.removesuffix('.py')}.cpython-313.pyc"]
        assert int.from_bytes(bytecode[4:8], "little") == _UNCHECKED_HASH, source
        assert str(FUNCTION_ROOT / source).encode() in bytecode, source
        assert str(tmp_path).encode() not in bytecode, source
    assert set(contents) == set(runtime_sources(ROOT)) | {name for name in contents if name.endswith(".pyc")}


def _wheel(directory: Path, name: str, version: str) -> Path:
    """A pure wheel with one module and a console script, as build backends write them."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 1\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": f"[console_scripts]\n{name} = {name}:main\n".encode(),
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()
    )
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in {**files, f"{dist_info}/RECORD": f"{record}{dist_info}/RECORD,,\n".encode()}.items():
            archive.writestr(path, data)
    return wheel


def test_the_layer_holds_the_locked_wheels_from_the_cache_without_scripts_or_bytecode(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # whatever happens, pip reaches no index
    wheel = _wheel(tmp_path / "wheels", "demo", "1.0")
    lock = tmp_path / "runtime.lock"
    lock.write_text(f"demo==1.0 \\\n    --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n")

    install_layer(tmp_path / "layer" / "python", "arm64", lock, tmp_path / "wheels")

    installed = tmp_path / "layer" / "python"
    assert sorted(path.name for path in installed.iterdir()) == ["demo", "demo-1.0.dist-info"]
    assert not list(installed.rglob("*.pyc"))
    record = (installed / "demo-1.0.dist-info" / "RECORD").read_text()
    assert "demo/__init__.py," in record
    assert not [line for line in record.splitlines() if line.startswith("../")], record


def test_a_wheel_whose_hash_is_not_the_locked_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    _wheel(tmp_path / "wheels", "demo", "1.0")
    lock = tmp_path / "runtime.lock"
    lock.write_text(f"demo==1.0 \\\n    --hash=sha256:{'0' * 64}\n")

    with pytest.raises(subprocess.CalledProcessError):
        install_layer(tmp_path / "layer" / "python", "arm64", lock, tmp_path / "wheels")


def test_archives_are_current_until_the_lock_a_runtime_source_or_an_archive_changes(project):
    directory = project / "build" / "arm64"
    write_stand_in_artifacts(project, directory)
    assert not is_current(directory, inputs_digest(project, "arm64")), "no manifest yet"
    write_manifest(directory, inputs_digest(project, "arm64"), compiled_by="3.13.0")
    assert is_current(directory, inputs_digest(project, "arm64"))
    assert not is_current(directory, inputs_digest(project, "x86_64"))

    handler = project / "runtime" / "handler.py"
    original = handler.read_text()
    handler.write_text(original + "\n# changed\n")
    assert not is_current(directory, inputs_digest(project, "arm64"))
    handler.write_text(original)

    (project / LOCK).write_text((project / LOCK).read_text() + "\n")
    assert not is_current(directory, inputs_digest(project, "arm64"))
    shutil.copyfile(ROOT / LOCK, project / LOCK)
    assert is_current(directory, inputs_digest(project, "arm64"))

    with (directory / "layer.zip").open("ab") as layer:
        layer.write(b"\0")
    assert not is_current(directory, inputs_digest(project, "arm64"))


def test_up_to_date_archives_are_returned_without_building(project, monkeypatch):
    directory = project / "build" / "arm64"
    expected = write_stand_in_artifacts(project, directory)
    write_manifest(directory, inputs_digest(project, "arm64"), compiled_by="3.13.0")
    monkeypatch.setenv("LAMBDA_PYTHON", sys.executable)  # building would fail: this is no python3.13

    assert ensure_artifacts("arm64", project) == expected


def test_without_a_python313_the_build_stops_with_one_line_saying_how_to_get_one(project, monkeypatch):
    monkeypatch.setenv("LAMBDA_PYTHON", sys.executable)

    with pytest.raises(BuildError) as raised:
        ensure_artifacts("arm64", project)

    message = str(raised.value)
    assert "\n" not in message
    assert f"LAMBDA_PYTHON={sys.executable} is not a python3.13" in message
    assert "pyenv install 3.13" in message
    assert not (project / "build" / "wheels").exists(), "nothing was downloaded"


def test_the_sizes_are_reported_against_lambdas_limits(stand_in_artifacts):
    size = ArchiveSize.of(stand_in_artifacts.function_zip)
    with zipfile.ZipFile(stand_in_artifacts.function_zip) as archive:
        assert size.unzipped == sum(len(archive.read(name)) for name in archive.namelist())

    report = "\n".join(describe(stand_in_artifacts))
    assert "direct upload limit 50 MiB" in report
    assert "limit 250 MiB" in report


def test_the_stand_in_archives_have_the_deployed_shape(stand_in_artifacts):
    with (
        zipfile.ZipFile(stand_in_artifacts.function_zip) as function,
        zipfile.ZipFile(stand_in_artifacts.layer_zip) as layer,
    ):
        assert function.namelist() == sorted(runtime_sources(ROOT))
        assert all(PurePosixPath(name).parts[0] == "python" for name in layer.namelist())


def test_the_build_modules_import_no_pulumi_so_make_package_and_the_benchmarks_stay_light():
    probe = "import sys, components.lambda_artifacts, components.runtime_lock; print('pulumi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603

    assert result.stdout.strip() == "False"
