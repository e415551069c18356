"""A private X display for tests: Xvfb + openbox + xterm windows, driven by xdotool from this process.

Tests of the collector, the tray and the installer share it: `xdisplay` is a pytest fixture (import it
into a test module: `from xdisplay import xdisplay`), and `XDisplay` works without pytest too.
Everything started here is stopped by its own PID at teardown, and dies with the test process if that
crashes (PR_SET_PDEATHSIG), so no X server outlives a test run.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

SINK = ("sh", "-c", "stty -isig -icanon -ixon; exec cat >/dev/null")
NEEDED = ("Xvfb", "openbox", "xterm", "xdotool", "xprop")


def missing_programs() -> list[str]:
    return [p for p in NEEDED if shutil.which(p) is None]


class XDisplay:
    """One Xvfb server with openbox; `env` is what a child process needs to use it."""

    def __init__(self, workdir: Path, *, window_manager: bool = True, size: str = "1280x800x24",
                 extra_args: Sequence[str] = ()) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._logs: dict[int, tuple[str, Path]] = {}    # by PID: the program and its log
        self.display = self._start_xvfb(size, extra_args)
        self.env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        self.env.update(DISPLAY=self.display, XDG_SESSION_TYPE="x11", XDG_CACHE_HOME=str(self.workdir / "cache"))
        self._wait(lambda: self._run(["xprop", "-root", "-len", "0", "_NET_ACTIVE_WINDOW"]).returncode == 0,
                   "Xvfb did not accept connections (see xvfb.log in the test's folder)")
        if window_manager:
            wm = self._start("openbox", ["openbox", "--sm-disable"])

            def managed() -> bool:
                if wm.poll() is not None:
                    raise RuntimeError(f"openbox did not start: {self._report(wm)}")
                return "window id" in self._run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"]).stdout
            self._wait(managed, lambda: f"openbox did not start within 60 s: {self._report(wm)}")

    # -- processes ----------------------------------------------------------------------------
    def _start(self, name: str, argv: Sequence[str], **kw: object) -> subprocess.Popen[bytes]:
        path = self.workdir / f"{name}.log"
        with path.open("ab") as log:
            proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=kw.pop("env", None) or getattr(self, "env", None), preexec_fn=_die_with_parent,
                                    **kw)  # type: ignore[call-overload]
        self._procs.append(proc)
        self._logs[proc.pid] = (argv[0], path)
        return proc

    def _start_xvfb(self, size: str, extra_args: Sequence[str]) -> str:
        rfd, wfd = os.pipe()
        try:
            # -noreset: by default an X server resets when its last client leaves, and a client that connects
            # meanwhile is dropped ("Can't open display"): the xterm or openbox started right after the
            # readiness check's xprop left, more often the busier the machine
            self._start("xvfb", ["Xvfb", "-displayfd", str(wfd), "-screen", "0", size, "-nolisten", "tcp", "-noreset",
                                 *extra_args], pass_fds=(wfd,), env=dict(os.environ))
        finally:
            os.close(wfd)
        try:
            number = _read_line(rfd, 20)
        finally:
            os.close(rfd)
        if not number.strip():
            self.close()
            raise RuntimeError("Xvfb did not start (see xvfb.log in the test's folder)")
        return ":" + number.decode().strip()

    def start_accessibility(self) -> None:
        """A D-Bus session bus with the AT-SPI bus on it and accessibility switched on, as a desktop with
        accessibility on has: applications started afterwards expose their widgets (Chromium too)."""
        rfd, wfd = os.pipe()
        try:
            self._start("dbus", ["dbus-daemon", "--session", "--nofork", "--nosyslog", f"--print-address={wfd}"],
                        pass_fds=(wfd,))
        finally:
            os.close(wfd)
        try:
            address = _read_line(rfd, 20).decode().strip()
        finally:
            os.close(rfd)
        if not address:
            raise RuntimeError("dbus-daemon did not start (see dbus.log in the test's folder)")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self.env.pop("AT_SPI_BUS_ADDRESS", None)
        self._start("at-spi", ["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
        # our launcher must own the name first: a call to it before then starts a second one by D-Bus
        # activation, outside this display's processes
        owned = ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", "string:org.a11y.Bus"]
        self._wait(lambda: "boolean true" in self._run(owned).stdout, "at-spi-bus-launcher did not start")
        enable = ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
                  "org.freedesktop.DBus.Properties.Set", "string:org.a11y.Status", "string:IsEnabled",
                  "variant:boolean:true"]
        self._wait(lambda: self._run(enable).returncode == 0, "at-spi-bus-launcher did not start (see at-spi.log)")

    def window(self, title: str, argv: Sequence[str], timeout: float = 30.0) -> str:
        """Start `argv` and wait for its window titled `title` (a regular expression) to map; return its id."""
        proc = self._start(f"app-{len(self._procs)}", argv)
        return self._mapped(proc, title, timeout, launcher=True)

    def _run(self, argv: Sequence[str], timeout: float = 10) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=timeout)

    @staticmethod
    def _wait(ok: Callable[[], bool], what: str | Callable[[], str], timeout: float = 60.0) -> None:
        """Poll `ok` until it holds: the timeout is only a ceiling for a broken start, so it is generous (a busy
        machine is slow, not broken). `what` may be worked out only on failure."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if ok():
                return
            time.sleep(0.05)
        raise RuntimeError(what if isinstance(what, str) else what())

    # -- windows and input ----------------------------------------------------------------------
    def xterm(self, title: str, *, program: str = "xterm", geometry: str = "80x20+40+60",
              command: Sequence[str] = SINK) -> str:
        """Open an xterm titled `title` (optionally through a differently named executable); return its id.

        The default command swallows all input (ctrl+c included), so typing never closes the window.
        """
        proc = self._start(f"xterm-{len(self._procs)}", [program, "-T", title, "-geometry", geometry, "-e", *command])
        return self._mapped(proc, "^" + _escape(title) + "$")

    def _mapped(self, proc: subprocess.Popen[bytes], title: str, timeout: float = 60.0, launcher: bool = False) -> str:
        """Wait for the viewable window titled `title` (a regular expression) that `proc` opens; return its id.

        Unless `proc` may be a launcher that hands over and exits (a browser's script), its exit ends the wait
        at once: its window cannot come any more. A failure says why (see `_report`).
        """
        found: list[str] = []
        search = ["xdotool", "search", "--onlyvisible", "--name", title]
        last: list[subprocess.CompletedProcess[str]] = []

        def mapped() -> bool:
            last[:] = [self._run(search)]
            found[:] = last[0].stdout.split()
            if not found and not launcher and proc.poll() is not None:
                raise RuntimeError(f"no window {title!r}: {self._report(proc, last[0])}")
            return bool(found)
        self._wait(mapped, lambda: f"no window {title!r} within {timeout:.0f} s: {self._report(proc, last[0])}",
                   timeout)
        return found[0]

    def _report(self, proc: subprocess.Popen[bytes], search: subprocess.CompletedProcess[str] | None = None) -> str:
        """The evidence for a program whose window did not come: its fate, its output, the last search's
        answer and the display's windows."""
        program, log = self._logs[proc.pid]
        code = proc.poll()
        fate = f"{program} exited with status {code}" if code is not None else \
            f"{program} still runs ({_proc_state(proc.pid)})"
        output = log.read_text(errors="replace").strip()[-2000:] or "(none)"
        try:
            tree = self._run(["xwininfo", "-root", "-tree"])
            windows = "\n".join((tree.stdout + tree.stderr).strip().splitlines()[:40])
        except subprocess.TimeoutExpired:
            windows = "(xwininfo had no answer from the server within 10 s)"
        searched = f"the last search exited with status {search.returncode} ({search.stderr.strip() or 'no message'}); " \
            if search else ""
        return f"{fate}; its output: {output}\n{searched}the display's windows:\n{windows}"

    def xdotool(self, *args: str) -> str:
        r = self._run(["xdotool", *args])
        if r.returncode:
            raise RuntimeError(f"xdotool {' '.join(args)} failed: {r.stderr.strip()}")
        return r.stdout

    def activate(self, wid: str) -> None:
        self.xdotool("windowactivate", "--sync", wid)

    def active_window(self) -> str:
        return self.xdotool("getactivewindow").strip()

    def take_clipboard(self) -> None:
        """Make a new client own CLIPBOARD, as an application's Copy menu item does."""
        code = ("import Xlib.display, Xlib.X, time\n"
                "d = Xlib.display.Display()\n"
                "w = d.screen().root.create_window(0, 0, 1, 1, 0, Xlib.X.CopyFromParent)\n"
                "w.set_selection_owner(d.intern_atom('CLIPBOARD'), Xlib.X.CurrentTime)\n"
                "d.sync()\ntime.sleep(0.5)\n")
        r = subprocess.run([sys.executable, "-c", code], env=self.env, capture_output=True, text=True, timeout=20)
        if r.returncode:
            raise RuntimeError(f"could not take the clipboard: {r.stderr.strip()}")

    def close(self) -> None:
        """Stop what this display started, newest first: SIGTERM, then SIGKILL after 5 s."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self._procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, so a crashed test leaves no X server behind."""
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG (Linux)


def _proc_state(pid: int) -> str:
    """A running process's state and the kernel function it sleeps in, from /proc (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError as e:
        return f"no /proc entry: {e}"
    state = next((line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("State:")), "?")
    return f"state {state}, waiting in {wchan or '-'}"


def _read_line(fd: int, timeout: float) -> bytes:
    """Read up to a newline from a pipe a child writes once (Xvfb's display number, dbus-daemon's address);
    reading to the newline before closing spares the child an EPIPE."""
    line = b""
    while not line.endswith(b"\n") and select.select([fd], [], [], timeout)[0]:
        chunk = os.read(fd, 256)
        if not chunk:
            break
        line += chunk
    return line


def _escape(title: str) -> str:
    """A title as a literal for xdotool's regular expressions."""
    return "".join("\\" + c if c in r".^$*+?()[]{}|\\" else c for c in title)


@pytest.fixture
def xdisplay(tmp_path: Path) -> Iterator[XDisplay]:
    """A fresh Xvfb + openbox for one test; skipped (with the reason) when the programs are missing."""
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)} (Debian: xvfb openbox xterm xdotool x11-utils)")
    disp = XDisplay(tmp_path / "x")
    try:
        yield disp
    finally:
        disp.close()
