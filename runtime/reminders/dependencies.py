"""The reminders function's and the notifier's objects, built once per container, lazily; tests
start each mocked account with `cache_clear()`. No repository here: the notifier never imports it."""

from __future__ import annotations

from functools import cache

import boto3
from botocore.config import Config

from runtime.config import TABLE_NAME, NotifierSettings, read_setting
from runtime.reminders.emails import SesMailer

# Well inside each function's timeout: a slow answer fails the invocation in time for a retry.
_CLIENT_CONFIG = Config(connect_timeout=1, read_timeout=3, retries={"mode": "standard", "max_attempts": 3})


@cache
def dynamodb_client() -> object:
    return boto3.client("dynamodb", config=_CLIENT_CONFIG)


@cache
def table_name() -> str:
    return read_setting(TABLE_NAME)


@cache
def notifier_settings() -> NotifierSettings:
    return NotifierSettings.from_environment()


@cache
def ses_mailer() -> SesMailer:
    settings = notifier_settings()
    return SesMailer(boto3.client("sesv2", config=_CLIENT_CONFIG), settings.sender, settings.configuration_set)
