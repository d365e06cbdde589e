"""Helpers the test suites share: payload-2.0 events, the DynamoDB call recorder, table invariants,
stand-in Lambda archives."""
