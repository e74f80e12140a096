"""What every upstream integration shares: its stored credential, its client, and how the
upstream's failures reach our users as API problems."""

import logging
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from campaignhub.api import ApiProblem
from campaignhub.crypto import EncryptedTextField
from campaignhub.http import LINK_LOCAL_MESSAGE, ApiError, BaseClient, link_local_address
from campaignhub.models import Account
from campaignhub.tenancy import AccountQuerySet

logger = logging.getLogger(__name__)


class Credential(models.Model):
    """An account's secret for one upstream (an API key or token), encrypted at rest.

    An account has at most one live (not deleted) credential per upstream, which the database
    enforces with a conditional unique constraint each subclass gets under its own name
    (`<app>_<model>_one_live`). Removing one is a soft delete: the row stays for the record and
    the secret is wiped. `rejected_at` is when the upstream last refused it (HTTP 401).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    secret = EncryptedTextField()
    last4 = models.CharField(max_length=4)
    rejected_at = models.DateTimeField(
        null=True, blank=True, help_text="When the upstream last refused it (HTTP 401)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(deleted_at__isnull=True),
                name="%(app_label)s_%(class)s_one_live",
            ),
        ]

    def __str__(self):
        return f"…{self.last4}"


class NotConnected(ApiProblem):
    """The account has no live credential for the upstream: a 400 with the upstream's message."""

    def __init__(self, message):
        super().__init__(400, message)


@dataclass
class Connection:
    """An account's live credential and a client that sends it."""

    credential: Credential
    client: BaseClient


