"""What the Lambda function is made of and what it runs on: our `runtime/` sources, the Python
runtime and architecture, and the pip options that pick wheels for them.

Pure Python (no pulumi import), so the build and the benchmarks use exactly what the stack deploys.

The project's own dependency layer (`components.lambda_artifacts`, from
`requirements/runtime.lock`) holds every library the runtime imports, boto3 included, with
bytecode; a test checks that every third-party import of the runtime is locked. The stack built
before it used the public Powertools layer (its version derived from the pinned powertools,
checked against the SSM parameter AWS publishes) and the Lambda runtime's boto3, with `idna`,
which neither has, bundled into the archive `function_sources` lists.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HANDLER = "runtime.handler.lambda_handler"
# The user pool's pre-token-generation trigger, shipped in the same archive (standard library only).
TOKEN_CLAIMS_HANDLER = "runtime.cognito_triggers.add_email_to_access_token"  # noqa: S105 - a handler path
PYTHON_RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
# What the dependency layer can be built for: the function's own architecture, and x86_64 so
# the benchmarks can load the real archives on an x86_64 machine. Lambda's name -> the machine
# name wheels are tagged with.
WHEEL_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# Lambda's python3.13 runs on Amazon Linux 2023, whose glibc is 2.34: any manylinux_2_X wheel
# with X up to 34 runs there (manylinux_2_17 is manylinux2014, the oldest cp313 wheels use).
_GLIBC_MINORS = range(17, 35)

# The layer version AWS publishes for this powertools version. Powertools publishes one layer
# version per release (3.1.0 is 2, 3.4.1 is 6, 3.31.1 is 36; 3.32 and 3.33 were never released),
# which makes 3.37.0 layer 40: derived, not read from AWS, so the stack checks it against the
# public SSM parameter AWS publishes per release (`powertools_layer_parameter`) on every
# preview and `pulumi up` unless `verifyPowertoolsLayer` is off, and names the right number if
# they differ. By hand: `aws ssm get-parameter --name <that parameter>`.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_VERSION = 40
# The account AWS publishes the Powertools layers from, in the commercial partition.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"

# Shipped in the function's archive while it runs on the public Powertools layer, which lacks it;
# the project's own layer (components.lambda_artifacts) holds it with everything else.
BUNDLED_PACKAGES = ("idna",)

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


def bundled_sources() -> dict[str, Path]:
    """Archive path (`idna/…`) -> file, for every Python source of each bundled package as
    installed here; the same pinned version gives the same files, so the archive stays stable."""
    sources: dict[str, Path] = {}
    for name in BUNDLED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError(f"{name} is not installed: install requirements/runtime.txt")
        package = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(package)
            if "__pycache__" not in relative.parts:
                sources[f"{name}/{relative.as_posix()}"] = path
    return sources


def function_sources(project_root: Path) -> dict[str, Path]:
    """Everything the function's archive holds: the runtime's sources and the bundled packages."""
    return dict(sorted({**runtime_sources(project_root), **bundled_sources()}.items()))


def _is_shipped(relative: Path) -> bool:
    if any(part == "__pycache__" or part.startswith(".") for part in relative.parts):
        return False
    return relative.name not in _EXCLUDED_NAMES and not relative.name.startswith(_EXCLUDED_PREFIXES)


def powertools_layer_parameter(
    *,
    python_runtime: str = PYTHON_RUNTIME,
    architecture: str = ARCHITECTURE,
    powertools_version: str = POWERTOOLS_VERSION,
) -> str:
    """The public SSM parameter whose value is the layer ARN AWS published for that release."""
    return f"/aws/service/powertools/python/{architecture}/{python_runtime}/{powertools_version}"


def powertools_layer_arn(
    region: str,
    *,
    python_runtime: str = PYTHON_RUNTIME,
    architecture: str = ARCHITECTURE,
    layer_version: int = POWERTOOLS_LAYER_VERSION,
) -> str:
    """The public Powertools for AWS Lambda (Python) v3 layer for this region, runtime and CPU."""
    python_tag = python_runtime.replace(".", "")  # python3.13 -> python313
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{python_tag}-{architecture}:{layer_version}"
    )


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
