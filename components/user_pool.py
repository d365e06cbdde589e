"""UserPool: a Cognito user pool and one public app client, the identity provider of the API.

Users sign up with their email as username and verify it; the app client is public (SPA and
mobile apps cannot keep a secret), signs in with SRP (the password never leaves the device) and
refreshes tokens. `issuer` and `client_id` are what a JWT authorizer checks tokens against.

Clients send the *access token* as `Authorization: Bearer …`: it is the token meant for APIs, and
the only one the API accepts. API Gateway's JWT authorizer matches its audiences against an access
token's `client_id` (an ID token's `aud`), so the audience alone would let ID tokens in too; the
routes therefore require `SIGNIN_SCOPE`, which SRP access tokens carry and ID tokens (no `scope`
claim) never do.

Access tokens carry no email. Given a `TokenClaimsTriggerArgs`, the pool runs on the Essentials
feature plan with a pre-token-generation trigger (event version `V2_0`, which Lite does not offer)
that adds the user's `email` and `email_verified` to every access token, so the API can bind a
profile to the address its owner verified. Without it the pool stays on Lite and tokens carry no
email. Given an SES identity, the pool mails through SES instead of Cognito's own sender (50
emails a day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.lambda_function import FunctionCode, FunctionOptions, LambdaFunctionArgs, create_lambda_function

# SRP and refresh only: no USER_PASSWORD_AUTH (the password sent to Cognito as is) and no admin
# flows (those are for servers holding AWS credentials, not for apps).
EXPLICIT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# The scope of every access token from SRP sign-in (and of none of the ID tokens): what the API's
# routes require, so only access tokens get in.
SIGNIN_SCOPE = "aws.cognito.signin.user.admin"
# The trigger event that may change access tokens (V1_0 changes ID tokens only).
PRE_TOKEN_GENERATION_VERSION = "V2_0"  # noqa: S105 - an event version
# Cognito waits 5 seconds for a trigger, then fails the sign-in: a longer timeout buys nothing.
TRIGGER_TIMEOUT_SECONDS = 5
SES_IDENTITY_ARN = re.compile(r"arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity/(?P<identity>[^/\s]+)")


@dataclass(frozen=True, kw_only=True)
class TokenClaimsTriggerArgs:
    """The pre-token-generation function: its code (standard library only), and how long its logs are kept."""

    code: FunctionCode
    log_retention_days: int = 30


@dataclass(frozen=True, kw_only=True)
class PasswordPolicy:
    """Passwords of every kind of character (lower and upper case, digits, symbols), this long."""

    minimum_length: int = 12
    temporary_password_days: int = 3
    """How long the password of an account an administrator created works before it must change."""

    def __post_init__(self) -> None:
        if not 8 <= self.minimum_length <= 99:
            raise ValueError("minimum_length must be between 8 and 99")


@dataclass(frozen=True, kw_only=True)
class TokenValidity:
    """How long the app client's tokens last."""

    access_token_minutes: int = 60
    id_token_minutes: int = 60
    refresh_token_days: int = 30

    def __post_init__(self) -> None:
        # Cognito's own bounds for each token.
        if not (5 <= self.access_token_minutes <= 1440 and 5 <= self.id_token_minutes <= 1440):
            raise ValueError("access and ID tokens last between 5 minutes and one day")
        if not 1 <= self.refresh_token_days <= 3650:
            raise ValueError("refresh_token_days must be between 1 and 3650")


@dataclass(frozen=True, kw_only=True)
class UserPoolArgs:
    deletion_protection: bool = False
    """Cognito deletion protection, and Pulumi `protect`: the pool holds every user's account."""
    passwords: PasswordPolicy = PasswordPolicy()
    tokens: TokenValidity = TokenValidity()
    token_claims_trigger: TokenClaimsTriggerArgs | None = None
    """Adds `email` and `email_verified` to access tokens; needs (and turns on) the Essentials plan."""
    email_identity_arn: str | None = None
    """An SES identity (`arn:aws:ses:<region>:<account>:identity/<address or domain>`) the pool
    mails from; None keeps Cognito's own sender, capped at 50 emails a day."""

    def __post_init__(self) -> None:
        if self.email_identity_arn is not None and not SES_IDENTITY_ARN.fullmatch(self.email_identity_arn):
            raise ValueError("email_identity_arn must be an SES identity ARN (arn:aws:ses:…:identity/…)")

    @property
    def feature_plan(self) -> str:
        """Lite covers passwords, SRP and email verification; access-token claims need Essentials."""
        return "ESSENTIALS" if self.token_claims_trigger else "LITE"


