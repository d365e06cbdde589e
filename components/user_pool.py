"""UserPool: a Cognito user pool and one public app client, the identity provider of the API.

Users sign up with their email as username and verify it; the app client is public (SPA and
mobile apps cannot keep a secret), signs in with SRP (the password never leaves the device) and
refreshes tokens. `issuer` and `client_id` are what a JWT authorizer checks tokens against.

Clients send the *access token* as `Authorization: Bearer …`: it is the token meant for APIs.
API Gateway's JWT authorizer matches its audiences against the access token's `client_id` claim
(an ID token's `aud`), so with the audience set to this client id either token is accepted, and
both carry the `sub` the runtime uses as the user's id.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# SRP and refresh only: no USER_PASSWORD_AUTH (the password sent to Cognito as is) and no admin
# flows (those are for servers holding AWS credentials, not for apps).
EXPLICIT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


@dataclass(frozen=True, kw_only=True)
class UserPoolArgs:
    deletion_protection: bool = False
    """Cognito deletion protection, and Pulumi `protect`: the pool holds every user's account."""
    password_minimum_length: int = 12
    temporary_password_days: int = 3
    access_token_minutes: int = 60
    id_token_minutes: int = 60
    refresh_token_days: int = 30

    def __post_init__(self) -> None:
        if not 8 <= self.password_minimum_length <= 99:
            raise ValueError("password_minimum_length must be between 8 and 99")
        # Cognito's own bounds for each token.
        if not (5 <= self.access_token_minutes <= 1440 and 5 <= self.id_token_minutes <= 1440):
            raise ValueError("access and ID tokens last between 5 minutes and one day")
        if not 1 <= self.refresh_token_days <= 3650:
            raise ValueError("refresh_token_days must be between 1 and 3650")


class UserPool(pulumi.ComponentResource):
    user_pool_id: pulumi.Output[str]
    user_pool_arn: pulumi.Output[str]
    client_id: pulumi.Output[str]
    issuer: pulumi.Output[str]
    """`https://cognito-idp.<region>.amazonaws.com/<pool id>`: the `iss` claim of its tokens."""

    def __init__(self, name: str, args: UserPoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:UserPool", name, None, opts)
        self._name = name
        self._args = args

        pool = self._create_pool()
        client = self._create_client(pool)

        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.client_id = client.id
        self.issuer = pulumi.Output.concat("https://", pool.endpoint)
        self.register_outputs(
            {
                "userPoolId": self.user_pool_id,
                "userPoolArn": self.user_pool_arn,
                "clientId": self.client_id,
                "issuer": self.issuer,
            }
        )

    def _create_pool(self) -> aws.cognito.UserPool:
        args = self._args
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
                minimum_length=args.password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=args.temporary_password_days,
            ),
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(name="verified_email", priority=1)
                ]
            ),
            # MFA off for now: turning it on (OPTIONAL with TOTP) needs a software-token setup
            # flow in the apps. It can be switched on later without recreating the pool.
            mfa_configuration="OFF",
            # Cognito's own sender allows 50 emails a day: enough for a team and a
            # launch, not for growth. Move to SES (`email_configuration`) before that.
            email_configuration=aws.cognito.UserPoolEmailConfigurationArgs(email_sending_account="COGNITO_DEFAULT"),
            # Lite covers everything here (passwords, SRP, email verification); Essentials adds
            # passwordless sign-in and password history at a higher price per active user.
            user_pool_tier="LITE",
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            opts=pulumi.ResourceOptions(parent=self, protect=args.deletion_protection),
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
            access_token_validity=args.access_token_minutes,
            id_token_validity=args.id_token_minutes,
            refresh_token_validity=args.refresh_token_days,
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
