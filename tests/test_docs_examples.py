"""Every example in the README's shell blocks and under every `--help` is run, so none drifts from the CLI.

Each runs as a person would paste it (bash, `tasklens` on PATH) in an empty HOME with the environment a
machine without a keyring needs (TASKLENS_KEY, TASKLENS_PASSPHRASE, Qt offscreen), in a folder holding
what the example names: a store with a day of events and consent, `events.csv`, an analyst key pair in
`analyst/`, a signed bundle in `bundles/` (also `me.tlb`), and analyses in `analysis/`, `demo-out/analysis`,
`before/` and `after/`. A README shell block is one session: its lines run in order in one folder. Every
example must exit 0 unless its trailing comment says `exit N`.

A few are run in a lighter form or not at all, each with its reason in LIGHTER below: they need a
desktop session (collector, tray, an open dashboard window) or take minutes (make, benchmarks).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasklens.cli.main import build_parser

README = Path(__file__).parent.parent / "README.md"
BIN = Path(sys.executable).parent
KEY = "0123456789abcdef" * 4
COLLECT = ("captures until stopped, from an X display; tests/test_collector_e2e.py runs it on its own Xvfb")
DEMO = "tasklens demo --employees 2 --days 1 --out demo-out"
# example -> (what runs instead, or None for nothing, and why)
LIGHTER: dict[str, tuple[str | None, str]] = {
    "tasklens consent accept && tasklens collect": (None, COLLECT),
    "tasklens collect --store /tmp/events.db": (None, COLLECT),
    "tasklens tray": (None, "needs a desktop with a tray; tests/test_gui_tray.py drives the tray offscreen"),
    "tasklens dashboard demo-out/analysis": ("tasklens dashboard demo-out/analysis --screenshot shot.png",
                                             "opens a window until closed; rendered offscreen instead"),
    "tasklens demo --out demo-out": (DEMO, "six employees for a week take a minute; two for a day"),
    "tasklens demo --employees 3 --days 2 --out small-demo": (DEMO.replace("demo-out", "small-demo"),
                                                              "as above, smaller"),
    "make demo": (DEMO, "installs apt packages as root, then runs `tasklens demo`; the demo part runs"),
    "make test": (None, "the whole test suite (this test is part of it)"),
    "tasklens store rekey": (None, "keeps the new key in the OS keyring, which this machine lacks; "
                                   "tests/test_keyring.py runs it with a real Secret Service, and the "
                                   "TASKLENS_NEW_KEY example runs here"),
}
# what an example assumes is not there yet: its first use, not a repeat over the workspace's own
PREPARE = {"tasklens keys new": "rm -r analyst", "tasklens keys enrol": "rm analyst/roster.json"}
BENCH = "a benchmark takes minutes on a shared machine; its figures are in the README's table"


def _workspace(root: Path) -> dict[str, str]:
    """The folder and environment every example starts from (built once, copied per example)."""
    home = root / "home"
    home.mkdir()
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home), "TASKLENS_HOME": str(home / "data"),
           "TASKLENS_KEY": KEY, "TASKLENS_PASSPHRASE": "analyst passphrase for the tests",
           "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", "PYTHONWARNINGS": "ignore"}
    run = _runner(root, env)
    run("tasklens consent accept")
    subprocess.run([sys.executable, "-c", _FILL], env={**os.environ, **env}, check=True)
    run("tasklens keys new --out analyst/")
    run("cp analyst/analyst.pub analyst.pub")
    run("mkdir bundles && tasklens export --bundle bundles/me.tlb --to analyst/analyst.pub && cp bundles/me.tlb .")
    run("tasklens keys enrol bundles/me.tlb --as p001 --roster analyst/roster.json")
    run("tasklens analyze bundles/me.tlb --key analyst/analyst.key --out analysis/ --quiet")
    run("mkdir demo-out && cp -r analysis demo-out/analysis && cp -r analysis before && cp -r analysis after")
    run("tasklens store show --json > /dev/null")   # the store is readable before examples change it
    _csv(root / "events.csv")
    return env


_FILL = """
from tasklens.events import Action, Event
from tasklens.identity import store_pseudonym
from tasklens.paths import default_store
from tasklens.store import Store
with Store.open(default_store(), create=False) as store:
    me, t, events = store_pseudonym(store), 1_793_000_000.0, []
    steps = [("outlook", "Invoice - Outlook", Action.FOCUS, ""), ("sap", "Enter Incoming Invoice", Action.FOCUS, ""),
             ("sap", "Enter Incoming Invoice", Action.CLICK, 'entry "Vendor"'),
             ("sap", "Enter Incoming Invoice", Action.TYPE, 'entry "Amount"'),
             ("sap", "Enter Incoming Invoice", Action.CLICK, 'push button "Post"'),
             ("excel", "Register - Excel", Action.FOCUS, "")]
    for k in range(30):
        for app, title, action, target in steps:
            events.append(Event(t, me, app, title, action, target))
            t += 20.0
        t += 400.0
    store.append(events)
