"""The Lambda entry point: API Gateway HTTP API (payload 2.0) events in, JSON responses out.

Every error a client can cause leaves here in one shape, `{"error": {code, message, details}}`:
domain errors and request validation are mapped once below; tokens without a usable subject,
and bodies that are too large or not JSON, are refused before the resolver sees the request.

Start-up: Python's collector would run some fifty times while the libraries below load, for
about a fifth of the cold start (the cold-start benchmark), finding next to nothing to free:
what start builds lives as long as the container. So it is off until the handler is built;
then everything start built is frozen (`gc.freeze`: moved where no collection scans it again)
and collection resumes for what requests allocate.

Under SnapStart (Lambda initializing the version it takes a snapshot of), start-up also builds
the DynamoDB client into the snapshot and registers what each restored environment must redo
(`runtime.snapstart`); any other start leaves the client to the first request, as before.
"""

from __future__ import annotations

import gc

_COLLECTING = gc.isenabled()
gc.disable()

# ruff: noqa: E402 - the imports below are what the collector is off for
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from runtime import errors, routes
from runtime.api import attachments, items, openapi_document, users
from runtime.api.body import refuse_unacceptable_body
from runtime.api.caller import only_own_user, refuse_unusable_token
from runtime.api.common import JSON, error_response, error_responses
from runtime.api.field_errors import field_errors
from runtime.api.query_parameters import only_declared_query_parameters
from runtime.config import initializing_for_snapshot
from runtime.dependencies import settings
from runtime.idempotency import idempotency_config
from runtime.models import FieldError, Health
from runtime.observability import logger, metrics, tracer

settings()  # fail at start, not on the first write, when the environment is incomplete
if initializing_for_snapshot():
    # Hooks count only when registered while the handler module loads; on-demand starts skip all of it.
    from runtime.snapstart import prepare_snapshot

    prepare_snapshot()

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(users.router)
app.include_router(items.router)
app.include_router(attachments.router)
app.use(middlewares=[only_own_user, only_declared_query_parameters])


@app.get(
    routes.HEALTH.resolver_path,
    summary="Liveness; touches no table",
    responses={200: {"description": "Alive"}, **error_responses(routes.HEALTH)},
)
def health() -> Health:
    return Health(status="ok")


@app.exception_handler(errors.DomainError)
def handle_domain_error(error: errors.DomainError) -> Response[str]:
    details = (
        [FieldError(field=error.field, message=error.message)]
        if isinstance(error, errors.InvalidParameterError)
        else []
    )
    return error_response(error.status, error.code, error.message, details)


@app.exception_handler(RequestValidationError)
def handle_invalid_request(error: RequestValidationError) -> Response[str]:
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(HTTPStatus.BAD_REQUEST, "malformed_json", "the body is not valid JSON")
    details = field_errors(problems)
    locations = {str(problem["loc"][0]) for problem in problems}
    if "path" in locations:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no resource has that id", details)
    if locations == {"body"}:
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "the body is invalid", details)
    return error_response(
        HTTPStatus.BAD_REQUEST, "invalid_parameter", "a query parameter or header is invalid", details
    )


@app.exception_handler(IdempotencyValidationError)
def handle_reused_idempotency_key(_: IdempotencyValidationError) -> Response[str]:
    message = "this Idempotency-Key was used with another body; use a new key for a new request"
    return error_response(HTTPStatus.CONFLICT, "idempotency_key_reused", message)


@app.exception_handler(IdempotencyAlreadyInProgressError)
def handle_idempotency_in_progress(_: IdempotencyAlreadyInProgressError) -> Response[str]:
    message = "a request with this Idempotency-Key is still in progress; retry shortly"
    return error_response(HTTPStatus.CONFLICT, "idempotency_in_progress", message)


@app.not_found
def handle_unknown_route(_: RouteNotFoundError) -> Response[str]:
    message = f"no route for {app.current_event.http_method} {app.current_event.path}"
    return error_response(HTTPStatus.NOT_FOUND, "route_not_found", message)


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


def openapi_json() -> str:
    """The OpenAPI document of this API, generated from the routes and models."""
    generated = app.get_openapi_json_schema(
        title="Users and items API",
        version="1.0.0",
        summary="User profiles and their to-do items on one DynamoDB table",
    )
    return json.dumps(openapi_document.finish(json.loads(generated)), indent=2, sort_keys=True) + "\n"


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config().register_lambda_context(context)
    refusal = refuse_unusable_token(event) or refuse_unacceptable_body(event)
    if refusal is not None:
        return {"statusCode": refusal.status_code, "headers": {"Content-Type": JSON}, "body": refusal.body}
    return app.resolve(event, context)


gc.freeze()
if _COLLECTING:
    gc.enable()
