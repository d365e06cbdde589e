"""The Lambda function: HTTP API over the single DynamoDB table.

Only this package ships in the Lambda archive. Its pure modules (`table_schema`, `routes`,
`config`) import neither boto3 nor pulumi so the infrastructure can read them too.
"""