class UserPool(pulumi.ComponentResource):
    user_pool_id: pulumi.Output[str]
    user_pool_arn: pulumi.Output[str]
    client_id: pulumi.Output[str]
    issuer: pulumi.Output[str]
    """`https://cognito-idp.<region>.amazonaws.com/<pool id>`: the `iss` claim of its tokens."""
    token_claims_function_name: pulumi.Output[str] | None

    def __init__(self, name: str, args: UserPoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:UserPool", name, None, opts)
        self._name = name
        self._args = args

        trigger = self._create_token_claims_trigger(args.token_claims_trigger) if args.token_claims_trigger else None
        pool = self._create_pool(trigger)
        if trigger:
            self._allow_invocation_by(pool, trigger)
        client = self._create_client(pool)

        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.client_id = client.id
        self.issuer = pulumi.Output.concat("https://", pool.endpoint)
        self.token_claims_function_name = trigger.name if trigger else None
        self.register_outputs(
            {
                "userPoolId": self.user_pool_id,
                "userPoolArn": self.user_pool_arn,
                "clientId": self.client_id,
                "issuer": self.issuer,
                "tokenClaimsFunctionName": self.token_claims_function_name,
            }
        )

    def _create_pool(self, trigger: aws.lambda_.Function | None) -> aws.cognito.UserPool:
        args = self._args
        lambda_config = None
        if trigger:
            lambda_config = aws.cognito.UserPoolLambdaConfigArgs(
                pre_token_generation_config=aws.cognito.UserPoolLambdaConfigPreTokenGenerationConfigArgs(
                    lambda_arn=trigger.arn, lambda_version=PRE_TOKEN_GENERATION_VERSION
                )
            )
        return aws.cognito.UserPool(
            self._name,
            name=f"{self._name}-{pulumi.get_stack()}",
            # The email is the username, verified by a code Cognito mails at sign-up.
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(case_sensitive=False),
            # A changed email stays unverified (and the old one in use) until the code is entered.
            user_attribute_update_settings=aws.cognito.UserPoolUserAttributeUpdateSettingsArgs(
                attributes_require_verification_before_updates=["email"]
            ),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=args.passwords.minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=args.passwords.temporary_password_days,
            ),
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(name="verified_email", priority=1)
                ]
            ),
            # MFA off for now: turning it on (OPTIONAL with TOTP) needs a software-token setup
            # flow in the apps. It can be switched on later without recreating the pool.
            mfa_configuration="OFF",
            email_configuration=self._email_configuration(),
            user_pool_tier=args.feature_plan,
            lambda_config=lambda_config,
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            opts=pulumi.ResourceOptions(parent=self, protect=args.deletion_protection),
        )

    def _email_configuration(self) -> aws.cognito.UserPoolEmailConfigurationArgs:
        # Cognito's own sender allows 50 emails a day: enough for a team and a launch, not for
        # sign-up traffic. With an SES identity the pool sends through SES, from that address, or
        # from no-reply@ a verified domain.
        identity_arn = self._args.email_identity_arn
        if identity_arn is None:
            return aws.cognito.UserPoolEmailConfigurationArgs(email_sending_account="COGNITO_DEFAULT")
        return aws.cognito.UserPoolEmailConfigurationArgs(
            email_sending_account="DEVELOPER", source_arn=identity_arn, from_email_address=sender_address(identity_arn)
        )

    def _create_token_claims_trigger(self, trigger: TokenClaimsTriggerArgs) -> aws.lambda_.Function:
        """A small function outside any VPC: it reads only the event Cognito hands it."""
        function_args = LambdaFunctionArgs(
            name=f"{self._name}-{pulumi.get_stack()}-token-claims",
            code=trigger.code,
            options=FunctionOptions(
                memory_mb=128, timeout_seconds=TRIGGER_TIMEOUT_SECONDS, log_retention_days=trigger.log_retention_days
            ),
        )
        return create_lambda_function(f"{self._name}-token-claims", function_args, parent=self).function

    def _allow_invocation_by(self, pool: aws.cognito.UserPool, trigger: aws.lambda_.Function) -> None:
        aws.lambda_.Permission(
            f"{self._name}-token-claims",
            action="lambda:InvokeFunction",
            function=trigger.name,
            principal="cognito-idp.amazonaws.com",
            # This pool only, not any user pool of any account.
            source_arn=pool.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_client(self, pool: aws.cognito.UserPool) -> aws.cognito.UserPoolClient:
        args = self._args
        return aws.cognito.UserPoolClient(
            self._name,
            name=f"{self._name}-{pulumi.get_stack()}-app",
            user_pool_id=pool.id,
            # Public client: a secret shipped in a browser or a mobile app is no secret.
            generate_secret=False,
            explicit_auth_flows=list(EXPLICIT_AUTH_FLOWS),
            # "Incorrect username or password" whether or not the account exists.
            prevent_user_existence_errors="ENABLED",
            access_token_validity=args.tokens.access_token_minutes,
            id_token_validity=args.tokens.id_token_minutes,
            refresh_token_validity=args.tokens.refresh_token_days,
            # Units of the validities above, not secrets.
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes",  # noqa: S106
                id_token="minutes",  # noqa: S106
                refresh_token="days",  # noqa: S106
            ),
            # Signing out revokes the refresh token, so no new tokens come from it. API Gateway
            # checks signatures, not revocation: an access token works until it expires, which
            # is why it lasts an hour and not a day.
            enable_token_revocation=True,
            opts=pulumi.ResourceOptions(parent=self),
        )


def sender_address(identity_arn: str) -> str:
    """The From address for an SES identity: the address itself, or no-reply@ a domain identity."""
    match = SES_IDENTITY_ARN.fullmatch(identity_arn)
    if match is None:
        raise ValueError(f"{identity_arn!r} is not an SES identity ARN")
    identity = match["identity"]
    return identity if "@" in identity else f"no-reply@{identity}"
