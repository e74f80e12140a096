"""Signals the platform sends about people and the account, so domain apps act on them without
being named here."""

from dataclasses import dataclass

from django.dispatch import Signal

# Sent by `services.remove_member` inside the removal's transaction, while the membership still
# exists, with `account` (Account), `user` (User, the person leaving) and `removed_by` (User,
# the admin removing them): receivers withdraw whatever that person holds in the account
# (representative rows, pending deliveries) and hand what they own to `removed_by`. A receiver
# that raises undoes the whole removal (a ValidationError's message reaches the admin).
# A receiver that handed something over returns a `HandedOver`, one with something else to
# tell the admin a `RemovalNote`, or a tuple of these; other return values are ignored.
member_removed = Signal()

# Sent by `services.removal_preview` before an admin confirms a removal, with `account`,
# `user` (the person who would leave) and `removed_by` (the admin): nothing changes; each
# receiver answers what the removal would do in its app, as a list of sentences (none when
# nothing), and the confirmation lists them.
member_removing = Signal()

# Sent by `services.check_removal` (the confirmation page before it offers the removal, and
# `services.remove_member` again under its locks), with `account`, `user` (the person who would
# leave) and `removed_by` (the admin): nothing changes; a receiver whose app would refuse the
# removal raises ValidationError saying why (e.g. campaigns the person owns cannot pass to
# `removed_by`), so the page never offers a removal that would be refused.
member_removal_check = Signal()

# Sent by the account form before it changes the account's currency, with `account` (Account,
# still in its old currency) and `currency` (the new ISO 4217 code). Nothing is ever converted:
# each receiver answers, as one sentence, what the change would leave reading in the new
# currency or out of step with it ("" when nothing), and the form asks the admin to confirm.
currency_changing = Signal()


@dataclass(frozen=True)
class HandedOver:
    """What a `member_removed` receiver passed from the person leaving to `removed_by`:
    `count` things, named `noun` (singular, e.g. "campaign"), for the removal's message."""

    noun: str
    count: int

    def __str__(self):
        return f"{self.count} {self.noun}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class RemovalNote:
    """A sentence a `member_removed` receiver adds to the removal's message (what the admin
    should know it left behind, e.g. campaigns with no representative now)."""

    text: str

    def __str__(self):
        return self.text
