"""The JSON Schema document of the domain events, generated from their models.

`python -m runtime.events.schemas > events.schema.json` writes it; a test checks that the committed
document matches the code, as `openapi.json` does for the API. One document: each event type is a
definition under `$defs`, named in `x-eventTypes` with its schema version, and the root accepts
any one of them.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from runtime.events.models import EVENT_TYPES, event_type_name

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_REF_TEMPLATE = "#/$defs/{model}"


def document() -> dict[str, Any]:
    _, generated = models_json_schema(
        [(event_type, "serialization") for event_type in EVENT_TYPES], by_alias=True, ref_template=_REF_TEMPLATE
    )
    refs = {event_type_name(event_type): _REF_TEMPLATE.format(model=event_type.__name__) for event_type in EVENT_TYPES}
    return {
        "$schema": DRAFT,
        "title": "Domain events of the users and items API",
        "description": (
            "Published to the events SNS topic, one message per event: the body is the envelope (`id`, `type`,"
            " `version`, `occurredAt`, `userId`, `data`); the message attributes `eventType` and `userId` repeat"
            " `type` and `userId` for subscription filter policies. Delivery is at least once: dedupe on `id`."
        ),
        "x-eventTypes": {
            name: {"version": event_type.model_fields["version"].default, "$ref": refs[name]}
            for name, event_type in zip(refs, EVENT_TYPES, strict=True)
        },
        "oneOf": [{"$ref": ref} for ref in refs.values()],
        "$defs": generated["$defs"],
    }


def document_json() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(document_json(), end="")