"""


def _csv(path: Path) -> None:
    rows = ["timestamp,user,app,title,action,target"]
    for k in range(20):
        for i, (app, action, target) in enumerate((("outlook", "focus", ""), ("sap", "click", "Vendor"),
                                                   ("sap", "type", "Amount"), ("excel", "focus", ""))):
            rows.append(f"2026-11-02T{8 + k // 6:02d}:{(k % 6) * 10 + i:02d}:00Z,alice,{app},Invoices,{action},{target}")
    path.write_text("\n".join(rows) + "\n")


def _runner(cwd: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]  # a test helper, typed by use
    def run(line: str, want: int = 0) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == want, f"`{line}` exited {r.returncode}, not {want}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
        return r
    return run


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("docs-examples")
    return root, _workspace(root)


@pytest.fixture
def folder(base: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the workspace, so an example that deletes or rekeys cannot spoil the next."""
    root, env = base
    shutil.copytree(root, tmp_path / "ws", symlinks=True)
    ws = tmp_path / "ws"
    return ws, {**env, "HOME": str(ws / "home"), "TASKLENS_HOME": str(ws / "home" / "data")}


def _parsers(p: argparse.ArgumentParser, path: str = "tasklens") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def help_examples() -> list[str]:
    out: list[str] = []
    for _path, p in _parsers(build_parser()):
        if p.epilog and p.epilog.startswith("examples:"):
            out += [line.strip() for line in p.epilog.splitlines()[1:] if line.strip() not in out]
    return out


def readme_blocks() -> list[list[str]]:
    """The README's ```sh blocks, each a list of command lines (comments after `#` dropped)."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    return [[line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            for block in blocks]


def _command(line: str) -> tuple[str, int]:
    """The command and the exit code its comment documents (`# ... exit 1`), 0 if none."""
    command, _, comment = line.partition("  #")
    code = re.search(r"\bexit (\d+)", comment)
    return command.strip(), int(code.group(1)) if code else 0


def _lighter(command: str) -> str | None:
    if command.startswith(".venv/bin/python bench/"):
        return None
    return LIGHTER[command][0] if command in LIGHTER else command


def test_every_command_has_examples_under_help() -> None:
    missing = [path for path, p in _parsers(build_parser())
               if path != "tasklens" and not (p.epilog or "").startswith("examples:")]
    assert not missing, f"no examples under --help: {missing}"


@pytest.mark.parametrize("example", help_examples())
def test_help_example_runs(example: str, folder: tuple[Path, dict[str, str]]) -> None:
    ws, env = folder
    command = _lighter(example)
    if command is None:
        pytest.skip(LIGHTER[example][1])
    run = _runner(ws, env)
    for prefix, prepare in PREPARE.items():
        if command.startswith(prefix):
            run(prepare)
    run(command)


@pytest.mark.parametrize("block", range(len(readme_blocks())))
def test_readme_block_runs_as_a_session(block: int, folder: tuple[Path, dict[str, str]]) -> None:
    ws, env = folder
    run = _runner(ws, env)
    run(PREPARE["tasklens keys new"])   # the README's pilot makes its own key pair
    ran = 0
    for line in readme_blocks()[block]:
        command, code = _command(line)
        lighter = _lighter(command)
        if lighter is not None:
            run(lighter, code)
            ran += 1
    if not ran:
        pytest.skip(BENCH if readme_blocks()[block][0].startswith(".venv/bin/python bench/") else "nothing to run")
