"""What the Lambda function is made of: our `runtime/` sources, the few pure-Python libraries
nothing else provides, and everything else from AWS.

Pure Python (no pulumi import), so the benchmarks zip exactly the files the stack deploys.

Powertools (with pydantic and the X-Ray SDK) comes from the public Powertools layer, boto3 from
the Lambda runtime itself. The layer version is pinned to the powertools version
`requirements/runtime.txt` pins, and a test keeps the two in step. What the runtime imports
beyond those (`idna`, for canonical email domains) ships in the archive, at its import path,
from the environment that installed `requirements/runtime.txt`'s pin; a test checks that every
third-party import of the runtime has one of these sources.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HANDLER = "runtime.handler.lambda_handler"
# The user pool's pre-token-generation trigger, shipped in the same archive (standard library only).
TOKEN_CLAIMS_HANDLER = "runtime.cognito_triggers.add_email_to_access_token"  # noqa: S105 - a handler path
PYTHON_RUNTIME = "python3.13"
ARCHITECTURE = "arm64"

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

# Top-level packages the runtime may import, by who provides them in Lambda.
LAYER_PACKAGES = ("aws_lambda_powertools", "aws_xray_sdk", "pydantic", "pydantic_core", "typing_extensions")
LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore")
BUNDLED_PACKAGES = ("idna",)

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
