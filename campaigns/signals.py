"""Signals campaigns send about leads, so the CRM and integrations act on them without being
named here."""

from django.dispatch import Signal

# Sent by `services.capture_lead` inside the capture's transaction, once, when a new lead is
# created, with `lead` (Lead). Receivers (the CRM's contact merge and deal opening) write in
# the same transaction: a receiver that raises undoes the capture, so it must not raise for
# anything an upstream sent.
lead_captured = Signal()

# Sent by `outcomes.set_outcome` inside its transaction after the lead is saved, with `lead`
# (Lead, already updated), `previous_status` (str), `actor` (User or None) and `via` (str: who
# set it: "lead" for the lead page/API, "deal" for a deal moved between stages, or another
# caller's name). Receivers that mirror the outcome elsewhere skip their own `via`.
lead_outcome_changed = Signal()

# Sent by `assignment.assign_lead` and `services.pass_on_unalerted_leads` inside their
# transaction after a lead changed hands, with `lead` (Lead, already saved with its new
# `representative`, None for nobody) and `previous_id` (int or None: the user id of who held it).
# Receivers (the CRM's deal owner) write in the same transaction, so the handover and what
# follows it commit together.
lead_handed_over = Signal()
