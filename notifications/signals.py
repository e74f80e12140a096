"""Signals notifications send, so other apps follow what became of their alerts without
notifications knowing them."""

from django.dispatch import Signal

# Sent by `services.attempt_delivery` once a delivery is handed to its provider (status `sent`),
# with `delivery` (Delivery, `sent_at` set). `delivery.data` says what the notification is
# about (e.g. `{"lead_id": "12"}`), as the caller of `services.notify` gave it. Receivers run
# outside any transaction; one that raises is logged and never changes the delivery's outcome.
delivery_sent = Signal()
