"""Invoca on the platform's shared integration base: its connection, client and failure mapping."""

from django.conf import settings
from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem
from campaignhub.http import ApiError
from campaignhub.integrations import Upstream
from invoca.client import InvocaClient, field_errors
from invoca.models import DEFAULT_API_VERSION, InvocaConnection

NETWORK_CONNECTED_ELSEWHERE = (
    "This Invoca network is already connected to another CampaignHub account. A network's "
    "calls and advertiser campaigns belong to one account: both would see and change the same "
    "campaigns, and its calls would be held in the other. Connect this account's own network."
)


class InvocaUpstream(Upstream):
    """Invoca's Network API. Each connection carries its network id, API version and base URL,
    so clients are made from the stored connection rather than the token alone."""

    label = "Invoca"
    secret_name = "API token"
    credential_model = InvocaConnection
    address_field = "base_url"
    not_connected_message = "Invoca is not connected. Please connect your Invoca network first."
    rejected_message = "Invoca rejected the API token. Please reconnect Invoca with a valid token."
    refused_message = "Invoca did not accept this API token for this network."
    missing_message = "Enter your Invoca API token."

    def make_client(
        self, secret, *, web_request, network_id="", base_url=None, api_version=None, **fields
    ) -> InvocaClient:
        return InvocaClient(
            secret,
            network_id=network_id,
            base_url=base_url or settings.INVOCA_API_BASE,
            api_version=api_version or DEFAULT_API_VERSION,
            web_request=web_request,
        )

    def client_fields(self, credential):
        return {
            "network_id": credential.network_id,
            "base_url": credential.base_url,
            "api_version": credential.api_version,
        }

    def verify(self, client):
        client.check_access()

    def connect(
        self, *, account, secret, network_id, api_version="", base_url=""
    ) -> InvocaConnection:
        """Check the token for `network_id` at `base_url` (default INVOCA_API_BASE) with one
        Transactions API read, then make it the account's live connection (the previous one is
        soft deleted; its transactions cursor carries over when the network and address stay
        the same, so polling resumes where it was). Raises ValidationError when Invoca refuses
        the token or a value is missing, or another account has the network connected (one
        network's calls and campaigns belong to one account), ApiProblem when Invoca cannot
        answer; either way nothing changes."""
        network_id = (network_id or "").strip()
        if not network_id:
            raise ValidationError("Enter your Invoca network id.", code="required")
        base_url = (base_url or settings.INVOCA_API_BASE).strip().rstrip("/")
        if not base_url:
            raise ValidationError("Enter Invoca's API address.", code="required")
        api_version = (api_version or DEFAULT_API_VERSION).strip()
        elsewhere = InvocaConnection.objects.filter(deleted_at__isnull=True, network_id=network_id)
        if elsewhere.exclude(account=account).exists():
            raise ValidationError(NETWORK_CONNECTED_ELSEWHERE, code="connected_elsewhere")
        previous = self.live_credential(account)
        connection = super().connect(
            account=account,
            secret=secret,
            network_id=network_id,
            base_url=base_url,
            api_version=api_version,
        )
        if (
            previous is not None
            and previous.network_id == network_id
            and previous.base_url == base_url
            and previous.transactions_cursor
        ):
            connection.transactions_cursor = previous.transactions_cursor
            connection.transactions_polled_at = previous.transactions_polled_at
            InvocaConnection.objects.filter(pk=connection.pk).update(
                transactions_cursor=previous.transactions_cursor,
                transactions_polled_at=previous.transactions_polled_at,
            )
        return connection

    def problem(self, exc: ApiError, *, credential=None, not_found="Not found") -> ApiProblem:
        """As the platform maps failures, except that Invoca's 403 is a validation failure
        (external-apis.md §2.3): a 400 carrying its field errors, the IVR tree's in Invoca's
        nested shape under `ivr_tree`."""
        if exc.status == 403:
            return ApiProblem(400, exc.message, errors=field_errors(exc.payload) or None)
        return super().problem(exc, credential=credential, not_found=not_found)


INVOCA = InvocaUpstream()
