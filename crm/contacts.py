"""Contacts: created or merged from leads, edited by staff, merged by hand."""


def merge_lead(lead):
    """Merge `lead` into its account's contact (see the CRM issue); no-op until built."""
