"""Reusable Pulumi components, one module each: PrivateNetwork, SingleTable, HttpLambdaApi,
UserPool (Cognito), AlarmTopic (SNS), ServiceDashboard (CloudWatch), DomainEvents,
AttachmentBucket (S3) and AttachmentStore (the attachments' processor and cleanup).

Beside them: `lambda_function` (a function with its own role and log group, and its alarms, as
every component builds one), `policies` (every IAM, KMS and endpoint policy document, to review
in one place), `alarms` (the one shape of every component's CloudWatch alarms), `lambda_package`
(what the function is made of), `runtime_lock` (requirements/runtime.lock, `make lock`),
`lambda_artifacts` (the function's and its dependency layer's archives, `make package`; these
three import no pulumi), `stack_config` (the stack's typed config) and `outputs` (the stack
output names client apps read).
"""
