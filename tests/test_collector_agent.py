"""The agent's rules on a real store and real consent records: consent first, pause kept across restarts,
timed pauses ending on their own. The desktop is replaced by sources that only record start/stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fakes import CopyMasker, never
from helpers import wait_for

from tasklens.collector.agent import Agent
from tasklens.collector.sources import NO_WINDOW, Backend, Emit, Window
from tasklens.config import Config
from tasklens.errors import ConsentError
from tasklens.events import Action, RawEvent
from tasklens.identity import store_pseudonym
from tasklens.privacy import consent
from tasklens.store import Store


class Recorder:
    """A source that counts starts and stops and emits one focus event when started."""

    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name, self.current = log, name, NO_WINDOW
        self.lost = False

    def start(self, emit: Emit) -> None:
        self.log.append(f"start {self.name}")
        if self.name == "focus":
            self.current = Window("xterm", "/usr/bin/xterm", "Ledger")
            emit(RawEvent(time.time(), "emp", "xterm", "Ledger", Action.FOCUS))

    def stop(self) -> None:
        self.log.append(f"stop {self.name}")


def make_agent(store: Store, log: list[str]) -> Agent:
    def backend(user: str, config: Config) -> Backend:
        return Backend(Recorder(log, "focus"), Recorder(log, "input"), None)
    return Agent(store, Config(), store_pseudonym(store), masker=CopyMasker(), excluded=never, backend=backend)


def test_no_source_starts_without_consent(store_path: Path) -> None:
    log: list[str] = []
    with Store.open(store_path) as store:
        agent = make_agent(store, log)
        with pytest.raises(ConsentError):
            agent.start()
        agent.stop()
        assert log == [] and store.count() == 0


def test_pause_is_remembered_and_a_timed_pause_ends_by_itself(store_path: Path) -> None:
    log: list[str] = []
    with Store.open(store_path) as store:
        consent.accept(store, store_pseudonym(store), Config())
        agent = make_agent(store, log)
        agent.start()
        assert agent.capturing and log == ["start focus", "start input"]
        agent.pause()
        assert not agent.capturing and log[-2:] == ["stop input", "stop focus"]
        agent.stop()

        log.clear()
        agent = make_agent(store, log)      # a restart: still paused, nothing starts
        agent.start()
        assert not agent.capturing and log == [] and agent.paused_until == float("inf")
        agent.pause(until=time.time() + 0.5)
        runner = threading.Thread(target=agent.run, kwargs={"duration": 300.0})
        runner.start()
        wait_for(lambda: agent.capturing, "run() to end the timed pause")
        assert agent.paused_until is None   # resumed by run() when the pause ended
        agent.submit("stop")
        runner.join()
        assert agent.stop_reason == "stopped"
        agent.stop()
        assert [e.action for e in store.events()] == [Action.FOCUS, Action.FOCUS]
        assert [a.action for a in store.audit_trail()][-3:] == ["collector.pause", "collector.pause",
                                                                "collector.resume"]


def test_expired_events_are_purged_when_capture_starts(store_path: Path) -> None:
    log: list[str] = []
    now = time.time()
    with Store.open(store_path) as store:
        user = store_pseudonym(store)
        consent.accept(store, user, Config())
        store.append(CopyMasker().mask_many([RawEvent(now - 40 * 86400, user, "mail", "old", Action.FOCUS),
                                             RawEvent(now - 3600, user, "mail", "recent", Action.FOCUS)]))
        agent = make_agent(store, log)
        agent.start()
        agent.stop()
        titles = [e.title for e in store.events()]
        assert "old" not in titles and "recent" in titles
        assert any(a.action == "retention.purge" for a in store.audit_trail())
