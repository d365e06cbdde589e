"""Archives of the deployed shape for tests that must not build them: no pip, no python3.13, no network.

`function.zip` holds runtime/'s sources at their archive paths (without bytecode), `layer.zip` one
`python/<name>-<version>.dist-info/METADATA` per pin of requirements/runtime.lock; both are
written by the build's own zip writer, so the same inputs give the same bytes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from components.lambda_artifacts import LAYER_PACKAGES_DIR, Artifacts, stage_function, write_zip
from components.runtime_lock import LOCK, read_lock


def write_stand_in_artifacts(project_root: Path, directory: Path) -> Artifacts:
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = Artifacts.in_directory(directory)
    with tempfile.TemporaryDirectory(prefix="stand-in-artifacts-") as scratch:
        function_tree = Path(scratch) / "function"
        stage_function(project_root, function_tree)
        write_zip(function_tree, artifacts.function_zip)

        layer_tree = Path(scratch) / "layer"
        for pin in read_lock((project_root / LOCK).read_text()).values():
            metadata = layer_tree / LAYER_PACKAGES_DIR / f"{pin.name.replace('-', '_')}-{pin.version}.dist-info"
            metadata.mkdir(parents=True)
            (metadata / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {pin.name}\nVersion: {pin.version}\n")
        write_zip(layer_tree, artifacts.layer_zip)
    return artifacts
