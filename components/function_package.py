"""FunctionPackage: what every function of the stack runs, deployed once.

`make package` builds one archive of the runtime and one dependency layer
(`components.lambda_artifacts`); this component uploads the layer as a layer version and hands
each function its `FunctionCode`: the shared archive, a handler in it, and the layer when the
handler imports more than the standard library.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import lambda_package
from components.lambda_artifacts import Artifacts
from components.lambda_function import FunctionCode


class FunctionPackage(pulumi.ComponentResource):
    layer_arn: pulumi.Output[str]

    def __init__(self, name: str, artifacts: Artifacts, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:FunctionPackage", name, None, opts)
        self._archive = pulumi.FileArchive(str(artifacts.function_zip))
        # A new layer version whenever the archive's bytes change; the build makes them reproducible.
        layer = aws.lambda_.LayerVersion(
            f"{name}-dependencies",
            layer_name=f"{name}-dependencies-{pulumi.get_stack()}",
            description="Locked runtime dependencies of the functions, precompiled (make package)",
            code=pulumi.FileArchive(str(artifacts.layer_zip)),
            compatible_runtimes=[lambda_package.PYTHON_RUNTIME],
            compatible_architectures=[lambda_package.ARCHITECTURE],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.layer_arn = layer.arn
        self.register_outputs({"layerArn": self.layer_arn})

    def code(self, handler: str, *, dependencies: bool = True) -> FunctionCode:
        """This handler in the shared archive; `dependencies=False` for a handler that imports only
        the standard library, which then loads no layer."""
        return FunctionCode(
            archive=self._archive,
            handler=handler,
            layers=[self.layer_arn] if dependencies else (),
            python_runtime=lambda_package.PYTHON_RUNTIME,
            architecture=lambda_package.ARCHITECTURE,
        )
