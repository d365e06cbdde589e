"""The stack: PrivateNetwork -> SingleTable -> HttpLambdaApi.

The three components are built in the infrastructure issue; until then this program declares
no resources, so `pulumi up` on it creates nothing.
"""
