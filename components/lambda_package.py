"""What the Lambda function is made of: our `runtime/` sources, and everything else from AWS.

Pure Python (no pulumi import), so the benchmarks zip exactly the files the stack deploys.

Third-party code is not in the archive: powertools (with pydantic and the X-Ray SDK) comes from
the public Powertools layer, boto3 from the Lambda runtime itself. The layer version is pinned to
the powertools version `requirements/runtime.txt` pins, and a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path

HANDLER = "runtime.handler.lambda_handler"
PYTHON_RUNTIME = "python3.13"
ARCHITECTURE = "arm64"

# The layer version AWS published for this powertools version. To verify, or after a bump:
#   aws ssm get-parameter --name /aws/service/powertools/python/arm64/python3.13/3.37.0
# returns the exact layer ARN (AWS publishes these public SSM parameters in every region).
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_VERSION = 27
# The account AWS publishes the Powertools layers from, in the commercial partition.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"

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
