"""`tasklens pause`, `resume` and `status` from another process, followed by a running agent on a real store.

The agent here runs with recording sources instead of a desktop (the desktop e2e tests cover capture);
what is under test is the shared state: the CLI writes it, the agent follows it, status reports it.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import run_cli, wait_for
from test_collector_agent import make_agent

from tasklens.collector.pausing import pause_end, running_agent
from tasklens.config import Config
from tasklens.errors import UsageError
from tasklens.identity import store_pseudonym
from tasklens.privacy import consent
from tasklens.store import Store

NOW = datetime(2026, 11, 2, 22, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("spec, seconds", [
    ("15m", 900), ("15min", 900), ("1h", 3600), ("1h30m", 5400), ("90s", 90), ("2H", 7200),
])
def test_pause_spans(spec: str, seconds: int) -> None:
    assert pause_end(spec, NOW) == NOW.timestamp() + seconds


def test_pause_until_tomorrow_and_until_resumed() -> None:
    assert pause_end("tomorrow", NOW) == datetime(2026, 11, 3, tzinfo=timezone.utc).timestamp()
    assert pause_end("", NOW) is None and pause_end("resume", NOW) is None


@pytest.mark.parametrize("spec", ["forever", "0m", "-5m", "1d", "h"])
def test_bad_pause_spans_are_refused(spec: str) -> None:
    with pytest.raises(UsageError):
        pause_end(spec, NOW)


def test_cli_pause_and_resume_reach_a_running_agent(store_path: Path) -> None:
    log: list[str] = []
    with Store.open(store_path) as store:
        consent.accept(store, store_pseudonym(store), Config())
        agent = make_agent(store, log)
        agent.start()
        runner = threading.Thread(target=agent.run, kwargs={"duration": 300.0})
        runner.start()
        try:
            assert agent.capturing and running_agent(store_path) is not None
            status = json.loads(run_cli("status", "--json", "--store", str(store_path)).stdout)
            assert status["capture"] == "recording" and status["consent"] == f"accepted version {Config().notice_version}"

            out = run_cli("pause", "--for", "1h", "--store", str(store_path))
            assert out.returncode == 0 and "capture paused until" in out.stdout and "PID" in out.stdout
            wait_for(lambda: not agent.capturing, "the agent to follow the pause")
            status = json.loads(run_cli("status", "--json", "--store", str(store_path)).stdout)
            assert status["capture"] == "paused" and status["paused_until"] > time.time() + 3000

            out = run_cli("resume", "--store", str(store_path))
            assert out.returncode == 0 and "capture resumed" in out.stdout
            wait_for(lambda: agent.capturing, "the agent to follow the resume")
        finally:
            agent.submit("stop")
            runner.join()
            agent.stop()
        assert running_agent(store_path) is None
        actions = [a.action for a in store.audit_trail()]
        assert actions.count("collector.pause") == 1 and actions.count("collector.resume") == 1


def test_status_of_a_fresh_install_and_of_an_agent_that_is_not_running(store_path: Path) -> None:
    out = run_cli("status", "--store", str(store_path))
    assert out.returncode == 0 and "not set up" in out.stdout and "consent accept" in out.stdout
    assert not store_path.exists()   # status creates nothing
    assert run_cli("consent", "accept", "--store", str(store_path)).returncode == 0
    out = run_cli("status", "--store", str(store_path))
    assert "not running" in out.stdout and "0 events recorded about you" in out.stdout


def test_a_pause_set_while_no_agent_runs_holds_at_its_start(store_path: Path) -> None:
    assert run_cli("consent", "accept", "--store", str(store_path)).returncode == 0
    out = run_cli("pause", "--store", str(store_path))
    assert "no agent is running" in out.stdout and "until resumed" in out.stdout
    with Store.open(store_path) as store:
        agent = make_agent(store, [])
        agent.start()
        assert not agent.capturing
        agent.stop()


def test_store_info_and_consent_show_say_capture_is_paused(store_path: Path) -> None:
    assert run_cli("consent", "accept", "--store", str(store_path)).returncode == 0
    assert "paused" not in run_cli("store", "info", "--store", str(store_path)).stdout
    assert run_cli("pause", "--for", "1h", "--store", str(store_path)).returncode == 0
    info = run_cli("store", "info", "--store", str(store_path)).stdout
    assert "capture    paused until " in info and "tasklens resume" in info
    assert json.loads(run_cli("store", "info", "--json", "--store", str(store_path)).stdout)["paused"]
    assert "Capture is paused until " in run_cli("consent", "show", "--store", str(store_path)).stdout
