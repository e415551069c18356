"""`tasklens collect`: the capture agent, headless, in the foreground.

SIGINT/SIGTERM write what is queued and exit 0; SIGUSR1 pauses and SIGUSR2 resumes capture.
"""

from __future__ import annotations

import argparse
import functools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasklens.collector.agent import Agent

log = logging.getLogger("tasklens.collector")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--accept-notice", action="store_true",
                   help="accept the consent notice without asking (scripted pilots; people use the tray dialog)")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    p.add_argument("--log-file", type=Path, metavar="FILE", help="also log to this file (rotated)")
    p.add_argument("--stats-file", type=Path, metavar="FILE",
                   help="write the pipeline's figures (events queued, dropped, written; latency) here at exit")


def _thread_ended(a: threading.ExceptHookArgs) -> None:
    """pynput's threads end with an exception when the X server goes: one log line, not a traceback."""
    closed = a.exc_type.__name__ == "ConnectionClosedError"
    log.log(logging.INFO if closed else logging.ERROR, "capture thread %s ended: %s: %s",
            a.thread.name if a.thread else "?", a.exc_type.__name__, a.exc_value)
    log.debug("traceback", exc_info=(a.exc_type, a.exc_value, a.exc_traceback))  # type: ignore[arg-type]


def _ask(agent: Agent, request: str, _signum: int, _frame: object) -> None:
    """A signal handler: hand the request to the agent's loop (nothing else is safe in a handler)."""
    agent.submit(request)


def run(args: argparse.Namespace) -> int:
    import json
    import os
    import signal
    import sys

    from tasklens import logs
    from tasklens.cli.common import config, store_path
    from tasklens.collector.agent import Agent
    from tasklens.collector.sources import check_environment
    from tasklens.errors import EnvironmentMissingError
    from tasklens.files import atomic_write
    from tasklens.identity import store_pseudonym
    from tasklens.privacy import consent
    from tasklens.store import Store

    if args.log_file:
        logs.setup(args.verbose, args.log_file)
    threading.excepthook = _thread_ended
    cfg = config(args)
    with Store.open(store_path(args)) as store:
        user = store_pseudonym(store)
        if args.accept_notice:
            consent.accept(store, user, cfg)
        if not consent.has_consent(store, user, cfg):
            print(consent.notice(cfg))
            consent.require(store, user, cfg)
        check_environment()
        agent = Agent(store, cfg, user)
        for sig, request in ((signal.SIGINT, "stop"), (signal.SIGTERM, "stop"),
                             (signal.SIGUSR1, "pause"), (signal.SIGUSR2, "resume")):
            signal.signal(sig, functools.partial(_ask, agent, request))
        try:
            agent.start()
            state = "paused (SIGUSR2 or the tray resumes)" if not agent.capturing else "capturing"
            print(f"tasklens: {state} as {user} into {store.path}; Ctrl+C stops", file=sys.stderr, flush=True)
            agent.run(args.duration)
        finally:
            withdrawn = agent.stop_reason == "consent withdrawn"
            stats = agent.stop(discard=withdrawn)
        if args.stats_file:
            atomic_write(args.stats_file, json.dumps(stats, indent=2) + "\n")
    if agent.stop_reason == "display closed":
        raise EnvironmentMissingError(f"the X display {os.environ.get('DISPLAY', '')} closed while capturing; "
                                      f"{stats.get('written', 0)} events were written before")
    print(f"tasklens: {'consent withdrawn, ' if withdrawn else ''}capture stopped; "
          f"{stats.get('written', 0)} events written, {stats.get('dropped', 0)} dropped", file=sys.stderr)
    return 0
