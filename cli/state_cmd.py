"""`tasklens pause`, `resume` and `status`: the capture state, shared with the tray and a running `collect`.

The pause is written to the store, where every agent (headless or tray) follows it within a second; no
PID or signal is needed. `status` answers the employee's first question: is anything being recorded now?
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tasklens.cli.common import config, store_path

if TYPE_CHECKING:
    from tasklens.store import Store


def add_pause_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--for", dest="span", default="", metavar="SPAN",
                   help="how long: 15m, 1h, 1h30m or tomorrow (until local midnight); default: until "
                        "`tasklens resume`")


def add_status_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the state as one JSON object")


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


def pause_note(store: Store) -> str:
    """"paused until ..." for `store info` and `consent show`, or "" when capture is not paused."""
    from tasklens.collector import pausing

    until = pausing.paused_until(store)
    return "" if until is None else f"capture is paused {pausing.describe_until(until)} (`tasklens resume` continues)"


def pause(args: argparse.Namespace) -> int:
    from tasklens.collector import pausing
    from tasklens.store import Store

    until = pausing.pause_end(args.span)
    with Store.open(store_path(args)) as store:
        pausing.set_paused(store, until)
        running = pausing.running_agent(store.path)
    when = pausing.describe_until(math.inf if until is None else until)
    who = (f"the running agent (PID {running['pid']}) stops within a second" if running
           else "no agent is running now; it will start paused")
    print(f"capture paused {when}: {who}. `tasklens resume` continues.")
    return 0


def resume(args: argparse.Namespace) -> int:
    from tasklens.collector import pausing
    from tasklens.store import Store

    with Store.open(store_path(args)) as store:
        was = pausing.paused_until(store)
        pausing.clear_pause(store)
        running = pausing.running_agent(store.path)
    if was is None:
        print("capture was not paused.")
    else:
        print("capture resumed" + (f": the running agent (PID {running['pid']}) records again within a second."
                                   if running else "; no agent is running now (start `tasklens collect` or the tray)."))
    return 0


def _facts(args: argparse.Namespace) -> dict[str, Any]:
    from tasklens.collector import pausing
    from tasklens.events import Action
    from tasklens.identity import store_pseudonym
    from tasklens.store import Store

    cfg = config(args)
    path = store_path(args)
    if not path.exists():
        return {"capture": "not set up", "store": str(path), "events_today": 0, "consent": "not given",
                "notice_version": cfg.notice_version}
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    with Store.open(path, create=False) as store:
        user = store_pseudonym(store)
        decision = store.consent(user)
        until, since = pausing.paused_until(store), pausing.paused_since(store)
        running = pausing.running_agent(store.path)
        latest = next(iter(store.events(user=user, limit=1, newest_first=True)), None)
        today = store.count(since=midnight, user=user)
    consented = decision is not None and decision.covers(cfg.notice_version)
    if not consented:
        capture = "off (no consent)"
    elif until is not None:
        capture = "paused"
    elif running is None:
        capture = "not running"
    elif latest is not None and latest.action is Action.EXCLUDED:
        capture = "excluded (the window in focus is excluded: nothing about it is recorded)"
    else:
        capture = "recording"
    return {
        "capture": capture,
        "paused_until": None if until is None else ("resumed" if math.isinf(until) else until),
        "since": since if until is not None else (running["started"] if running else None),
        "pid": running["pid"] if running else None,
        "consent": (f"accepted version {decision.notice_version}" if consented and decision
                    else "withdrawn" if decision and decision.decision == "withdraw" else "not given"),
        "notice_version": cfg.notice_version, "you": user, "store": str(path), "events_today": today,
    }


def status(args: argparse.Namespace) -> int:
    from tasklens.collector import pausing

    facts = _facts(args)
    if args.json:
        print(json.dumps(facts, indent=2))
        return 0
    state = facts["capture"]
    if state == "paused":
        until = facts["paused_until"]
        state += " " + pausing.describe_until(math.inf if until == "resumed" else float(until))
        state += " (`tasklens resume` continues)"
    elif state == "not running":
        state += " (start `tasklens collect` or `tasklens tray`)"
    elif state == "not set up":
        state += " (read `tasklens consent show`, then `tasklens consent accept`)"
    print(f"capture   {state}")
    if facts.get("since"):
        print(f"since     {_local(float(facts['since']))}" + (f", agent PID {facts['pid']}" if facts["pid"] else ""))
    print(f"consent   {facts['consent']} (current notice: version {facts['notice_version']})")
    print(f"store     {facts['store']}")
    print(f"today     {facts['events_today']:,} events recorded about you" if facts.get("you")
          else "today     nothing recorded")
    return 0
