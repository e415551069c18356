"""Analysis outputs are never half-written or mixed with an earlier run's, and every refusal is one line.

Read-only places are made with `chattr +i` (the immutable attribute): the tests run as root, and root
ignores permission bits but not the immutable attribute, so the writes really fail.
"""

from __future__ import annotations

import json
import math
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import make_events

from tasklens import auditfile
from tasklens.analyzer import decisions, signers
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import Analysis, analyze
from tasklens.cli.main import main
from tasklens.errors import OutputError
from tasklens.store import Store

OUTPUTS = ("report.json", "events.csv", "report.html", "log.xes")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return analyze(make_events(300) + make_events(200, user="emp-2", app="sap", title="FB60 - SAP"))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "in.db"
    with Store.open(path) as s:
        s.append(make_events(120))
    return path


def _immutable(path: Path) -> None:
    r = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        pytest.skip(f"chattr +i is not available here: {r.stderr.strip()}")


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[object]:
    """Make paths immutable (chattr +i); undone at the end so the temporary folder can be removed."""
    done: list[Path] = []

    def make(path: Path) -> None:
        _immutable(path)
        done.append(path)

    yield make
    for p in reversed(done):
        subprocess.run(["chattr", "-i", str(p)], check=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(root: Path) -> list[str]:
    """Temporary files or folders the writers left behind (`.part`, `.old`)."""
    return [str(p) for p in root.rglob("*") if p.name.endswith((".part", ".old", ".tmp"))]


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("tasklens: error: ") and "\n" not in err and "Traceback" not in err, err
    return err


# -- --out names something that is not a folder ----------------------------------------------------
def test_analyze_out_naming_a_file_is_one_line(tmp_path: Path, store: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.txt"
    target.write_text("mine\n")
    assert main(["analyze", str(store), "--out", str(target), "--no-progress"]) == 2
    assert "is a file" in _one_line_error(capsys)
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in.db", "report.txt"]


def test_demo_out_naming_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo-out"
    target.write_text("mine\n")
    assert main(["demo", "--out", str(target), "--employees", "1", "--days", "1"]) == 2
    assert "is a file" in _one_line_error(capsys)
    assert target.read_text() == "mine\n" and not _leftovers(tmp_path)


def test_out_under_a_file_is_one_line(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plain").write_text("x")
    assert main(["analyze", str(store), "--out", str(tmp_path / "plain" / "out"), "--no-progress"]) == 2
    assert "plain is a file" in _one_line_error(capsys)


def test_demo_store_place_taken_by_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d" / "demo-store.db").mkdir(parents=True)
    assert main(["demo", "--out", str(tmp_path / "d"), "--employees", "1", "--days", "1"]) == 2
    assert "demo-store.db" in _one_line_error(capsys)


# -- re-runs: whole folders, history kept ----------------------------------------------------------
def test_rerun_replaces_outputs_whole_and_keeps_decisions_and_audit(analysis: Analysis, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(analysis, out)
    kept = decisions.Decisions()
    kept.set_status(("a", "b"), "accepted", cid="C01")
    decisions.save(out, kept)
    (out / "events.csv").unlink()
    (out / "events.csv").mkdir()   # a folder where a file is expected: replaced with the folder
    (out / "events.csv" / "x").write_text("x")
    write_all(analysis, out, audit_detail="second run")
    assert sorted(p.name for p in out.iterdir()) == sorted((*OUTPUTS, decisions.FILE, auditfile.NAME))
    assert decisions.load(out).status(("a", "b")) == "accepted"
    assert [e["detail"] for e in auditfile.read(out)][-1] == "second run"
    assert [e["action"] for e in auditfile.read(out)] == ["analyze", "analyze"]
    assert (out / "events.csv").is_file() and not _leftovers(tmp_path)


def test_a_folder_with_other_files_is_never_replaced(tmp_path: Path, store: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "notes.txt").write_text("mine\n")
    assert main(["analyze", str(store), "--out", str(tmp_path / "work"), "--no-progress"]) == 2
    assert "notes.txt" in _one_line_error(capsys)
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["notes.txt"]


def test_out_dot_is_the_current_folder(tmp_path: Path, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert main(["analyze", str(store), "--out", ".", "--no-progress"]) == 0
    assert {p.name for p in (tmp_path / "here").iterdir()} >= set(OUTPUTS)
    monkeypatch.chdir(tmp_path)
    assert {p.name for p in (tmp_path / "here").iterdir()} >= set(OUTPUTS) and not _leftovers(tmp_path)


def test_outputs_are_private(analysis: Analysis, tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    write_all(analysis, out)
    decisions.save(out, decisions.Decisions())
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_a_failed_rerun_leaves_the_old_folder_as_it_was(analysis: Analysis, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(analysis, out)
    auditfile.append(out, "report.admin", "x")
    before = _snapshot(out)
    bad = replace(analysis, result=replace(analysis.result, instances=[replace(analysis.result.instances[0], end=math.inf),
                                                                  *analysis.result.instances[1:]]))
    with pytest.raises(OutputError):
        write_all(bad, out)
    assert _snapshot(out) == before and not _leftovers(tmp_path)


def test_files_of_the_run_come_with_it_or_not_at_all(analysis: Analysis, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(analysis, out, also=lambda folder: (folder / "signers.json").write_text("[]"))
    assert (out / "signers.json").read_text() == "[]"
    before = _snapshot(out)

    def fails(folder: Path) -> None:
        (folder / "signers.json").write_text("new")
        raise OutputError("disk full")

    with pytest.raises(OutputError, match="disk full"):
        write_all(analysis, out, also=fails)
    assert _snapshot(out) == before and not _leftovers(tmp_path)


def test_demo_output_is_private(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--employees", "2", "--days", "1"]) == 0
    analysis_dir = out / "analysis"
    for folder in (out, analysis_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # the demo writes what every analysis writes (run_analysis): the signers proven (none: no bundles) too
    assert sorted(p.name for p in analysis_dir.iterdir()) == sorted((*OUTPUTS, auditfile.NAME, signers.NAME))
    for p in analysis_dir.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


# -- figures that are not numbers -----------------------------------------------------------------
def test_nan_duration_never_reaches_report_json(tmp_path: Path) -> None:
    events = make_events(200)
    events = [replace(e, duration=math.nan) if i % 10 == 9 else e for i, e in enumerate(events)]
    with pytest.raises(OutputError, match="not a finite number"):
        write_all(analyze(events), tmp_path / "out")
    assert not (tmp_path / "out").exists() and not _leftovers(tmp_path)


def test_text_no_utf8_file_can_hold_is_one_error(tmp_path: Path) -> None:
    events = make_events(100, title="Book \ud800 - Excel")
    with pytest.raises(OutputError, match="not valid Unicode"):
        write_all(analyze(events), tmp_path / "out")
    assert not (tmp_path / "out").exists() and not _leftovers(tmp_path)


# -- read-only places (chattr +i) -----------------------------------------------------------------
def test_read_only_output_folder_is_one_line(tmp_path: Path, store: Path, immutable,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(store), "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    before = _snapshot(out)
    immutable(out)
    assert main(["analyze", str(store), "--out", str(out), "--no-progress"]) == 2
    assert str(out) in _one_line_error(capsys)
    assert _snapshot(out) == before and not _leftovers(tmp_path)


def test_read_only_parent_is_one_line(tmp_path: Path, store: Path, immutable,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    immutable(parent)
    assert main(["analyze", str(store), "--out", str(parent / "out"), "--no-progress"]) == 2
    assert "ro" in _one_line_error(capsys)
    assert list(parent.iterdir()) == []


def test_read_only_audit_file_is_one_line(tmp_path: Path, store: Path, immutable,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(store), "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    before = _snapshot(out)
    immutable(out / auditfile.NAME)
    assert main(["analyze", str(store), "--out", str(out), "--no-progress"]) == 2
    assert "audit.jsonl" in _one_line_error(capsys)
    assert _snapshot(out) == before and not _leftovers(tmp_path)
    with pytest.raises(OutputError, match="audit"):
        auditfile.append(out, "report.admin", "x")


def test_analyze_audits_inside_the_new_folder(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(store), "--out", str(out), "--no-progress"]) == 0
    entries = auditfile.read(out)
    assert [e["action"] for e in entries] == ["analyze"] and "events=120" in entries[0]["detail"]
    json.loads((out / "report.json").read_text())


def test_report_json_is_written_an_instance_at_a_time(tmp_path: Path) -> None:
    """report.json of an organisation's analysis lists millions of instances: written a piece at a time, the
    writing holds one instance's text, not the whole report's (2.4 KB an instance at once, 3.7 GB for 1.5M),
    and the text is what json.dumps of the whole gives, byte for byte."""
    import tracemalloc

    from tasklens.analyzer.outputs import write_result
    from tasklens.analyzer.result import AnalysisResult, Instance

    result = AnalysisResult(instances=[Instance(k, f"emp-{k % 50:03d}", 1.7e9 + k * 37.25, 1.7e9 + k * 37.25 + 31.5,
                                                k % 7, k % 300, 5 + k % 9) for k in range(20_000)])
    for r in (result, AnalysisResult()):
        assert r.dumps() == json.dumps(r.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    tracemalloc.start()
    try:
        write_result(result, tmp_path / "out", "test", None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "out" / "report.json").read_text(encoding="utf-8") == result.dumps()
    assert peak < 20_000 * 100   # bytes: under 100 an instance
