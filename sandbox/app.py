"""The sandbox application: upstream imitations (CallRail under /v3, the dialer under /dialer)
plus a page and control endpoints for people and tests (simulate a call, inject faults, see what
was delivered)."""

import html
import os

from sandbox import callrail, dialer, invoca, invoca_calls
from sandbox.web import Router, html_response, json_response, redirect

DEFAULT_CALLRAIL_KEYS = "sandbox-demo-key"
# The demo connects the first; an account of your own takes the second (one key, one account).
DEFAULT_DIALER_KEYS = "sandbox-dialer-key,sandbox-dialer-key-2"
# Invoca tokens, each with its network id: the demo connects the first; an account of your own
# takes the second (one network, one account).
DEFAULT_INVOCA_TOKENS = "sandbox-invoca-token:1001,sandbox-invoca-token-2:1002"


def build(*, callrail_keys=None, seed=True, dialer_keys=None, dialer_delay=None):
    router = Router()
    keys = callrail_keys or os.environ.get("SANDBOX_CALLRAIL_KEYS", DEFAULT_CALLRAIL_KEYS)
    state = callrail.CallRail([key.strip() for key in keys.split(",") if key.strip()])
    if seed:
        state.seed_demo()
    callrail.install(router, state)
    router.callrail = state
    keys = dialer_keys or os.environ.get("SANDBOX_DIALER_KEYS", DEFAULT_DIALER_KEYS)
    router.dialer = dialer.Dialer(
        [key.strip() for key in keys.split(",") if key.strip()],
        delay=float(dialer_delay or os.environ.get("SANDBOX_DIALER_DELAY", 0.3)),
        dial_interval=float(os.environ.get("SANDBOX_DIALER_DIAL_INTERVAL", 3.0)),
        stopping_s=float(os.environ.get("SANDBOX_DIALER_STOPPING_SECONDS", 1.0)),
    )
    dialer.install(router, router.dialer)
    tokens = os.environ.get("SANDBOX_INVOCA_TOKENS", DEFAULT_INVOCA_TOKENS)
    router.invoca = invoca.Invoca(
        dict(pair.strip().rsplit(":", 1) for pair in tokens.split(",") if ":" in pair)
    )
    invoca.install(router, router.invoca)
    invoca_calls.install(router, router.invoca)

    @router.route("GET", r"/_sandbox/health")
    def health(request):
        return json_response({"ok": True})

    @router.route("POST", r"/_sandbox/callrail/simulate-call")
    def simulate(request):
        as_form = request.content_type.startswith("application/x-www-form-urlencoded")
        data = request.form() if as_form else (request.json() or {})
        try:
            resource_id = callrail.simulate_call(
                state,
                data.get("tracker_id", ""),
                customer_number=data.get("customer_number") or "+14155550199",
                customer_name=data.get("customer_name") or "Casey Caller",
                gap=float(data.get("gap", 1.0)),
            )
        except LookupError as exc:
            return json_response({"error": str(exc)}, 404)
        if as_form:
            return redirect("/?simulated=" + resource_id)
        return json_response({"resource_id": resource_id}, 202)

    @router.route("POST", r"/_sandbox/callrail/rate-limit")
    def rate_limit(request):
        data = request.json() or {}
        with state.lock:
            state.rate_limited = {
                "count": int(data.get("count", 1)),
                "retry_after": data.get("retry_after"),
            }
        return json_response(state.rate_limited)

    @router.route("GET", r"/_sandbox/callrail/deliveries")
    def deliveries(request):
        with state.lock:
            return json_response(list(state.deliveries))

    @router.route("GET", r"/")
    def page(request):
        page = render_page(state, request.query.get("simulated"))
        return html_response(
            page.replace(
                "</body>",
                dialer.render_section(router.dialer)
                + invoca.render_section(router.invoca)
                + invoca_calls.render_section(
                    router.invoca_calls, request.query.get("invoca_call", "")
                )
                + "</body>",
            )
        )

    return router


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 1000px }
table { border-collapse: collapse; width: 100% }
td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left }
section { border: 1px solid #ddd; border-radius: 8px; padding: 0 1rem 1rem; margin: 1rem 0 }
input { width: 9rem }
.notice { background: #ecfdf3; padding: .6rem }
"""


def _simulate_form(tracker):
    e = html.escape
    return (
        "<form method='post' action='/_sandbox/callrail/simulate-call'>"
        f"<input type='hidden' name='tracker_id' value='{e(tracker['id'])}'>"
        "<input name='customer_name' value='Casey Caller' aria-label='Caller name'>"
        "<input name='customer_number' value='+14155550199' aria-label='Caller number'>"
        "<button>Simulate call</button></form>"
    )


def _tracker_row(tracker):
    e = html.escape
    cells = [
        tracker["name"],
        tracker["type"],
        ", ".join(tracker["tracking_numbers"]),
        tracker["status"],
    ]
    action = _simulate_form(tracker) if tracker["status"] == "active" else ""
    return "<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + f"<td>{action}</td></tr>"


def _company_section(state, company):
    e = html.escape
    webhooks = [w for w in state.webhooks.values() if w["company_id"] == company["id"]]
    trackers = [t for t in state.trackers.values() if t["company"]["id"] == company["id"]]
    hooks = "".join(f"<li>{e(w['url'])} ({e(w['status'])})</li>" for w in webhooks)
    return (
        f"<section><h2>{e(company['name'])} "
        f"<small>{e(company['id'])}, {e(company['status'])}</small></h2>"
        f"<p>Signing key: <code>{e(company['_signing_key'])}</code></p>"
        f"<p>Webhooks:</p><ul>{hooks or '<li>none</li>'}</ul><table><tr><th>Tracker</th>"
        "<th>Type</th><th>Numbers</th><th>Status</th><th></th></tr>"
        + "".join(_tracker_row(t) for t in trackers)
        + "</table></section>"
    )


def render_page(state, simulated):
    e = html.escape
    with state.lock:
        companies = "".join(_company_section(state, c) for c in state.companies.values())
        recent = "".join(
            f"<li>{e(str(d['at']))} {e(str(d['resource_id']))} to {e(d['url'])}: "
            f"{e(str(d['status']))}</li>"
            for d in reversed(state.deliveries[-20:])
        )
        keys = ", ".join(sorted(state.api_keys))
    notice = ""
    if simulated:
        notice = (
            f"<p class='notice'>Call {e(simulated)} placed: pre-call now, post-call soon after.</p>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>CampaignHub sandbox</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>CampaignHub sandbox: CallRail, dialer and Invoca</h1>{notice}"
        f"<p>API base <code>/v3</code>; API keys: <code>{e(keys)}</code>.</p>{companies}"
        f"<h2>Recent webhook deliveries</h2><ul>{recent or '<li>nothing yet</li>'}</ul>"
        "</body></html>"
    )
