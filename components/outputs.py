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
DASHBOARD_URL = "dashboardUrl"
# The domain events: the topic other teams subscribe to, and the stack's own integration queue.
EVENTS_TOPIC_ARN = "eventsTopicArn"
EVENTS_QUEUE_URL = "eventsQueueUrl"
# The real-time WebSocket API (wss://…/<stage>): domain events pushed to their user's clients.
WS_URL = "wsUrl"
# With alarms on.
ALARM_TOPIC_ARN = "alarmTopicArn"
# With authMode cognito (the issuer also with jwt): what a client app signs users in with.
USER_POOL_ID = "userPoolId"
USER_POOL_CLIENT_ID = "userPoolClientId"
JWT_ISSUER = "jwtIssuer"
