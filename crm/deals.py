"""Deals: opened from leads, moved between stages, their revenue recorded when won."""


def open_for_lead(lead):
    """Open a deal for `lead` when its campaign has `create_deal`; no-op until built."""


def follow_lead_outcome(lead):
    """Move the lead's deal to a won/lost stage after the lead's outcome changed."""
