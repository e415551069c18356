"""The collector end to end: real xterm windows on Xvfb + openbox, driven by xdotool from this process,
`tasklens collect` as a subprocess, the result read back through `tasklens store show --json` and
from the raw bytes of the store files.

The tests wait for what they expect to reach the store (the agent writes every 0.5 s), never for a
fixed time, and time bounds are generous: a busy machine must not fail them.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from xdisplay import XDisplay, xdisplay  # noqa: F401 - the fixture

pytestmark = [pytest.mark.display, pytest.mark.timeout(120)]

CANARY_MAIL = "jane.doe@example.com"
CANARY_OTHER = "john.smith@contoso.com"
CANARY_SECRET = "Salary review for Jane Doe"
TASKLENS = [sys.executable, "-m", "tasklens.cli.main"]


class Collector:
    """`tasklens collect` running against a test display."""

    def __init__(self, disp: XDisplay, store: Path, workdir: Path, *extra: str, accept: bool = True) -> None:
        self.log = workdir / "collector.log"
        self.env = {**disp.env, **{k: v for k, v in os.environ.items() if k.startswith("TASKLENS_")}}
        argv = [*TASKLENS, "collect", "--store", str(store), "--log-file", str(self.log), *extra]
        if accept:
            argv.append("--accept-notice")
        self.proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr = b""
        STARTED.append(self.proc)

    def wait_ready(self, timeout: float = 60) -> str:
        """Wait for the line saying capture is on (or paused); return it."""
        assert self.proc.stderr is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if select.select([self.proc.stderr], [], [], 0.2)[0]:
                chunk = os.read(self.proc.stderr.fileno(), 4096)
                self.stderr += chunk
                for line in self.stderr.decode(errors="replace").splitlines():
                    if line.startswith("tasklens: capturing") or line.startswith("tasklens: paused"):
                        time.sleep(0.3)   # the listeners are up; let the first focus event pass
                        return line
                if not chunk:
                    break
        self.proc.kill()
        raise AssertionError(f"collector did not start: {self.stderr.decode(errors='replace')}")

    def wait_log(self, text: str, timeout: float = 30) -> None:
        """Wait until the collector's log file says `text` (it logs pause, resume and start at INFO)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.log.exists() and text in self.log.read_text():
                return
            time.sleep(0.05)
        raise AssertionError(f"the collector never logged {text!r}")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, (self.stderr + err).decode(errors="replace")


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture
def desk(xdisplay: XDisplay, tmp_path: Path) -> Iterator[tuple[XDisplay, Path]]:  # noqa: F811
    """A display and a folder; any collector a failed test left running is killed afterwards."""
    yield xdisplay, tmp_path
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def stored(store: Path) -> list[dict[str, object]]:
    out = subprocess.run([*TASKLENS, "store", "show", "--store", str(store), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def wait_stored(store: Path, done: Callable[[list[tuple[str, str]]], bool], what: str,
                timeout: float = 60) -> None:
    """Wait until the (action, target) pairs in the store satisfy `done`: the collector has taken in and
    written what the test sent."""
    from tasklens.store import Store

    end = time.monotonic() + timeout
    pairs: list[tuple[str, str]] = []
    while time.monotonic() < end:
        if store.exists() and store.stat().st_size:
            with Store.open(store, create=False) as s:
                pairs = [(e.action.value, e.target) for e in s.events()]
            if done(pairs):
                return
        time.sleep(0.1)
    raise AssertionError(f"the collector never stored {what}; stored: {pairs[-10:]}")


def ends_with(*tail: tuple[str, str]) -> Callable[[list[tuple[str, str]]], bool]:
    return lambda pairs: pairs[-len(tail):] == list(tail)


def raw_bytes(store: Path) -> bytes:
    return b"".join(Path(f"{store}{s}").read_bytes() for s in ("", "-wal") if Path(f"{store}{s}").exists())


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user.toml"
    path.write_text(text)
    return path


def _capturing(disp: XDisplay, tmp: Path, title: str) -> tuple[Collector, Path]:
    """A collector running (consented) on a fresh store, with an xterm titled `title` focused."""
    window = disp.xterm(title)
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    disp.activate(window)
    return col, store


def test_focus_input_idle_clipboard_exclusions_and_masking(desk: tuple[XDisplay, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    disp, tmp = desk
    monkeypatch.setenv("TASKLENS_CONFIG", str(config_file(
        tmp, '[capture]\nidle_seconds = 2\ntitle_exclude = ["(?i)^salary review"]\n')))
    vault = tmp / "keepassxc"          # a password manager by process name (a built-in exclusion)
    vault.symlink_to("/usr/bin/xterm")
    a = disp.xterm(f"Invoice for {CANARY_MAIL}")
    b = disp.xterm(f"Mail - {CANARY_OTHER} - Inbox", geometry="60x10+600+100")
    c = disp.xterm(CANARY_SECRET, geometry="60x10+100+400")
    d = disp.xterm(f"KeePassXC - {CANARY_MAIL}.kdbx", program=str(vault), geometry="60x10+600+400")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()

    disp.activate(a)
    disp.xdotool("type", "--delay", "40", "hello world")
    disp.xdotool("key", "--delay", "80", "Return", "ctrl+c", "ctrl+v")
    disp.xdotool("mousemove", "--window", a, "30", "40", "click", "1")
    disp.xdotool("click", "--repeat", "3", "--delay", "60", "4")
    disp.xdotool("set_window", "--name", f"Invoice 2 for {CANARY_MAIL}", a)   # a title change counts
    wait_stored(store, ends_with(("scroll", "up"), ("focus", "")), "the title change")
    switched = time.time()
    disp.activate(b)
    active = time.time()
    disp.xdotool("type", "--delay", "40", "abc")
    disp.xdotool("key", "--delay", "80", "ctrl+s", "Tab")
    disp.take_clipboard()              # a copy from a menu: only the clipboard owner changes
    wait_stored(store, lambda p: ("idle", "") in p, "idle (after 2 s without input)")
    disp.xdotool("key", "Escape")
    disp.activate(c)                   # excluded by the user's title pattern
    disp.xdotool("type", "--delay", "40", "secret")
    disp.xdotool("mousemove", "--window", c, "5", "5", "click", "1")
    disp.activate(d)                   # excluded: a password manager
    disp.xdotool("type", "--delay", "40", "hunter2")
    disp.xdotool("mousemove", "--window", a, "15", "15", "click", "1")   # click-to-focus back to a
    wait_stored(store, ends_with(("click", "left"), ("focus", "")), "the click that focused a")
    disp.xdotool("key", "Return")
    wait_stored(store, ends_with(("focus", ""), ("key", "enter")), "the last Return")
    code, err = col.stop()
    assert code == 0, err

    events = stored(store)
    first_a = next(i for i, e in enumerate(events) if e["action"] == "focus" and
                   str(e["title"]).startswith("Invoice for"))
    got = [(e["action"], e["target"], e["count"]) for e in events[first_a:]]
    assert got == [
        ("focus", "", 0), ("type", "", 11), ("key", "enter", 1), ("copy", "ctrl+c", 1), ("paste", "ctrl+v", 1),
        ("click", "left", 1), ("scroll", "up", 3), ("focus", "", 0),
        ("focus", "", 0), ("type", "", 3), ("shortcut", "ctrl+s", 1), ("key", "tab", 1),
        ("copy", "clipboard", 1), ("idle", "", 0), ("active", "", 0), ("key", "escape", 1),
        ("excluded", "", 0),
        ("click", "left", 1), ("focus", "", 0), ("key", "enter", 1)]
    tail = events[first_a:]
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)
    assert tail[5]["value"] == "30,40"                       # click position inside the window
    assert tail[13]["duration"] == 2.0 and 2.0 <= tail[14]["duration"] < 60  # type: ignore[operator]
    assert tail[1]["value"] == "" and 0 < tail[1]["duration"] < 30           # type: ignore[operator]
    assert all(e["app"] == "xterm" for e in tail if e["action"] not in ("excluded",))
    assert tail[16]["app"] == "" and tail[16]["title"] == ""
    assert tail[17]["value"] == "15,15" and str(tail[17]["title"]).startswith("Invoice 2 for ")  # the click
    assert str(tail[18]["title"]).startswith("Invoice 2 for ")     # that focused a
    # masked titles: the canaries are gone, the rest of the title stays
    assert str(tail[0]["title"]).startswith("Invoice for ") and str(tail[7]["title"]).startswith("Invoice 2 for ")
    assert str(tail[8]["title"]).startswith("Mail - ")
    assert switched < float(tail[8]["ts"]) < active + 10   # type: ignore[arg-type] # the switch, not a later one
    shown = json.dumps(events)
    for canary in (CANARY_MAIL, CANARY_OTHER, CANARY_SECRET, "KeePassXC", "hello", "hunter2", "secret"):
        assert canary not in shown
        assert canary.encode() not in raw_bytes(store)
        assert canary not in col.log.read_text()


def test_nothing_is_recorded_without_consent(desk: tuple[XDisplay, Path]) -> None:
    disp, tmp = desk
    a = disp.xterm(f"Invoice for {CANARY_MAIL}")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp, accept=False)
    out, err = col.proc.communicate(timeout=60)
    assert col.proc.returncode == 2
    assert "tasklens records" in out.decode()                 # the notice
    assert "--accept-notice" in err.decode() or "consent accept" in err.decode()
    disp.activate(a)
    assert stored(store) == []


def test_pause_is_kept_across_a_restart_and_resume_records_again(desk: tuple[XDisplay, Path]) -> None:
    disp, tmp = desk
    col, store = _capturing(disp, tmp, f"Invoice for {CANARY_MAIL}")
    disp.xdotool("key", "Return")
    col.proc.send_signal(signal.SIGUSR1)             # pause
    col.wait_log("capture paused")
    disp.xdotool("key", "Tab", "Tab")
    code, _ = col.stop()
    assert code == 0
    col = Collector(disp, store, tmp)                # restarted: still paused
    assert col.wait_ready().startswith("tasklens: paused")
    disp.xdotool("key", "Escape")
    col.proc.send_signal(signal.SIGUSR2)             # resume
    col.wait_log("capture resumed")
    disp.xdotool("key", "Delete")
    wait_stored(store, lambda p: ("key", "delete") in p, "Delete after the resume")
    code, _ = col.stop()
    assert code == 0
    keys = [e["target"] for e in stored(store) if e["action"] == "key"]
    assert keys == ["enter", "delete"]


def test_kill_9_keeps_every_written_event_and_the_store_opens(desk: tuple[XDisplay, Path]) -> None:
    """What the agent wrote survives kill -9 whole; only what it had not written yet (the last half
    second, by its flush interval) may go. The store opens cleanly after."""
    disp, tmp = desk
    col, store = _capturing(disp, tmp, "Ledger")
    disp.xdotool("key", "--delay", "50", *["Return"] * 20)
    wait_stored(store, lambda p: p.count(("key", "enter")) == 20, "20 Returns")
    disp.xdotool("key", "--delay", "50", *["Tab"] * 10)
    col.proc.kill()
    col.proc.wait(timeout=10)
    keys = [e["target"] for e in stored(store) if e["action"] == "key"]
    assert keys[:20] == ["enter"] * 20 and set(keys[20:]) <= {"tab"} and len(keys) <= 30


def test_chords_take_their_modifiers_from_the_key_press(desk: tuple[XDisplay, Path]) -> None:
    """Only presses are recorded (releases cost CPU): each modifier must come from the press's state."""
    disp, tmp = desk
    col, store = _capturing(disp, tmp, "Chords")
    disp.xdotool("key", "--delay", "80", "shift+Tab", "ctrl+shift+v", "alt+f", "super+x", "shift+a", "Escape")
    wait_stored(store, ends_with(("key", "escape")), "the chords up to Escape")
    code, err = col.stop()
    assert code == 0, err
    got = [(e["action"], e["target"]) for e in stored(store) if e["action"] != "focus"]
    assert got == [("key", "shift+tab"), ("paste", "ctrl+shift+v"), ("shortcut", "alt+f"), ("shortcut", "super+x"),
                   ("type", ""), ("key", "escape")], got


def test_withdrawn_consent_stops_capture_at_once(desk: tuple[XDisplay, Path]) -> None:
    disp, tmp = desk
    col, store = _capturing(disp, tmp, "Ledger")
    disp.xdotool("key", "Return")
    wait_stored(store, lambda p: ("key", "enter") in p, "Return")
    withdraw = subprocess.run([*TASKLENS, "consent", "withdraw", "--store", str(store)],
                              capture_output=True, text=True, timeout=60, env=col.env)
    assert withdraw.returncode == 0, withdraw.stderr
    withdrawn = time.monotonic()
    out, err = col.proc.communicate(timeout=30)
    assert time.monotonic() - withdrawn < 20         # it checks every second; generous for a busy machine
    assert col.proc.returncode == 0 and "consent withdrawn" in err.decode()
    disp.xdotool("key", "Tab")                       # the collector has exited: nothing can take this in
    assert [e["target"] for e in stored(store) if e["action"] == "key"] == ["enter"]


def test_typed_text_when_the_organisation_turns_it_on_is_masked(desk: tuple[XDisplay, Path],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    disp, tmp = desk
    org = tmp / "org.toml"
    org.write_text("[capture]\nrecord_typed_text = true\n")
    monkeypatch.setenv("TASKLENS_ORG_CONFIG", str(org))
    a = disp.xterm("Notes")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    disp.activate(a)
    disp.xdotool("type", "--delay", "30", f"mail {CANARY_MAIL} now")
    disp.xdotool("key", "Return")
    wait_stored(store, ends_with(("key", "enter")), "the typed line and Return")
    code, err = col.stop()
    assert code == 0, err
    typed = [e for e in stored(store) if e["action"] == "type"]
    assert len(typed) == 1 and typed[0]["count"] == len(f"mail {CANARY_MAIL} now")
    assert str(typed[0]["value"]).startswith("mail <") and str(typed[0]["value"]).endswith("> now")
    assert CANARY_MAIL.encode() not in raw_bytes(store) and CANARY_MAIL not in col.log.read_text()


def test_the_display_closing_stops_the_collector_with_one_line(desk: tuple[XDisplay, Path]) -> None:
    disp, tmp = desk
    col, store = _capturing(disp, tmp, "Ledger")
    disp.xdotool("key", "Return")
    wait_stored(store, lambda p: ("key", "enter") in p, "Return")
    disp.close()                                      # the X server goes away (logout, crash)
    _, err = col.proc.communicate(timeout=30)
    assert col.proc.returncode == 2
    errors = [line for line in err.decode().splitlines() if line.startswith("tasklens: error:")]
    assert len(errors) == 1 and "display" in errors[0] and "closed" in errors[0]
    assert "Traceback" not in err.decode()
    assert [e["target"] for e in stored(store) if e["action"] == "key"] == ["enter"]
