"""What the Lambda function is made of and what it runs on: our `runtime/` sources, the Python
runtime and architecture, and the pip options that pick wheels for them.

Pure Python (no pulumi import), so the build and the benchmarks use exactly what the stack deploys.

The project's own dependency layer (`components.lambda_artifacts`, from
`requirements/runtime.lock`) holds every library the runtime imports, boto3 included, with
bytecode; a test checks that every third-party import of the runtime is locked. It replaced the
public Powertools layer, which ships no bytecode, and the runtime's own boto3.
"""

from __future__ import annotations

from pathlib import Path

HANDLER = "runtime.handler.lambda_handler"
# The user pool's pre-token-generation trigger, shipped in the same archive (standard library only).
TOKEN_CLAIMS_HANDLER = "runtime.cognito_triggers.add_email_to_access_token"  # noqa: S105 - a handler path
# The table stream's relay to the domain-events topic (runs outside the VPC).
STREAM_RELAY_HANDLER = "runtime.events.relay.lambda_handler"
# What an item's schedule invokes when it falls due (in the VPC), and the reminders' emailer (outside it).
REMINDERS_HANDLER = "runtime.reminders.handler.lambda_handler"
NOTIFIER_HANDLER = "runtime.reminders.notifier.lambda_handler"

# The real-time WebSocket API's: its $connect authorizer, its routes, and the pusher of domain events.
WEBSOCKET_AUTHORIZER_HANDLER = "runtime.realtime.authorizer.lambda_handler"
WEBSOCKET_ROUTES_HANDLER = "runtime.realtime.connections.lambda_handler"
WEBSOCKET_PUSHER_HANDLER = "runtime.realtime.pusher.lambda_handler"

# The attachments' arrival check and their cleanup (both in the VPC).
ATTACHMENT_PROCESSOR_HANDLER = "runtime.attachments.processor.lambda_handler"
ATTACHMENT_CLEANUP_HANDLER = "runtime.attachments.cleanup.lambda_handler"
PYTHON_RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
# What the dependency layer can be built for: the function's own architecture, and x86_64 so
# the benchmarks can load the real archives on an x86_64 machine. Lambda's name -> the machine
# name wheels are tagged with.
WHEEL_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# Lambda's python3.13 runs on Amazon Linux 2023, whose glibc is 2.34: any manylinux_2_X wheel
# with X up to 34 runs there (manylinux_2_17 is manylinux2014, the oldest cp313 wheels use).
_GLIBC_MINORS = range(17, 35)

# What the runtime imports that Lambda's Python managed runtimes provide themselves, so neither the
# layer nor the archive ships it: the library of SnapStart's runtime hooks, "included in Python
# managed runtimes" (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html),
# imported only when Lambda initializes for a snapshot (runtime/snapstart.py). requirements/dev.txt
# pins it for the tests.
RUNTIME_PROVIDED_MODULES = frozenset({"snapshot_restore_py"})

SOURCE_PACKAGE = "runtime"
# Never shipped even when they sit under runtime/: tests and local helpers are not the function.
_EXCLUDED_NAMES = ("conftest.py",)
_EXCLUDED_PREFIXES = ("test_", ".")


def runtime_sources(project_root: Path) -> dict[str, Path]:
    """Archive path (`runtime/…`) -> file, for every Python source of the runtime package, sorted.

    Only `.py` files: `__pycache__`, `.pyc` and editor files would change the archive's hash on
    every run and give a perpetual diff.
    """
    package = project_root / SOURCE_PACKAGE
    if not (package / "__init__.py").is_file():
        raise FileNotFoundError(f"{package} is not a Python package")
    return {
        path.relative_to(project_root).as_posix(): path
        for path in sorted(package.rglob("*.py"))
        if _is_shipped(path.relative_to(package))
    }


def _is_shipped(relative: Path) -> bool:
    if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
        return False
    return relative.name not in _EXCLUDED_NAMES and not relative.name.startswith(_EXCLUDED_PREFIXES)


def python_version(python_runtime: str = PYTHON_RUNTIME) -> str:
    """python3.13 -> 3.13"""
    return python_runtime.removeprefix("python")


def wheel_target_options(architecture: str, python_runtime: str = PYTHON_RUNTIME) -> list[str]:
    """pip options that select the wheels Lambda's Python runs on `architecture`, whatever machine pip runs on."""
    if architecture not in WHEEL_MACHINES:
        raise ValueError(f"unknown architecture {architecture!r}: one of {', '.join(WHEEL_MACHINES)}")
    version = python_version(python_runtime)
    tag = "cp" + version.replace(".", "")
    platforms = [f"manylinux_2_{minor}_{WHEEL_MACHINES[architecture]}" for minor in _GLIBC_MINORS]
    return [
        "--only-binary=:all:",
        "--implementation=cp",
        f"--python-version={version}",
        f"--abi={tag}",
        *(f"--platform={platform}" for platform in platforms),
    ]
