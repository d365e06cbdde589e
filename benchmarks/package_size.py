"""Package size: the deployable archives against Lambda's limits, and what the SDK costs in the layer.

Measures `build/<arch>/function.zip` and `layer.zip` exactly as `make package` builds them
(`components.lambda_artifacts.ensure_artifacts`, for the function's architecture unless
`--arch`): zipped and unzipped sizes against Lambda's 50 MiB zipped for a direct upload and
250 MiB unzipped for the function and its layers together, the largest distributions in the
layer, the share of boto3 and what only it needs (the cost of pinning it rather than using the
Lambda runtime's copy), and whether a second build gives the same bytes.
"""

from __future__ import annotations

import argparse
import zipfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

from benchmarks._support import heading, verdict
from components.lambda_artifacts import (
    DIRECT_UPLOAD_LIMIT_BYTES,
    UNZIPPED_LIMIT_BYTES,
    ArchiveSize,
    build_artifacts,
    ensure_artifacts,
    file_sha256,
)
from components.lambda_package import ARCHITECTURE, WHEEL_MACHINES

MIB = 2**20
# What the layer holds only for boto3 (and the X-Ray SDK's botocore patch): the SDK and the
# libraries nothing else in the layer needs. jmespath stays either way: powertools needs it.
SDK_ONLY = ("boto3", "botocore", "s3transfer", "dateutil", "urllib3", "six")


def distribution_of(entry: str) -> str:
    """python/botocore/data/... -> botocore; python/six.py and python/__pycache__/six.*.pyc -> six;
    python/boto3-1.43.11.dist-info/... -> boto3; python/wrapt-stubs/... -> wrapt."""
    parts = PurePosixPath(entry).parts
    top = parts[2].split(".", 1)[0] if parts[1] == "__pycache__" else parts[1]
    name = top.split("-", 1)[0].removesuffix(".py")
    return {"python_dateutil": "dateutil"}.get(name, name)


def sizes_by_distribution(layer: Path) -> dict[str, ArchiveSize]:
    zipped: dict[str, int] = defaultdict(int)
    unzipped: dict[str, int] = defaultdict(int)
    with zipfile.ZipFile(layer) as archive:
        for entry in archive.infolist():
            if len(PurePosixPath(entry.filename).parts) > 1:
                zipped[distribution_of(entry.filename)] += entry.compress_size
                unzipped[distribution_of(entry.filename)] += entry.file_size
    return {name: ArchiveSize(zipped[name], unzipped[name]) for name in sorted(zipped, key=lambda n: -zipped[n])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(WHEEL_MACHINES), default=ARCHITECTURE)
    arguments = parser.parse_args()

    heading(f"Package size: build/{arguments.arch}/function.zip and layer.zip against Lambda's limits")
    artifacts = ensure_artifacts(arguments.arch)
    function, layer = ArchiveSize.of(artifacts.function_zip), ArchiveSize.of(artifacts.layer_zip)
    for name, size in (("function.zip", function), ("layer.zip", layer)):
        print(
            f"{name:<13} zipped {size.zipped / MIB:6.2f} MiB ({size.zipped} bytes),"
            f" unzipped {size.unzipped / MIB:6.2f} MiB"
            f"   direct upload <= {DIRECT_UPLOAD_LIMIT_BYTES // MIB} MiB zipped"
            f"  ->  {verdict(size.zipped, DIRECT_UPLOAD_LIMIT_BYTES)}"
        )
    total = function.unzipped + layer.unzipped
    print(
        f"{'together':<13} unzipped {total / MIB:6.2f} MiB   function + layers <= {UNZIPPED_LIMIT_BYTES // MIB} MiB"
        f" unzipped  ->  {verdict(total, UNZIPPED_LIMIT_BYTES)}"
    )

    by_distribution = sizes_by_distribution(artifacts.layer_zip)
    print()
    print(f"{'in the layer':<24} {'zipped MiB':>10} {'unzipped MiB':>13}")
    for name, size in by_distribution.items():
        print(f"{name:<24} {size.zipped / MIB:>10.2f} {size.unzipped / MIB:>13.2f}")
    sdk_zipped = sum(by_distribution[name].zipped for name in SDK_ONLY if name in by_distribution)
    sdk_unzipped = sum(by_distribution[name].unzipped for name in SDK_ONLY if name in by_distribution)
    print(
        f"boto3 and what only it needs ({', '.join(SDK_ONLY)}): {sdk_zipped / MIB:.2f} MiB zipped,"
        f" {sdk_unzipped / MIB:.2f} MiB unzipped; the layer without them: {(layer.zipped - sdk_zipped) / MIB:.2f} MiB"
        f" zipped, {(layer.unzipped - sdk_unzipped) / MIB:.2f} MiB unzipped"
    )

    before = {path.name: file_sha256(path) for path in (artifacts.function_zip, artifacts.layer_zip)}
    rebuilt = build_artifacts(arguments.arch)
    after = {path.name: file_sha256(path) for path in (rebuilt.function_zip, rebuilt.layer_zip)}
    print()
    for name, digest in before.items():
        print(f"{name:<13} sha256 {digest}; rebuilt: {'same bytes' if after[name] == digest else after[name]}")


if __name__ == "__main__":
    main()
