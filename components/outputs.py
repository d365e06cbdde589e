"""Names of the stack outputs client apps read, shared by the stack and the local API.

Pure Python (no pulumi import) so `local_api` can write the same config shape locally.
"""

API_URL = "apiUrl"
REGION = "region"
TABLE_NAME = "tableName"
TABLE_ARN = "tableArn"
FUNCTION_NAME = "functionName"
VPC_ID = "vpcId"
PRIVATE_SUBNET_IDS = "privateSubnetIds"
