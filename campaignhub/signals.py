"""Signals the platform sends about people, so domain apps act on them without being named here."""

from django.dispatch import Signal

# Sent by `services.remove_member` inside the removal's transaction, while the membership still
# exists, with `account` (Account) and `user` (User): receivers withdraw whatever that person
# holds in the account (representative rows, pending deliveries). A receiver that raises undoes
# the whole removal.
member_removed = Signal()

# Sent by the account form before it changes the account's currency, with `account` (Account,
# still in its old currency) and `currency` (the new ISO 4217 code). Nothing is ever converted:
# each receiver answers, as one sentence, what the change would leave reading in the new
# currency or out of step with it ("" when nothing), and the form asks the admin to confirm.
currency_changing = Signal()
