"""`tasklens` entry point: argument parsing and error reporting; the work is in the command modules.

Parts are imported inside the commands so `tasklens --help` is fast and needs no display or Presidio.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tasklens import __version__
from tasklens.errors import TasklensError

Handler = Callable[[argparse.Namespace], int]


def _lazy(module: str, func: str) -> Handler:
    """A handler that imports `tasklens.cli.<module>` only when its command runs."""
    def run(args: argparse.Namespace) -> int:
        import importlib
        return int(getattr(importlib.import_module(f"tasklens.cli.{module}"), func)(args))
    return run


def _own_options(p: argparse.ArgumentParser, module: str) -> None:
    """Let a command module add its own options; it must import only light modules at its top."""
    import importlib
    importlib.import_module(f"tasklens.cli.{module}").add_arguments(p)
    p.set_defaults(run=_lazy(module, "run"))


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, metavar="PATH",
                   help="the encrypted store (default: the platform data folder, or $TASKLENS_HOME/events.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tasklens",
        description="Privacy-first task mining: collect consented, masked desktop events and find "
                    "the repetitive work worth automating.")
    parser.add_argument("--version", action="version", version=f"tasklens {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="user config file (TOML)")
    parser.add_argument("--org-config", type=Path, metavar="FILE",
                        help="organisation config file (default: $TASKLENS_ORG_CONFIG or beside the program)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("collect", help="run the capture agent headless in the foreground")
    _store_option(p)
    _own_options(p, "collect_cmd")

    p = sub.add_parser("tray", help="run the capture agent with a tray icon")
    _store_option(p)
    _own_options(p, "tray_cmd")

    p = sub.add_parser("dashboard", help="open the analyst dashboard on a store or analysis folder")
    _own_options(p, "dashboard_cmd")

    p = sub.add_parser("analyze", help="find task types, routines and RPA candidates in event data")
    _own_options(p, "analyze_cmd")

    p = sub.add_parser("export", help="export your masked events as a bundle only the analyst can read")
    _store_option(p)
    _own_options(p, "export_cmd")

    p = sub.add_parser("keys", help="analyst keys for employee bundles")
    _own_options(p, "keys_cmd")

    p = sub.add_parser("report", help="admin report aggregated over employees, with a minimum group size")
    _own_options(p, "report_cmd")

    p = sub.add_parser("demo", help="simulate a work week of several employees and run it through tasklens")
    p.add_argument("--out", type=Path, default=Path("demo-out"), metavar="DIR")
    p.add_argument("--employees", type=int, default=6)
    p.add_argument("--days", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(run=_lazy("demo_cmd", "run"))

    _add_store_commands(sub)
    _add_consent_commands(sub)
    return parser


def _add_consent_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    consent = sub.add_parser("consent", help="the consent notice: show it, accept it, withdraw consent")
    csub = consent.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    for name, func, text in (("show", "consent_show", "print the notice and your current decision"),
                             ("accept", "consent_accept", "accept the current notice (capture may start)"),
                             ("withdraw", "consent_withdraw", "withdraw consent: capture stops")):
        p = csub.add_parser(name, help=text)
        _store_option(p)
        if name == "withdraw":
            p.add_argument("--delete", action="store_true", help="also delete every event recorded about you")
        p.set_defaults(run=_lazy("privacy_cmd", func))


def _add_store_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    store = sub.add_parser("store", help="look after the encrypted store: info, show, purge, rekey, delete")
    ssub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    p = ssub.add_parser("info", help="size, schema, span, users and integrity of the store")
    _store_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_lazy("store_cmd", "info"))

    p = ssub.add_parser("show", help="print what is stored (masked), oldest first")
    _store_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--since", metavar="TIME", help="ISO date or time (UTC if no zone)")
    p.add_argument("--until", metavar="TIME")
    p.add_argument("--user", help="only this pseudonym")
    p.add_argument("--app", help="only this application")
    p.add_argument("--limit", type=int, help="at most N events (the newest N with --tail)")
    p.add_argument("--tail", action="store_true", help="with --limit: the newest events")
    p.add_argument("--audit", action="store_true", help="show the audit trail instead of events")
    p.set_defaults(run=_lazy("store_cmd", "show"))

    p = ssub.add_parser("purge", help="delete events older than a date")
    _store_option(p)
    p.add_argument("--before", required=True, metavar="TIME", help="ISO date or time (UTC if no zone)")
    p.set_defaults(run=_lazy("store_cmd", "purge"))

    p = ssub.add_parser("rekey", help="re-encrypt the store under a new random key")
    _store_option(p)
    p.set_defaults(run=_lazy("store_cmd", "rekey"))

    p = ssub.add_parser("export-my-data", help="write every event recorded about you to a JSON-lines file")
    _store_option(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--user", help="pseudonym to export (default: yours)")
    p.set_defaults(run=_lazy("privacy_cmd", "export_my_data"))

    p = ssub.add_parser("delete-my-data", help="delete every event recorded about you")
    _store_option(p)
    p.add_argument("--user", help="pseudonym to delete (default: yours)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=_lazy("store_cmd", "delete_my_data"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tasklens import logs
    logs.setup(args.verbose)
    try:
        return args.run(args)
    except TasklensError as e:
        print(f"tasklens: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
