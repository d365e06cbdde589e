"""The modules the infrastructure reads must not drag the runtime's or Pulumi's dependencies in."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "runtime.table_schema",
        "runtime.routes",
        "runtime.config",
        "runtime.permissions",
        "runtime.attachments.keys",
        "runtime.attachments.content",
    ],
)
def test_shared_module_imports_neither_boto3_nor_pulumi(module):
    probe = (
        f"import sys, {module}; "
        "loaded = sorted(m for m in ('boto3', 'botocore', 'pulumi', 'pulumi_aws', 'pydantic') if m in sys.modules); "
        "print(','.join(loaded))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603

    assert result.stdout.strip() == ""
