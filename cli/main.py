"""`tasklens` entry point: argument parsing and error reporting; the work is in the command modules.

Parts are imported inside the commands so `tasklens --help` is fast and needs no display or Presidio.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tasklens import __version__
from tasklens.errors import TasklensError, UsageError

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


def _state_command(p: argparse.ArgumentParser, func: str, arguments: str) -> None:
    import importlib
    getattr(importlib.import_module("tasklens.cli.state_cmd"), arguments)(p)
    p.set_defaults(run=_lazy("state_cmd", func))


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, metavar="PATH",
                   help="the encrypted store (default: the platform data folder, or $TASKLENS_HOME/events.db)")


def _global_options(p: argparse.ArgumentParser, default: bool) -> None:
    """The options every command takes, before or after its name (`tasklens store info -v`).

    Subcommands declare them with SUPPRESS defaults, so a value given before the command name is only
    replaced by one given after it.
    """
    def d(value: object) -> object:
        return value if default else argparse.SUPPRESS
    p.add_argument("-v", "--verbose", action="count", default=d(0), help="more log output (-vv for debug)")
    p.add_argument("--config", type=Path, metavar="FILE", default=d(None),
                   help="user config file (TOML; default: $TASKLENS_CONFIG or the platform config folder)")
    p.add_argument("--org-config", type=Path, metavar="FILE", default=d(None),
                   help="organisation config file (default: $TASKLENS_ORG_CONFIG or beside the program)")


_COMMON = argparse.ArgumentParser(add_help=False)
_global_options(_COMMON, default=False)


def examples_epilog(examples: Sequence[str]) -> str | None:
    """The `examples:` block under `--help`; tests/test_docs_examples.py runs every line of it."""
    return "examples:\n" + "\n".join(f"  {e}" for e in examples) if examples else None


def _command(sub: argparse._SubParsersAction, name: str, help: str,  # type: ignore[type-arg]
             examples: Sequence[str] = ()) -> argparse.ArgumentParser:
    """A subcommand that takes the global options and shows its examples under `--help`."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help[:1].upper() + help[1:] + ".", epilog=examples_epilog(examples), parents=[_COMMON],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tasklens",
        description="Privacy-first task mining: collect consented, masked desktop events and find "
                    "the repetitive work worth automating.",
        epilog="`tasklens help COMMAND` or `tasklens COMMAND --help` shows a command's options and examples.")
    parser.add_argument("--version", action="version", version=f"tasklens {__version__}")
    _global_options(parser, default=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = _command(sub, "help", "show the help of tasklens or of one command", ["tasklens help store show"])
    p.add_argument("topic", nargs="*", metavar="COMMAND", help="the command (and action) to explain")
    p.set_defaults(run=lambda args: _help(parser, args.topic))

    p = _command(sub, "collect", "run the capture agent headless in the foreground",
                 ["tasklens consent accept && tasklens collect", "tasklens collect --store /tmp/events.db"])
    _store_option(p)
    _own_options(p, "collect_cmd")

    p = _command(sub, "pause", "pause capture (the running agent and the tray follow within a second)",
                 ["tasklens pause --for 15m", "tasklens pause --for tomorrow", "tasklens pause"])
    _store_option(p)
    _state_command(p, "pause", "add_pause_arguments")

    p = _command(sub, "resume", "resume capture after a pause", ["tasklens resume"])
    _store_option(p)
    p.set_defaults(run=_lazy("state_cmd", "resume"))

    p = _command(sub, "status", "is anything recorded now: capture on, paused or excluded, since when, "
                 "consent, store, events today", ["tasklens status", "tasklens status --json"])
    _store_option(p)
    _state_command(p, "status", "add_status_arguments")

    p = _command(sub, "tray", "run the capture agent with a tray icon", ["tasklens tray"])
    _store_option(p)
    _own_options(p, "tray_cmd")

    p = _command(sub, "dashboard", "open the analyst dashboard on a store or analysis folder",
                 ["tasklens dashboard demo-out/analysis", "tasklens dashboard demo-out/analysis --screenshot dashboard.png"])
    _own_options(p, "dashboard_cmd")

    p = _command(sub, "analyze", "find task types, routines and RPA candidates in event data",
                 ["tasklens analyze events.csv --out analysis/",
                  "tasklens analyze bundles/*.tlb --key analyst/analyst.key --out analysis/",
                  "tasklens merge bundles/ --key analyst/analyst.key --dataset pilot/ && "
                  "tasklens analyze pilot/ --engine embedded --out analysis/"])
    _own_options(p, "analyze_cmd")

    p = _command(sub, "merge", "merge inputs into an encrypted dataset that `analyze DIR` reads person by person",
                 ["tasklens merge events.csv --dataset pilot/",
                  "tasklens merge bundles/ --key analyst/analyst.key --dataset pilot/ && "
                  "tasklens analyze pilot/ --out analysis/"])
    _own_options(p, "merge_cmd")

    p = _command(sub, "compare", "per task type what changed between two analyses, tested against sampling noise",
                 ["tasklens compare before/ after/", "tasklens compare before/ after/ --automated C01"])
    _own_options(p, "compare_cmd")

    p = _command(sub, "export", "export your masked events as a bundle only the analyst can read",
                 ["tasklens export --bundle my-week.tlb --to analyst.pub",
                  "tasklens export --bundle november.tlb --to analyst.pub --since 2026-11-01 --until 2026-12-01"])
    _store_option(p)
    _own_options(p, "export_cmd")

    p = _command(sub, "keys", "analyst keys for employee bundles", ["tasklens keys new --out analyst/"])
    _own_options(p, "keys_cmd")

    p = _command(sub, "report", "admin report aggregated over employees, with a minimum group size",
                 ["tasklens report analysis/ --out admin.pdf",
                  "tasklens report analysis/ --min-users 8 --out admin.html"])
    _own_options(p, "report_cmd")

    p = _command(sub, "demo", "simulate a work week of several employees and run it through tasklens",
                 ["tasklens demo --out demo-out", "tasklens demo --employees 3 --days 2 --out small-demo"])
    p.add_argument("--out", type=Path, default=Path("demo-out"), metavar="DIR",
                   help="folder for the simulated store and its analysis (default: demo-out)")
    p.add_argument("--employees", type=int, default=6, help="how many employees to simulate (default: 6)")
    p.add_argument("--days", type=int, default=5, help="working days to simulate (default: 5)")
    p.add_argument("--seed", type=int, default=7, help="random seed: the same seed gives the same data (default: 7)")
    p.add_argument("--capture", choices=("elements", "positions"), default="elements",
                   help="what the simulated collector records of a click or typing: the UI element, as with "
                        "accessibility on (default), or only the button and position, as with it off")
    p.set_defaults(run=_lazy("demo_cmd", "run"))

    _add_store_commands(sub)
    _add_consent_commands(sub)
    _add_config_commands(sub)
    p = _command(sub, "completion", "print a shell completion script for bash or zsh",
                 ["tasklens completion bash >> ~/.bash_completion",
                  "mkdir -p ~/.zfunc && tasklens completion zsh > ~/.zfunc/_tasklens"])
    p.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")
    p.set_defaults(run=lambda args: _completion(parser, args.shell))
    return parser


def _completion(parser: argparse.ArgumentParser, shell: str) -> int:
    """A static script generated from this very parser by shtab, so completion never lags the options."""
    import shtab
    print(shtab.complete(parser, shell=shell))
    return 0


def _add_config_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cfg = _command(sub, "config", "the effective configuration: show it, check it",
                   ["tasklens config show", "tasklens config check"])
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    p = _command(csub, "show", "every setting, its value and the file it came from",
                 ["tasklens config show", "tasklens config show --json"])
    p.add_argument("--json", action="store_true", help="print the settings as one JSON object")
    p.set_defaults(run=_lazy("config_cmd", "show"))
    p = _command(csub, "check", "validate the files; exit 1 if a value you set cannot apply",
                 ["tasklens config check"])
    p.set_defaults(run=_lazy("config_cmd", "check"))


def _help(parser: argparse.ArgumentParser, topic: Sequence[str]) -> int:
    """`tasklens help [COMMAND [ACTION]]`: the same text as `--help`, found by name."""
    current = parser
    for word in topic:
        subs = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            raise UsageError(f"no command {' '.join(topic)!r}: `tasklens help` lists the commands")
        current = subs[0].choices[word]
    current.print_help()
    return 0


def _add_consent_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    consent = _command(sub, "consent", "the consent notice: show it, accept it, withdraw consent",
                       ["tasklens consent show", "tasklens consent accept"])
    csub = consent.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    for name, func, text in (("show", "consent_show", "print the notice and your current decision"),
                             ("accept", "consent_accept", "accept the current notice (capture may start)"),
                             ("withdraw", "consent_withdraw", "withdraw consent: capture stops")):
        p = _command(csub, name, text, [f"tasklens consent {name}"]
                     + (["tasklens consent withdraw --delete --yes"] if name == "withdraw" else []))
        _store_option(p)
        if name == "withdraw":
            p.add_argument("--delete", action="store_true", help="also delete every event recorded about you")
            p.add_argument("--yes", action="store_true", help="with --delete: do not ask for confirmation")
        p.set_defaults(run=_lazy("privacy_cmd", func))


def _add_store_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    store = _command(sub, "store", "look after the encrypted store: info, show, purge, rekey, delete",
                     ["tasklens store info", "tasklens store show --tail"])
    ssub = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    p = _command(ssub, "info", "size, schema, span, users and integrity of the store",
                 ["tasklens store info", "tasklens store info --json"])
    _store_option(p)
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.set_defaults(run=_lazy("store_cmd", "info"))

    p = _command(ssub, "show", "print what is stored (masked), oldest first",
                 ["tasklens store show --tail", "tasklens store show --since 2026-12-01 --app firefox",
                  "tasklens store show --audit"])
    _store_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--since", metavar="TIME", help="from this ISO date or time (UTC if no zone)")
    p.add_argument("--until", metavar="TIME", help="up to this ISO date or time (UTC if no zone)")
    p.add_argument("--user", help="only this pseudonym")
    p.add_argument("--app", help="only this application")
    p.add_argument("--limit", type=int, help="at most N events (the newest N with --tail)")
    p.add_argument("--tail", action="store_true", help="the newest events (the last 20 unless --limit says)")
    p.add_argument("--audit", action="store_true", help="show the audit trail instead of events")
    p.set_defaults(run=_lazy("store_cmd", "show"))

    p = _command(ssub, "purge", "delete events older than a date", ["tasklens store purge --before 2026-11-01"])
    _store_option(p)
    p.add_argument("--before", required=True, metavar="TIME", help="ISO date or time (UTC if no zone)")
    p.set_defaults(run=_lazy("store_cmd", "purge"))

    p = _command(ssub, "rekey", "re-encrypt the store under a new key (random, or $TASKLENS_NEW_KEY)",
                 ["tasklens store rekey", "TASKLENS_NEW_KEY='a new passphrase, 12+ characters' tasklens store rekey"])
    _store_option(p)
    p.set_defaults(run=_lazy("store_cmd", "rekey"))

    p = _command(ssub, "export-my-data", "write every event recorded about you to a JSON-lines file",
                 ["tasklens store export-my-data --out my-data.jsonl"])
    _store_option(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="the JSON-lines file to write (mode 0600; refused if it is a folder)")
    p.add_argument("--user", help="pseudonym to export (default: yours)")
    p.set_defaults(run=_lazy("privacy_cmd", "export_my_data"))

    p = _command(ssub, "delete-my-data", "delete every event recorded about you",
                 ["tasklens store delete-my-data --yes"])
    _store_option(p)
    p.add_argument("--user", help="pseudonym to delete (default: yours)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=_lazy("store_cmd", "delete_my_data"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tasklens import logs
    logs.setup(args.verbose)
    try:
        code = int(args.run(args))
        sys.stdout.flush()   # a closed pipe shows here, inside the handler below, not at exit
        return code
    except TasklensError as e:
        print(f"tasklens: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tasklens store show | head -1`): that is not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
