import json
import re
from contextlib import ExitStack

from bson.objectid import ObjectId
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from campaignhub.models import Account
from campaigns.legacy import Action, ImportInterrupted, LegacyExportError, import_legacy_campaigns

# C0 and C1 control characters (and line and paragraph separators): never printed as they are,
# so no name in an export can recolour the terminal or forge a line of the report.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(text: str) -> str:
    """`text` with each control character shown as its escape (`\\x1b`, `\\n`, `\\u2028`)."""
    return CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _empty(value) -> bool:
    return value in (None, "", [], {})


class Command(BaseCommand):
    help = (
        "Import the old campaign service's MongoDB export (Extended JSON, one document per line "
        "or an array) into an account. Safe to run again: campaigns are matched by their old "
        "_id, and one changed here since it was moved in is kept as it is. Prints each refused, "
        "kept and updated document as it goes; --dry-run also prints each create (its non-empty "
        "fields) and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaigns", help="The campaign documents export (.json).")
        parser.add_argument(
            "--users", required=True, help="The users export, to match people by email."
        )
        parser.add_argument("--account", type=int, required=True, help="The target account id.")
        parser.add_argument("--dry-run", action="store_true", help="Print the plan; write nothing.")
        parser.add_argument(
            "--legacy-account",
            default="",
            help=(
                "The old account's ObjectId to move (default: the one the account was moved in "
                "from, else the first document's account_id)."
            ),
        )
        parser.add_argument(
            "--overwrite-changes",
            action="store_true",
            help="Apply the export also to campaigns changed here since they were moved in.",
        )
        parser.add_argument(
            "--allow-moved-elsewhere",
            action="store_true",
            help="Import an old account even though it was moved into another account already.",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=1000,
            help="Print a count after this many documents (default 1000).",
        )

    def handle(self, *args, **options):
        account = Account.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        legacy_account = options["legacy_account"].strip().lower()
        if legacy_account and not ObjectId.is_valid(legacy_account):
            raise CommandError("--legacy-account must be an ObjectId (24 hexadecimal digits).")
        if options["progress_every"] < 1:
            raise CommandError("--progress-every must be at least 1.")
        dry_run = options["dry_run"]
        self.verbose = options["verbosity"] >= 2 or dry_run
        self.dry_run = dry_run
        note = " Dry run: nothing will be written." if dry_run else ""
        self._say(f'Importing into "{account.name}" (account {account.pk}).{note}')
        with ExitStack() as files:
            campaigns = files.enter_context(self._open(options["campaigns"]))
            users = files.enter_context(self._open(options["users"]))
            try:
                result = import_legacy_campaigns(
                    account=account,
                    campaigns=campaigns,
                    users=users,
                    dry_run=dry_run,
                    legacy_account=legacy_account,
                    overwrite_changes=options["overwrite_changes"],
                    allow_moved_elsewhere=options["allow_moved_elsewhere"],
                    on_outcome=self._report,
                    on_warning=lambda warning: self._say(f"warning: {warning}"),
                    progress=lambda count: self._say(f"… {count} documents read"),
                    progress_every=options["progress_every"],
                )
            except LegacyExportError as exc:
                raise CommandError(_printable(str(exc))) from None
            except ImportInterrupted as exc:
                # Ctrl-C: say what was done before it, and end as interrupted (status 130).
                self._say(exc.result.summary(), self.style.WARNING)
                done = "nothing was written" if dry_run else "the documents above were imported"
                raise CommandError(
                    f"Interrupted at {exc.result.interrupted_at}; {done}, the rest were not "
                    "read. The import is safe to run again.",
                    returncode=130,
                ) from None
        if not result.rejected:
            self._say(result.summary(), self.style.SUCCESS)
            return
        self._say(result.summary(), self.style.WARNING)
        # A script running the import must notice: exit status 1 when anything was refused.
        done = "nothing was written" if dry_run else "the others were imported"
        raise CommandError(
            f"{len(result.rejected)} document{pluralize(len(result.rejected))} refused, listed "
            f"above; {done}. Correct them and run the import again: it is safe to repeat.",
            returncode=1,
        )

    def _say(self, text, style=None):
        """Print one line, its control characters escaped."""
        text = _printable(text)
        self.stdout.write(style(text) if style else text)

    def _report(self, outcome):
        """Print what became of one document as soon as it is decided."""
        if outcome.action == Action.REJECTED:
            self._say(self._rejection(outcome), self.style.ERROR)
        elif outcome.action == Action.KEPT:
            self._say(
                f'kept {outcome.where} ({self._ids(outcome)}) "{outcome.campaign_name}": '
                f"{outcome.reason}",
                self.style.WARNING,
            )
        elif self.verbose or outcome.action == Action.UPDATED:
            self._plan(outcome, self.dry_run)
        for text in outcome.notes if outcome.action != Action.REJECTED else []:
            self._say(f"note: {outcome.where} ({self._ids(outcome)}): {text}")

    def _open(self, path):
        try:
            # Invalid bytes reach the reader as lone surrogates; their document is rejected.
            return open(path, encoding="utf-8-sig", errors="surrogateescape")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None

    @staticmethod
    def _ids(outcome) -> str:
        ids = [f"campaign #{outcome.campaign_id}"] if outcome.campaign_id else []
        ids.append(f"legacy {outcome.legacy_id or '?'}")
        return ", ".join(ids)

    def _rejection(self, outcome) -> str:
        return f"rejected {outcome.where} ({self._ids(outcome)}): {outcome.reason}"

    def _plan(self, outcome, dry_run):
        verb = {
            Action.CREATED: "create" if dry_run else "created",
            Action.UPDATED: "update" if dry_run else "updated",
            Action.UNCHANGED: "unchanged",
        }[outcome.action]
        self._say(f'{verb} {outcome.where} ({self._ids(outcome)}) "{outcome.campaign_name}"')
        for name, (before, after) in outcome.changes.items():
            if outcome.action == Action.CREATED:
                if not _empty(after):
                    self._say(f"    {name}: {_show(after)}")
            else:
                self._say(f"    {name}: {_show(before)} -> {_show(after)}")
