"""Package size: the zip of exactly what the Lambda deploys, deflated as Pulumi archives it.

The file selection is the infrastructure's own, `components.lambda_package.function_sources`
(archive path -> file), so this measures what `pulumi up` uploads, not a guess at it.
Besides runtime/ it holds the bundled pure-Python packages (idna); powertools comes from its public
layer and boto3 from the Lambda runtime.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from benchmarks._support import REPO_ROOT, heading, verdict

TARGET_KB = 100
KB = 1000  # the stricter reading of "KB"
# A fixed timestamp, as Pulumi writes its archives, so the same sources give the same bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def zip_archive(sources: Mapping[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for archive_path in sorted(sources):
            entry = zipfile.ZipInfo(archive_path, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, sources[archive_path].read_bytes())
    return buffer.getvalue()


def main() -> None:
    heading("Package size: the Lambda archive (runtime/ and bundled packages)")
    try:
        from components.lambda_package import function_sources
    except ImportError as error:
        print(f"not measured: components.lambda_package.function_sources is not available ({error}).")
        print("This benchmark measures the infrastructure's own file selection and has no fallback of its own.")
        return

    sources = function_sources(REPO_ROOT)
    archive = zip_archive(sources)
    uncompressed = sum(path.stat().st_size for path in sources.values())
    stray = [name for name in sources if "__pycache__" in name or not name.endswith(".py")]
    largest = sorted(sources.items(), key=lambda entry: entry[1].stat().st_size, reverse=True)[:5]

    print(f"files: {len(sources)} (from components.lambda_package.function_sources)")
    print(f"not .py or under __pycache__: {', '.join(stray) if stray else 'none'}")
    print(f"largest: {', '.join(f'{name} {path.stat().st_size / KB:.1f} KB' for name, path in largest)}")
    print(f"uncompressed: {uncompressed / KB:.1f} KB ({uncompressed} bytes)")
    print(f"zipped (deflate): {len(archive) / KB:.1f} KB ({len(archive)} bytes)")
    deterministic = zip_archive(sources) == archive
    print(f"sha256 {hashlib.sha256(archive).hexdigest()[:16]}..., same bytes on a rebuild: {deterministic}")
    print(f"target: zipped <= {TARGET_KB} KB (1 KB = {KB} bytes)  ->  {verdict(len(archive) / KB, TARGET_KB)}")


if __name__ == "__main__":
    main()
