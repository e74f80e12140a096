"""`python -m sandbox [--port 8001]` serves the sandbox;
`python -m sandbox simulate-call --tracker TRK…` places a call through a running one;
`python -m sandbox simulate-cdr --campaign REF` makes its dialer report one dial attempt."""

import argparse
import contextlib
import json
import sys
import urllib.error
import urllib.request

from sandbox.app import build
from sandbox.web import serve


def control(url, path, fields):
    """POST JSON to a running sandbox's control endpoint; exits with its refusal or absence."""
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=json.dumps(fields).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        sys.exit(f"The sandbox refused: {exc.read().decode()}")
    except OSError as exc:
        sys.exit(f"No sandbox at {url}: {exc}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    commands = parser.add_subparsers(dest="command")
    call = commands.add_parser("simulate-call", help="post signed pre-call and post-call webhooks")
    call.add_argument("--tracker", required=True, help="tracker id (TRK…), see the sandbox page")
    call.add_argument("--number", default="+14155550199", help="the caller's number")
    call.add_argument("--name", default="Casey Caller", help="the caller's name")
    call.add_argument("--url", default="http://127.0.0.1:8001", help="the running sandbox")
    cdr = commands.add_parser(
        "simulate-cdr", help="post a dialer call record for a started campaign"
    )
    cdr.add_argument("--campaign", required=True, help="the dialer campaign's ref")
    cdr.add_argument("--contact", help="a contact ref of it (default: the next one to dial)")
    cdr.add_argument("--end-reason", default="hungup", help="hungup (connected), busy, timeout, …")
    cdr.add_argument("--extension", help="the agent taking a connected call (default: any free)")
    cdr.add_argument("--url", default="http://127.0.0.1:8001", help="the running sandbox")
    args = parser.parse_args(argv)

    if args.command == "simulate-cdr":
        fields = {
            "campaign_ref": args.campaign,
            "contact_ref": args.contact,
            "end_reason": args.end_reason,
            "extension": args.extension,
        }
        print(control(args.url, "/_sandbox/dialer/simulate-cdr", fields)["call_ref"])
        return

    if args.command == "simulate-call":
        body = json.dumps(
            {"tracker_id": args.tracker, "customer_number": args.number, "customer_name": args.name}
        ).encode()
        request = urllib.request.Request(
            args.url.rstrip("/") + "/_sandbox/callrail/simulate-call",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                print(json.loads(response.read())["resource_id"])
        except urllib.error.HTTPError as exc:
            sys.exit(f"The sandbox refused: {exc.read().decode()}")
        except OSError as exc:
            sys.exit(f"No sandbox at {args.url}: {exc}")
        return

    server = serve(build(), args.host, args.port, verbose=not args.quiet)
    print(
        f"Sandbox on http://{args.host}:{server.server_port}/"
        " (CallRail API at /v3, dialer API at /dialer)",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
