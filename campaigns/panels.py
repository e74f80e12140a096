"""What campaigns adds to the dashboard: the counts, a live feed of the latest leads, and the
campaigns that cannot work as set up."""

from campaigns import checks, selectors

FEED_SIZE = 10


def dashboard(request):
    """The account's campaign counts and its latest `FEED_SIZE` leads (a feed that keeps that
    many as leads arrive live)."""
    return {
        "counts": selectors.filter_counts(selectors.tally_rows(request.membership)),
        "leads": selectors.lead_list(request.membership)[:FEED_SIZE],
        "feed_size": FEED_SIZE,
    }


ATTENTION_ROWS = 5


def attention(request):
    """`{"campaigns": [(campaign, [check title, …])], "total": n}`: the first few active
    campaigns failing a setup check (two queries at most), the rest behind a link."""
    found = selectors.campaigns_needing_attention(request.membership)
    rows = list(found[:ATTENTION_ROWS])
    total = len(rows) if len(rows) < ATTENTION_ROWS else found.count()
    return {
        "campaigns": [(campaign, checks.failure_titles(campaign)) for campaign in rows],
        "total": total,
    }
