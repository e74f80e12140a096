"""What campaigns adds to the dashboard: the counts and a live feed of the latest leads."""

from campaigns import selectors


def dashboard(request):
    return {
        "counts": selectors.filter_counts(selectors.tally_rows(request.membership)),
        "leads": selectors.lead_list(request.membership)[:10],
    }
