"""The user pool's pre-token-generation trigger: the verified email in every access token.

Cognito's access tokens carry no email, so the API could not tell which address a caller owns.
With trigger event version `V2_0` (user pools on the Essentials or Plus feature plan) the
function may add claims to the access token; it copies the user's `email` and `email_verified`
attributes there, as Cognito writes them into the ID token. The runtime then lets a profile hold
only the email its caller verified.

Cognito invokes it on every sign-in and token refresh, so a refreshed token carries the current
address. It reads nothing but the event: standard library only (no layer, no VPC, no table).
"""

from __future__ import annotations

from typing import Any

EMAIL_CLAIMS = ("email", "email_verified")


def add_email_to_access_token(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Answer a `V2_0` pre-token-generation event with the user's email claims added to the
    access token (and nothing else changed); a user without an email gets no claims."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    claims = access_token_email_claims(attributes)
    event["response"] = {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"claimsToAddOrOverride": claims}}}
    return event


def access_token_email_claims(attributes: dict[str, str]) -> dict[str, str | bool]:
    """`email` as the pool holds it and `email_verified` as a boolean, as in an ID token. Cognito
    hands attributes over as strings (`"true"`), and keeps a changed email unverified-pending: the
    attribute stays the old, verified address until the new one's code is entered."""
    email = attributes.get("email")
    if not email:
        return {}
    return {"email": email, "email_verified": attributes.get("email_verified") == "true"}
