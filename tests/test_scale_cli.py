"""Organisation scale as a user runs it: `tasklens merge` bundles into an encrypted dataset, `tasklens
analyze DATASET --engine embedded`, `tasklens report` on that analysis; a merge killed halfway resumes;
a cancel stops an analysis; the engine is chosen by name, in one line when it cannot run."""

from __future__ import annotations

import csv
import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import TASKLENS, run_cli, wait_for

from tasklens.analystkey import load_public, new_key_pair
from tasklens.bundle import write_bundle
from tasklens.events import Event
from tasklens.signing import enrol, raw
from tasklens.simulate import simulate

ENV = {"TASKLENS_KEY": "3d" * 32, "TASKLENS_PASSPHRASE": "analyst passphrase 9"}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Six employees' signed bundles of two working days each, enrolled in the analyst's roster."""
    d = tmp_path_factory.mktemp("scale")
    priv, pub = new_key_pair(ENV["TASKLENS_PASSPHRASE"])
    (d / "analyst.key").write_bytes(priv)
    (d / "analyst.pub").write_bytes(pub)
    paths = []
    for user, group in itertools.groupby(simulate(employees=6, days=2, seed=12), key=lambda p: p[0].user):
        events = [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count,
                        element_path=r.element_path) for r, _ in group]
        signer = Ed25519PrivateKey.generate()
        enrol(d / "roster.json", raw(signer.public_key()), f"p-{user}")
        paths.append(d / f"{user}.tlb")
        write_bundle(paths[-1], events, user, load_public(d / "analyst.pub"), signer)
    return d, paths


def _merge(d: Path, dataset: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return run_cli("merge", *map(str, inputs), "--key", str(d / "analyst.key"), "--dataset", str(dataset),
                   "--no-progress", *extra, env=ENV)


def _admin(analysis: Path, out: Path) -> dict[tuple[str, str, str], str]:
    r = run_cli("report", str(analysis), "--min-users", "2", "--out", str(out), env=ENV)
    assert r.returncode == 0, r.stderr
    with out.open(newline="") as f:
        return {(row["section"], row["label"], row["metric"]): row["value"] for row in csv.DictReader(f)
                if row["section"] != "about"}


def test_merge_analyze_and_admin_report_as_in_memory(bundles: tuple[Path, list[Path]], tmp_path: Path) -> None:
    d, paths = bundles
    r = _merge(d, tmp_path / "ds", *paths[:4])
    assert r.returncode == 0, r.stderr
    assert "merged 4 inputs" in r.stdout
    r = _merge(d, tmp_path / "ds", *paths, extra=("--workers", "2"))   # the first four again: only the rest
    assert r.returncode == 0, r.stderr
    assert "merged 2 inputs" in r.stdout and "4 merged before" in r.stdout and "it holds 6 inputs" in r.stdout

    r = run_cli("analyze", str(tmp_path / "ds"), "--engine", "embedded", "--out", str(tmp_path / "a"), env=ENV)
    assert r.returncode == 0, r.stderr
    assert "from 6 employees" in r.stdout and "RPA candidate" in r.stdout
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "audit.jsonl", "report.html", "report.json", "signers.json", "usage.json"]
    memory = run_cli("analyze", *map(str, paths), "--key", str(d / "analyst.key"), "--out", str(tmp_path / "m"),
                     "--quiet", env=ENV)
    assert memory.returncode == 0, memory.stderr
    streamed, in_memory = (json.loads((tmp_path / f / "report.json").read_text()) for f in ("a", "m"))
    assert in_memory["summary"]["candidates"] > 0
    for part in ("summary", "instances", "task_types", "variants", "candidates", "routines", "exceptions"):
        assert streamed[part] == in_memory[part], part

    # the admin report of the dataset's analysis (usage.json) shows what the in-memory one (events.csv) shows
    a, m = _admin(tmp_path / "a", tmp_path / "a.csv"), _admin(tmp_path / "m", tmp_path / "m.csv")
    assert a.keys() == m.keys() and any(k[0] == "applications" for k in a) and any(k[0] == "candidates" for k in a)
    for k, v in a.items():
        if k[2] in ("active_hours", "share"):   # events.csv keeps times to the millisecond
            assert float(v) == pytest.approx(float(m[k]), abs=0.011), k
        else:
            assert v == m[k], k


def test_a_merge_killed_halfway_resumes_to_the_same_dataset(bundles: tuple[Path, list[Path]], tmp_path: Path) -> None:
    d, paths = bundles
    manifest = tmp_path / "ds" / "manifest.json"

    def listed() -> int:
        try:
            return len(json.loads(manifest.read_text())["inputs"])
        except (OSError, ValueError):
            return 0
    child = subprocess.Popen([*TASKLENS, "merge", *map(str, paths), "--key", str(d / "analyst.key"), "--dataset",
                              str(tmp_path / "ds"), "--workers", "1", "--no-progress"],
                             env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: listed() >= 2 or child.poll() is not None, "the merge to list two inputs")
    child.kill()
    child.communicate()
    assert 2 <= listed() < len(paths), "the merge finished before it was killed: nothing was tested"

    r = run_cli("analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "part"), "--quiet", env=ENV)
    assert r.returncode == 0, r.stderr    # what was merged is usable as it is
    part = json.loads((tmp_path / "part" / "report.json").read_text())["summary"]
    assert part["users"] == listed()

    r = _merge(d, tmp_path / "ds", *paths)
    assert r.returncode == 0, r.stderr
    assert f"{listed()} inputs" in r.stdout.split("it holds")[1]
    assert _merge(d, tmp_path / "clean", *paths).returncode == 0
    for ds in ("ds", "clean"):
        assert run_cli("analyze", str(tmp_path / ds), "--out", str(tmp_path / f"out-{ds}"), "--quiet",
                       env=ENV).returncode == 0
    resumed, clean = (json.loads((tmp_path / f"out-{ds}" / "report.json").read_text()) for ds in ("ds", "clean"))
    assert resumed["summary"]["users"] == len(paths)
    assert resumed == clean


def test_ctrl_c_stops_a_merge_and_what_it_listed_stays(bundles: tuple[Path, list[Path]], tmp_path: Path) -> None:
    d, paths = bundles
    manifest = tmp_path / "ds" / "manifest.json"
    # Ctrl-C as a terminal gives it, even where this test runs with SIGINT ignored (a job started with `&`
    # by a script ignores it, and so would the merge; it then finished as if no Ctrl-C had come)
    default_int = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    child = subprocess.Popen([sys.executable, "-c", default_int, *TASKLENS, "merge", *map(str, paths), "--key",
                              str(d / "analyst.key"), "--dataset", str(tmp_path / "ds"), "--workers", "2", "--no-progress"],
                             env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: manifest.is_file() and '"base"' in manifest.read_text() or child.poll() is not None,
             "the merge to list an input")
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    if child.returncode == 0:
        pytest.fail("the merge finished before Ctrl-C reached it: nothing was tested")
    assert child.returncode == 130 and "Traceback" not in err, err
    # Ctrl-C mostly lands mid-merge, but on a busy machine the pool may have written every input before it
    # arrives (the run still stops with 130, before its summary): either way, what is listed stays merged
    inputs = json.loads(manifest.read_text())["inputs"]
    assert 1 <= len(inputs) <= len(paths)
    r = _merge(d, tmp_path / "ds", *paths)
    assert r.returncode == 0 and f"{len(inputs)} merged before" in r.stdout, r.stdout + r.stderr
    assert f"holds {len(paths)} inputs" in r.stdout, r.stdout


def test_cancel_stops_a_streamed_analysis(bundles: tuple[Path, list[Path]], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tasklens.analyzer.dataset import Dataset
    from tasklens.analyzer.datasetrun import analyze_merged
    from tasklens.analyzer.run import Cancelled
    from tasklens.analyzer.stream import analyze_dataset

    d, paths = bundles
    assert _merge(d, tmp_path / "ds", *paths[:3]).returncode == 0
    monkeypatch.setenv("TASKLENS_KEY", ENV["TASKLENS_KEY"])
    seen: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append(stage)
    with pytest.raises(Cancelled):
        analyze_merged(tmp_path / "ds", tmp_path / "out", analyze_dataset, progress=progress,
                       cancel=lambda: "segmentation" in seen)
    assert not (tmp_path / "out").exists()     # nothing written
    assert seen.count("segmentation") == 1     # stopped within one user's work
    assert analyze_dataset(Dataset(tmp_path / "ds")).result.summary.users == 3


def test_engine_by_name_and_its_errors(bundles: tuple[Path, list[Path]], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from tasklens.analyzer.engines import engine_for
    from tasklens.analyzer.stream import analyze_dataset
    from tasklens.errors import UsageError

    assert engine_for("embedded") is analyze_dataset
    monkeypatch.setitem(sys.modules, "pyspark", None)   # a machine without pyspark: importing it fails
    with pytest.raises(UsageError, match="needs pyspark"):
        engine_for("spark")
    with pytest.raises(UsageError, match="choose one of"):
        engine_for("flink")
    d, paths = bundles
    r = run_cli("analyze", str(paths[0]), "--key", str(d / "analyst.key"), "--engine", "embedded", "--out",
                str(tmp_path / "a"), env=ENV)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "tasklens merge" in r.stderr
    r = run_cli("analyze", str(tmp_path / "nothing"), "--engine", "embedded", "--out", str(tmp_path / "a"), env=ENV)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _merge(d, tmp_path / "ds", paths[0]).returncode == 0
    r = run_cli("analyze", str(tmp_path / "ds"), "--out", str(tmp_path / "a"), "--quiet",
                env={**ENV, "TASKLENS_KEY": "4e" * 32})
    assert r.returncode == 2 and "does not open dataset" in r.stderr and len(r.stderr.strip().splitlines()) == 1
