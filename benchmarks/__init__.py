"""Benchmarks of the Lambda runtime: cold start, warm requests, DynamoDB round trips, package size.

Run one with `.venv/bin/python -m benchmarks.<name>` from the repository root, or all of them
with `.venv/bin/python -m benchmarks.run_all`. Each prints its figures, its target and PASS/MISS
as information; none of them fails.
"""
