"""Signals the platform sends about people, so domain apps act on them without being named here."""

from django.dispatch import Signal

# Sent by `services.remove_member` inside the removal's transaction, while the membership still
# exists, with `account` (Account) and `user` (User): receivers withdraw whatever that person
# holds in the account (representative rows, pending deliveries). A receiver that raises undoes
# the whole removal.
member_removed = Signal()
