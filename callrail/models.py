"""An account's CallRail connection: its API key, chosen account/company, webhook receiver."""

import secrets

from django.db import models

from campaignhub.crypto import EncryptedTextField
from campaignhub.integrations import Credential
from campaignhub.models import Account
from campaignhub.tenancy import AccountQuerySet


class CallRailKey(Credential):
    """An account's CallRail API key (`secret`): one live key per account, soft deleted."""

    class Meta(Credential.Meta):
        verbose_name = "CallRail key"


def new_webhook_token():
    return secrets.token_urlsafe(32)


class CallRailSettings(models.Model):
    """The CallRail account and company this agency works in, and its webhook receiver."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="callrail_settings"
    )
    callrail_account_id = models.CharField(max_length=64, blank=True)
    callrail_account_name = models.CharField(max_length=255, blank=True)
    company_id = models.CharField(max_length=64, blank=True)
    company_name = models.CharField(max_length=255, blank=True)
    script_url = models.URLField(max_length=500, blank=True, help_text="The company's DNI script.")
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    webhook_id = models.CharField(max_length=64, blank=True)
    signing_key = EncryptedTextField(blank=True, help_text="The company's webhook signing key.")
    signing_key_saved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the signing key in use was saved or removed."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "CallRail settings"

    def __str__(self):
        return f"CallRail for {self.account}"
