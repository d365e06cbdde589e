"""The whole backend on a laptop: the Lambda handler behind a local HTTP server, on moto's DynamoDB.

Not part of the Lambda package: `components.lambda_package` ships `runtime/` only.
"""