class Upstream:
    """One upstream API as the platform sees it: credentials, clients and failure mapping.

    A subclass sets `label` (the upstream's name in messages), `secret_name` (what its users
    call the secret), `credential_model` (its `Credential` subclass), and implements
    `make_client` and `verify`; it may replace the messages with the upstream's reference ones.
    """

    label = ""
    secret_name = "API key"
    credential_model: type[Credential]
    # The field a connection's own address is entered in (None: the address is the operator's,
    # from the environment), which connect's address problems name.
    address_field: str | None = None

    @property
    def not_connected_message(self):
        return (
            f"{self.label} is not connected. Please add your {self.label} {self.secret_name} first."
        )

    @property
    def rejected_message(self):
        return (
            f"{self.label} rejected the {self.secret_name}. "
            f"Please reconnect {self.label} with a valid {self.secret_name}."
        )

    @property
    def name(self):
        """The upstream's name inside a sentence ("Could not reach the dialer")."""
        return self.label

    @property
    def missing_message(self):
        return f"Enter your {self.label} {self.secret_name}."

    @property
    def refused_message(self):
        return f"{self.label} did not accept this {self.secret_name}."

    def make_client(self, secret: str, *, web_request: bool, **fields) -> BaseClient:
        """The upstream's client sending `secret`; `web_request` as in `BaseClient`; `fields`
        are the credential's own extra fields (see `client_fields`)."""
        raise NotImplementedError

    def client_fields(self, credential: Credential) -> dict:
        """Fields of a stored credential its client needs besides the secret (e.g. a base URL
        when each connection has its own); none by default."""
        return {}

    def verify(self, client: BaseClient) -> None:
        """One cheap call that succeeds only with a valid secret; raises ApiError otherwise."""
        raise NotImplementedError

    # Credentials

    def live_credential(self, account: Account) -> Credential | None:
        """The account's live credential, or None when it has none."""
        return (
            self.credential_model.objects.for_account(account)
            .filter(deleted_at__isnull=True)
            .first()
        )

    def connection_for(self, account: Account, *, web_request: bool = False) -> Connection:
        """The account's live credential with a client sending it.

        Raises NotConnected when the account has none. Code answering a web request passes
        `web_request=True` (one attempt, short timeout, no sleep); tasks keep the retries.
        """
        credential = self.live_credential(account)
        if credential is None:
            raise NotConnected(self.not_connected_message)
        client = self.make_client(
            credential.secret, web_request=web_request, **self.client_fields(credential)
        )
        return Connection(credential, client)

    def client_for(self, account: Account, *, web_request: bool = False) -> BaseClient:
        """The client of `connection_for(account)`; raises NotConnected the same way."""
        return self.connection_for(account, web_request=web_request).client

    def connect(self, *, account: Account, secret: str, **fields) -> Credential:
        """Check `secret` with the upstream, then make it the account's one live credential.

        `fields` are the credential model's extra fields (e.g. `base_url`), stored with it and
        given to `make_client`. The previous live credential is removed (soft delete). Raises
        ValidationError when the upstream refuses the secret (`refuses_secret`), ApiProblem
        when it cannot answer or the address is not the upstream's (`connect_problem`: a
        link-local address, a 404, an answer that is not JSON), naming `address_field`; in
        every case nothing is stored or removed.
        """
        secret = secret.strip()
        if not secret:
            raise ValidationError(self.missing_message, code="required")
        client = self.make_client(secret, web_request=True, **fields)
        if link_local_address(client.base_url, resolve=True):
            raise self.address_problem(LINK_LOCAL_MESSAGE)
        try:
            self.verify(client)
        except ApiError as exc:
            if self.refuses_secret(exc):
                raise ValidationError(self.refused_message, code="rejected") from exc
            raise self.connect_problem(exc) from exc
        with transaction.atomic():
            # Two connects at once take turns, so the second replaces the first.
            Account.objects.select_for_update().filter(pk=account.pk).first()
            self.remove(account=account)
            return self.credential_model.objects.create(
                account=account, secret=secret, last4=secret[-4:], **fields
            )

    def refuses_secret(self, exc: ApiError) -> bool:
        """Whether a failed check is the upstream's verdict on the secret: a 401, or a 403 the
        upstream wrote (a JSON body). A 403 in plain text or HTML comes from whatever answered
        at the address (a proxy, a firewall, another web site), which says nothing about the
        secret."""
        if exc.status == 401:
            return True
        return exc.status == 403 and isinstance(exc.payload, (dict, list))

    def address_problem(self, message: str, *, status: int = 400) -> ApiProblem:
        """An ApiProblem about the connection's address: `message`, under `address_field`
        when the connection has one."""
        errors = {self.address_field: [message]} if self.address_field else None
        return ApiProblem(status, message, errors=errors)

    def connect_problem(self, exc: ApiError) -> ApiProblem:
        """Our problem for a failed check while connecting. What only a wrong address gives,
        a 404 (the check's path is one every such upstream has) or an answer that is not JSON
        below 500, is a 400 about the address; unreachable is a 502 about it too; anything
        else as `problem` maps it."""
        status = exc.status
        if status == 404 or (status is not None and status < 500 and isinstance(exc.payload, str)):
            what = "404 Not found" if status == 404 else f"{status} with something that is not JSON"
            return self.address_problem(
                f"This address is not {self.name}'s API: it answered {what}. Check the address "
                f"(the API's base URL)."
            )
        problem = self.problem(exc)
        if status is None:
            return self.address_problem(problem.message, status=problem.status)
        return problem

    def remove(self, *, account: Account) -> bool:
        """Soft delete the account's live credential, wiping its secret; False if it had none."""
        removed = (
            self.credential_model.objects.for_account(account)
            .filter(deleted_at__isnull=True)
            .update(deleted_at=timezone.now(), secret="")
        )
        return bool(removed)

    def mark_rejected(self, credential: Credential) -> None:
        """Record that the upstream refused `credential` (an HTTP 401) just now."""
        credential.rejected_at = timezone.now()
        type(credential).objects.filter(pk=credential.pk).update(rejected_at=credential.rejected_at)

    # Failures

    def problem(
        self, exc: ApiError, *, credential: Credential | None = None, not_found: str = "Not found"
    ) -> ApiProblem:
        """Our API problem for an upstream failure; the one place this mapping lives.

        401: the credential is marked rejected, 400 asking to reconnect. 404: 404 `not_found`.
        409: 409 with the upstream's message. 429: 429 with the upstream's Retry-After (whole
        seconds) passed through as a header. Unreachable, timed out, 5xx or an unreadable
        answer: 502. Any other refusal (400, 403, 422): 400 with the upstream's message.
        """
        status = exc.status
        if status == 401:
            if credential is not None:
                self.mark_rejected(credential)
            return ApiProblem(400, self.rejected_message)
        if status == 404:
            return ApiProblem(404, not_found)
        if status == 409:
            return ApiProblem(409, exc.message)
        if status == 429:
            if exc.retry_after is None:
                return ApiProblem(429, f"{self.label} is busy; please try again in a moment.")
            wait = max(1, math.ceil(exc.retry_after))
            return ApiProblem(
                429,
                f"{self.label} is busy; please try again in {wait} seconds.",
                headers={"Retry-After": str(wait)},
            )
        if status is None:
            logger.warning("%s unreachable: %s", self.label, exc.message)
            return ApiProblem(
                502, f"Could not reach {self.name}; check its address, then try again."
            )
        if status >= 500 or status < 400:
            return ApiProblem(502, f"{self.label} could not answer: {exc.message}")
        return ApiProblem(400, exc.message)

    def call(self, credential: Credential | None, request, *, not_found: str = "Not found"):
        """Run `request()` (calls on a client of `credential`); its ApiError becomes our
        ApiProblem as `problem` maps it."""
        try:
            return request()
        except ApiError as exc:
            raise self.problem(exc, credential=credential, not_found=not_found) from exc
