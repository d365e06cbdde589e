"""The function's archive holds exactly the runtime's sources, and the layer's lock every library they import."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from components import lambda_package
from components.lambda_package import runtime_sources
from components.runtime_lock import LOCK, read_lock
from tests.infra.stacks import ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose runtime/ also holds everything that must stay out of the archive."""
    files = [
        "runtime/__init__.py",
        "runtime/handler.py",
        "runtime/api/__init__.py",
        "runtime/api/items.py",
        "runtime/__pycache__/handler.cpython-311.pyc",
        "runtime/api/__pycache__/items.cpython-313.pyc",
        "runtime/handler.pyc",
        "runtime/notes.txt",
        "runtime/.scratch.py",
        "runtime/.venv/lib/site.py",
        "runtime/test_handler.py",
        "runtime/conftest.py",
        "runtime.py",
        "tests/test_runtime.py",
    ]
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# source\n")
    return tmp_path


def test_only_python_sources_of_the_runtime_package_are_shipped(project):
    assert list(runtime_sources(project)) == [
        "runtime/__init__.py",
        "runtime/api/__init__.py",
        "runtime/api/items.py",
        "runtime/handler.py",
    ]


def test_archive_paths_map_to_the_files_under_the_project(project):
    for archive_path, source in runtime_sources(project).items():
        assert source == project / archive_path


def test_a_project_without_the_runtime_package_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="runtime"):
        runtime_sources(tmp_path)


def test_the_real_archive_is_the_runtime_packages_py_files_with_the_handler():
    sources = runtime_sources(ROOT)

    on_disk = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "runtime").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert set(sources) == on_disk
    assert all(name.startswith("runtime/") and name.endswith(".py") for name in sources)
    assert not [name for name in sources if "__pycache__" in name]
    assert "runtime/__init__.py" in sources


@pytest.mark.parametrize(
    "handler",
    [
        lambda_package.HANDLER,
        lambda_package.TOKEN_CLAIMS_HANDLER,
        lambda_package.STREAM_RELAY_HANDLER,
        lambda_package.REMINDERS_HANDLER,
        lambda_package.NOTIFIER_HANDLER,
        lambda_package.WEBSOCKET_AUTHORIZER_HANDLER,
        lambda_package.WEBSOCKET_ROUTES_HANDLER,
        lambda_package.WEBSOCKET_PUSHER_HANDLER,
    ],
)
def test_each_handler_setting_names_a_function_defined_in_a_shipped_module(handler):
    module, function = handler.rsplit(".", 1)
    source = runtime_sources(ROOT)[module.replace(".", "/") + ".py"].read_text()

    assert re.search(rf"^def {function}\(", source, re.MULTILINE), f"{handler} is not defined"


def test_the_package_module_imports_no_pulumi_so_benchmarks_can_use_it():
    probe = "import sys, components.lambda_package; print('pulumi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603

    assert result.stdout.strip() == "False"


def test_the_function_runs_a_supported_python_on_arm64():
    assert re.fullmatch(r"python3\.(1[2-9])", lambda_package.PYTHON_RUNTIME)
    assert lambda_package.ARCHITECTURE == "arm64"


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level package -> the runtime modules importing it, for everything not in the standard library."""
    found: dict[str, set[str]] = {}
    for archive_path, path in runtime_sources(ROOT).items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != lambda_package.SOURCE_PACKAGE:
                    found.setdefault(top, set()).add(archive_path)
    return found


def _distributions_of(module: str) -> set[str]:
    return {canonicalize_name(name) for name in importlib.metadata.packages_distributions().get(module, [])}


def test_every_library_the_runtime_imports_is_a_distribution_of_the_layers_lock():
    lock = read_lock((ROOT / LOCK).read_text())

    unlocked = {
        name: sorted(modules)
        for name, modules in _third_party_imports().items()
        if name not in lambda_package.RUNTIME_PROVIDED_MODULES and not _distributions_of(name) & set(lock)
    }
    assert not unlocked, f"imported by the runtime but not locked (pin it in runtime.txt, `make lock`): {unlocked}"


@pytest.mark.parametrize("module", sorted(lambda_package.RUNTIME_PROVIDED_MODULES))
def test_what_lambdas_runtime_provides_is_imported_and_never_shipped(module):
    lock = read_lock((ROOT / LOCK).read_text())
    distributions = _distributions_of(module)

    assert module in _third_party_imports(), f"{module} is no longer imported: drop it from RUNTIME_PROVIDED_MODULES"
    assert distributions, f"{module} is not installed: requirements/dev.txt pins it for the tests"
    assert not distributions & set(lock), f"{module} is in the layer, which must not shadow Lambda's own"
    assert not [path for path in runtime_sources(ROOT) if path.split("/")[0] == module]
