"""Reusable Pulumi components: PrivateNetwork, SingleTable and HttpLambdaApi, one module each.

Beside them: `lambda_package` (what the function is made of; no pulumi import), `stack_config`
(the stack's typed config) and `outputs` (the stack output names client apps read).
"""
