"""A new employee on a desktop: a keyring (Secret Service) and no TASKLENS_KEY. The first run makes a
random key and keeps it in the keyring; the next run finds it there. Real gnome-keyring-daemon on a
private D-Bus session bus, unlocked for the test; no display is needed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import TASKLENS

from tasklens.store import Store
from tasklens.storekey import Key

NEEDED = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon")


def _owned(env: dict[str, str], name: str) -> bool:
    r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                       env=env, capture_output=True, text=True, timeout=10)
    return "boolean true" in r.stdout


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a desktop session with an unlocked login keyring: HOME, PATH and the bus."""
    if missing := [p for p in NEEDED if shutil.which(p) is None]:
        pytest.skip(f"cannot start a Secret Service: {', '.join(missing)} missing "
                    "(Debian: gnome-keyring dbus-daemon dbus-bin; `make apt-test` installs them)")
    home = tmp_path / "desk"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    started: list[subprocess.Popen[str]] = []
    try:
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        started.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        if not address:
            pytest.skip(f"cannot start a D-Bus session bus: dbus-daemon exited with {bus.wait(10)}")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        keyring = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                                   env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        started.append(keyring)
        assert keyring.stdin is not None
        keyring.stdin.write("login password")   # creates and unlocks the login keyring
        keyring.stdin.close()
        end = time.monotonic() + 30
        while not _owned(env, "org.freedesktop.secrets"):
            if keyring.poll() is not None:
                pytest.skip(f"gnome-keyring-daemon exited with {keyring.returncode}: "
                            f"{keyring.stderr.read().strip() if keyring.stderr else ''}")
            assert time.monotonic() < end, "gnome-keyring-daemon never took org.freedesktop.secrets on the bus"
            time.sleep(0.05)
        yield env
    finally:
        for p in reversed(started):
            if p.poll() is None:
                p.terminate()
                p.wait(10)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TASKLENS, *args], env=env, capture_output=True, text=True, timeout=120, cwd=env["HOME"])


def _kept(env: dict[str, str], store: Path) -> str:
    """What the keyring holds for `store`, read by another program through the Secret Service."""
    code = f"import keyring; print(keyring.get_password('tasklens', {str(store.resolve())!r}) or '')"
    r = subprocess.run([TASKLENS[0], "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_first_run_keeps_a_new_key_in_the_keyring_and_the_next_run_finds_it(desktop: dict[str, str]) -> None:
    assert "TASKLENS_KEY" not in desktop
    store = Path(desktop["HOME"]) / ".local" / "share" / "tasklens" / "events.db"
    assert _kept(desktop, store) == ""

    r = _run(desktop, "consent", "accept")
    assert r.returncode == 0, r.stderr
    secret = _kept(desktop, store)
    assert re.fullmatch(r"[0-9a-f]{64}", secret), "the first run should keep a random 256-bit key"
    assert secret.encode() not in b"".join(p.read_bytes() for p in store.parent.rglob("*") if p.is_file())

    r = _run(desktop, "store", "info")                 # the next run: the key comes from the keyring
    assert r.returncode == 0, r.stderr
    assert "key from the OS keyring" in r.stdout and "integrity  ok" in r.stdout
    assert _kept(desktop, store) == secret             # found, not replaced
    with Store(store, Key(secret, True, "test"), create=False) as s:   # and it is the key of that store
        assert [a.action for a in s.audit_trail()][:2] == ["consent.accept", "store.info"]
