"""run_analysis, the one producer the CLI, the demo and the dashboard's worker call: a store read through it
keeps each event's source_row, the decisions kept in the folder are honoured, the run is audited in the
folder and in the store, a cancel writes nothing, and an import with no masker is one line."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

from tasklens import auditfile, storekey
from tasklens.analyzer import decisions as dec
from tasklens.analyzer.result import AnalysisResult
from tasklens.analyzer.run import Cancelled, Inputs, run_analysis
from tasklens.analyzer.synthetic import generate
from tasklens.errors import InputFormatError
from tasklens.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, storekey.Key]:
    key = storekey.new_raw_key()
    path = tmp_path_factory.mktemp("run") / "s.db"
    with Store(path, key) as s:
        s.append([e for e, _ in generate(users=3, days=2, routines=3, seed=2)])
    return path, key


def test_a_store_run_keeps_source_rows_honours_decisions_and_audits(store: tuple[Path, storekey.Key],
                                                                    tmp_path: Path) -> None:
    path, key = store
    out = tmp_path / "out"
    stages: list[str] = []
    first = run_analysis(Inputs([path], store_key=key, audit_as="dashboard.analyze"), out, masker=None,
                         progress=lambda stage, done, total: stages.append(stage))
    assert {"loading", "activities", "task types", "writing outputs"} <= set(stages)
    assert first.result == AnalysisResult.read(out)
    with open(out / "events.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["source_row"] for r in rows), "store events trace back to their rows"
    assert [e["action"] for e in auditfile.read(out)] == ["analyze"]
    with Store(path, key, create=False) as s:
        assert "dashboard.analyze" in [e.action for e in s.audit_trail()]

    top = first.result.candidates[0]
    d = dec.Decisions()
    d.set_status(top.signature, "rejected", cid=top.id)
    dec.save(out, d)
    again = run_analysis(Inputs([path], store_key=key), out, masker=None)
    assert again.decisions == 1 and "honoured 1 analyst decisions" in again.notes
    assert [c.status for c in again.result.candidates if c.signature == top.signature] == ["rejected"]
    assert dec.load(out).count() == 1, "the decisions stay with the analysis"
    assert [e["action"] for e in auditfile.read(out)] == ["analyze", "analyze"]


def test_cancel_writes_nothing(store: tuple[Path, storekey.Key], tmp_path: Path) -> None:
    seen: list[str] = []

    def cancel() -> bool:
        return "activities" in seen

    with pytest.raises(Cancelled):
        run_analysis(Inputs([store[0]], store_key=store[1]), tmp_path / "out", masker=None,
                     progress=lambda stage, *_: seen.append(stage), cancel=cancel)
    assert not (tmp_path / "out").exists()


def test_an_import_without_a_masker_is_one_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("timestamp,user,app,title,action,target,value\n2026-11-02T09:00:00Z,u,app,t,click,b,\n")
    with pytest.raises(InputFormatError, match=r"^.*in\.csv: imported events need masking"):
        run_analysis(Inputs([src]), tmp_path / "out", masker=None)
    assert not (tmp_path / "out").exists()


def test_a_big_import_starts_its_masking_workers_before_it_is_read(tmp_path: Path, store: tuple[Path, storekey.Key],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers start while the file is parsed, and stop before the analysis; a store (masked
    already) or a small import starts none."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from tasklens.analyzer import run as running
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker

    src = tmp_path / "in.csv"
    rows = [f"2026-11-02T09:{m:02d}:00Z,u,app,Order {m},click,b," for m in range(40)]
    src.write_text("timestamp,user,app,title,action,target,value\n" + "\n".join(rows) + "\n")
    seen: list[str] = []
    masker = Masker(Config())

    @contextmanager
    def sharing() -> Iterator[None]:
        seen.append("workers start")
        yield
        seen.append("workers stop")

    monkeypatch.setattr(masker, "sharing", sharing)
    loading = running._load
    monkeypatch.setattr(running, "_load", lambda *a: seen.append("read") or loading(*a))
    monkeypatch.setattr(running, "WARM_FROM", src.stat().st_size)
    run_analysis(Inputs([src]), tmp_path / "out", masker=lambda: masker,
                 progress=lambda stage, *_: seen.append(stage) if stage == "activities" else None)
    assert seen == ["workers start", "read", "workers stop", "activities"]
    seen.clear()
    monkeypatch.setattr(running, "WARM_FROM", src.stat().st_size + 1)
    run_analysis(Inputs([src]), tmp_path / "out2", masker=lambda: masker)
    run_analysis(Inputs([store[0]], store_key=store[1]), tmp_path / "out3", masker=lambda: masker)
    assert "workers start" not in seen


def test_the_cycle_collector_waits_till_the_run_is_over(store: tuple[Path, storekey.Key], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of a million events spent seconds in Python's cycle collector walking them as they grew: it is
    paused while the run loads, masks and analyses, and back on after it, whether the run ends well or not."""
    import gc

    from tasklens.analyzer import run as running
    seen: list[bool] = []
    loading = running._load
    monkeypatch.setattr(running, "_load", lambda *a: seen.append(gc.isenabled()) or loading(*a))
    run_analysis(Inputs([store[0]], store_key=store[1]), tmp_path / "out", masker=None)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(InputFormatError):
        run_analysis(Inputs([tmp_path / "missing.csv"]), tmp_path / "out2", masker=None)
    assert gc.isenabled()
    # the dashboard analyses on a worker thread: the collector is the whole process's, so it stays on there
    seen.clear()
    worker = threading.Thread(target=run_analysis, args=(Inputs([store[0]], store_key=store[1]), tmp_path / "out3"),
                              kwargs={"masker": None})
    worker.start()
    worker.join()
    assert seen == [True] and (tmp_path / "out3" / "report.json").is_file()
