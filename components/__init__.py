"""Reusable Pulumi components: PrivateNetwork, SingleTable and HttpLambdaApi, one module each."""
