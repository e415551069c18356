"""The PyInstaller bundle, built for real and run as a pilot user would: no venv, no source tree.

One build (about 3-5 minutes) serves every test here; all are marked slow and `make test` runs them.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from xdisplay import XDisplay, missing_programs

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    dist = tmp_path_factory.mktemp("dist")
    r = subprocess.run([str(ROOT / "installer" / "build.sh"), str(dist)], capture_output=True, text=True,
                       timeout=1500)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    print(r.stdout)   # size and start-up time, for the CI log
    assert "start-up:" in r.stdout and list(dist.glob("tasklens-*-linux-*.tar.gz"))
    yield dist / "tasklens"


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a pilot user's shell has: no venv, no PYTHONPATH, no source tree."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "TASKLENS_HOME": str(home / "data"), "TASKLENS_KEY": secrets.token_hex(32), **extra}


def run(bundle: Path, *args: str, env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bundle / "tasklens"), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout)


def test_version_and_cold_start(bundle: Path, tmp_path: Path) -> None:
    t = time.perf_counter()
    r = run(bundle, "--version", env=clean_env(tmp_path), cwd=tmp_path)
    print(f"bundle --version took {time.perf_counter() - t:.2f} s")
    assert r.returncode == 0 and r.stdout.strip() == "tasklens 0.1.0"


def test_demo_and_the_dashboard_run_from_the_bundle(bundle: Path, tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    r = run(bundle, "demo", "--out", "out", "--employees", "3", "--days", "2", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    for name in ("report.json", "report.html", "events.csv", "log.xes"):
        assert (tmp_path / "out" / "analysis" / name).stat().st_size > 0
    # Qt and its plugins are in the bundle: the dashboard renders every view of that analysis
    r = run(bundle, "dashboard", "out/analysis", "--screenshot", "d.png", env=env | {"QT_QPA_PLATFORM": "offscreen"},
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    shots = [Path(line) for line in r.stdout.split()]
    from tasklens.gui.dashboard import PAGES  # one picture per page of the dashboard

    assert len(shots) == len(PAGES) and all((tmp_path / p).stat().st_size > 10_000 for p in shots)


def test_org_config_beside_the_bundle_is_used(bundle: Path, tmp_path: Path) -> None:
    org = bundle / "tasklens-org.toml"
    org.write_text('[consent]\nnotice_version = "pilot-42"\nnotice_text = "Pilot notice for team 42."\n')
    try:
        r = run(bundle, "consent", "show", env=clean_env(tmp_path), cwd=tmp_path)
    finally:
        org.unlink()
    assert r.returncode == 0, r.stderr
    assert "Pilot notice for team 42." in r.stdout and "pilot-42" in r.stdout


@pytest.mark.display
def test_collect_under_xvfb_writes_a_readable_store(bundle: Path, tmp_path: Path) -> None:
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)}")
    disp = XDisplay(tmp_path / "x")
    try:
        env = clean_env(tmp_path, DISPLAY=disp.env["DISPLAY"])
        store = tmp_path / "events.db"
        a = disp.xterm("Bundle test A")
        b = disp.xterm("Bundle test B", geometry="80x20+500+300")
        agent = subprocess.Popen([str(bundle / "tasklens"), "collect", "--store", str(store), "--accept-notice",
                                  "--duration", "20"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(8)   # the bundle unpacks nothing, but Presidio takes a few seconds to load
        for _ in range(3):
            disp.activate(a)
            disp.xdotool("type", "--delay", "40", "hello world")
            disp.xdotool("key", "Return")
            disp.activate(b)
            disp.xdotool("click", "1")
            time.sleep(0.5)
        out, err = agent.communicate(timeout=120)
        assert agent.returncode == 0, err[-2000:]
        r = run(bundle, "store", "show", "--store", str(store), "--json", env=env, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        events = [json.loads(line) for line in r.stdout.splitlines()]
        actions = {e["action"] for e in events}
        assert {"focus", "type", "key", "click"} <= actions, actions
        assert {e["title"] for e in events if e["action"] == "focus"} >= {"Bundle test A", "Bundle test B"}
    finally:
        disp.close()
