"""The analyst dashboard: its view-models on a real analysis, every view, filters, decisions, exports,
screenshots, and that no personal data from the simulated titles shows up anywhere.

The analysis is real: simulated work with personal data in titles -> the real Presidio masker -> the
analyzer -> its output folder. Qt runs offscreen (no X server needed).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tasklens.analyzer import decisions as dec  # noqa: E402
from tasklens.errors import InputFormatError  # noqa: E402

CANARY_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\bDE\d{2} \d{4} \d{4}|\+49 \d{3} \d{7}")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], list]:
    """(analysis folder, personal strings that were in the raw titles/values, the masked events)."""
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    from tasklens.analyzer.outputs import write_all
    from tasklens.analyzer.pipeline import analyze
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker
    from tasklens.simulate import simulate

    raws = [r for r, _ in simulate(3, 2, seed=11)]
    canaries = {m for r in raws for text in (r.title, r.value) for m in CANARY_RE.findall(text)}
    assert len(canaries) > 20
    events = Masker(Config()).mask_many(raws)
    folder = tmp_path_factory.mktemp("analysis")
    write_all(analyze(events), folder)
    return folder, canaries, events


@pytest.fixture
def folder(built: tuple[Path, set[str], list], tmp_path: Path) -> Path:
    """A private copy, so decisions written by one test do not leak into another."""
    copy = tmp_path / "analysis"
    shutil.copytree(built[0], copy)
    return copy


def _rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "events.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- the dashboard's data: the selection over a real analysis (pure) ----------------------------------
def _load(folder: Path):  # noqa: ANN202
    from tasklens.gui.model import AnalysisData

    return AnalysisData.load(folder)


def test_totals_and_overview_match_the_events_file(folder: Path) -> None:
    rows = _rows(folder)
    view = _load(folder).select()
    t = view.totals()
    assert t["events"] == len(rows)
    assert t["employees"] == len({r["user"] for r in rows})
    assert t["instances"] == len({r["task_id"] for r in rows if r["task_id"]})
    assert sum(h for _, h in view.time_by_app(top=100)) == pytest.approx(t["hours"])
    assert sum(n for _, n, _ in view.activity_per_day()) == len(rows)
    assert {e[0] for e in view.employees()} == {r["user"] for r in rows}
    assert 0 < t["hours"] < 2 * 24 * 3   # 3 people, 2 days


def test_filters_apply_to_every_view(folder: Path) -> None:
    from tasklens.analyzer.selection import Filters

    data = _load(folder)
    rows = _rows(folder)
    who = sorted(data.users)[0]
    app = Counter(r["app"] for r in rows).most_common(1)[0][0]
    one = data.select(Filters(users=frozenset({who})))
    assert one.totals()["events"] == sum(r["user"] == who for r in rows)
    assert [e[0] for e in one.employees()] == [who]
    assert all(set(t.users) == {who} for t in one.task_types())
    assert all(set(c.users) <= {who} for c in one.candidates())
    mine = {r["task_id"] for r in rows if r["user"] == who and r["task_id"]}
    assert sum(t.instances for t in one.task_types()) == len(mine)
    only_app = data.select(Filters(apps=frozenset({app})))
    assert [a for a, _ in only_app.time_by_app()] == [app]
    lo, _ = data.span
    first_day = data.select(Filters(since=lo - lo % 86400, until=lo - lo % 86400 + 86400))
    assert len(first_day.activity_per_day()) == 1
    assert first_day.totals()["events"] < len(rows)
    top = data.select().task_types()[0]
    one_type = data.select(Filters(task_types=frozenset({top.id})))
    assert [t.id for t in one_type.task_types()] == [top.id] and one_type.totals()["instances"] == top.instances
    nobody = data.select(Filters(users=frozenset()))
    assert nobody.totals()["events"] == 0 and nobody.task_types() == [] and not nobody.process_map().nodes


def test_process_map_is_the_analyzers(folder: Path) -> None:
    """Unfiltered, the dashboard's map is report.json's process map, edge for edge; forward edges go down."""
    from tasklens.gui.processmap import layered

    data = _load(folder)
    want = {(e.source, e.target): e.count for e in data.result.process_map.edges}
    pm = data.select().process_map(max_edges=len(want))
    assert pm.edges == want
    top = data.select().process_map(max_edges=10)
    assert list(top.edges.values()) == sorted(want.values(), reverse=True)[:10]
    layers, order = layered(top.position, top.edges)
    for (a, b) in top.edges:
        assert layers[a] != layers[b] or a == b or order[a] != order[b]


def test_candidates_routines_and_types_are_the_reports(folder: Path) -> None:
    """Unfiltered, every figure is report.json's: the one duration rule, the analyzer's routine support."""
    data = _load(folder)
    result, view = data.result, data.select()
    cands = view.candidates()
    assert [c.id for c in cands] == [c.id for c in result.candidates]
    for c, r in zip(cands, result.candidates):
        assert c.instance_ids == sorted(r.instances) and c.signature == r.signature
        assert c.hours_observed == pytest.approx(r.hours_observed, abs=5e-4)   # the report rounds to 3 places
        assert c.parts and c.rationale
        drill = view.instances(c.instance_ids[:5])
        assert [i[0] for i in drill] == c.instance_ids[:5] and all(i[4] for i in drill)
    types = {t.id: t for t in view.task_types()}
    assert sum(t.instances for t in types.values()) == result.summary.instances
    for t in result.task_types:
        assert types[t.id].instances == t.instances and types[t.id].hours == pytest.approx(t.hours_observed, abs=5e-4)
    routines = view.routines()
    assert routines and all(r.apps for r in routines)
    assert {r.steps: r.support for r in routines} == {r.steps: r.instances for r in result.routines}


# -- decisions ---------------------------------------------------------------------------------------
def test_decisions_round_trip_and_reject_bad_files(tmp_path: Path) -> None:
    d = dec.Decisions()
    d.set_status(("a", "b"), "accepted", cid="C01")
    d.rename(("c", "d"), "Post vendor invoices", cid="C02")
    d.merge([1, 2], [("x",), ("y",)], "merged")
    d.split(0, [("a", "b", "c")], "rare path")
    dec.save(tmp_path, d)
    back = dec.load(tmp_path)
    assert back.as_json() == d.as_json()
    assert back.confirmed(("a", "b")) and not back.confirmed(("c", "d"))
    assert back.name(("c", "d"), "x") == "Post vendor invoices"
    assert dec.merge_map({1: ("x",), 2: ("y",), 3: ("z",)}, back) == {2: 1}
    with pytest.raises(ValueError):
        d.set_status(("a", "b"), "maybe")
    (tmp_path / dec.FILE).write_text('{"candidates": {"C01": {"status": "perhaps"}}}')
    with pytest.raises(InputFormatError, match="perhaps"):
        dec.load(tmp_path)
    assert dec.load(tmp_path / "nowhere").as_json() == dec.Decisions().as_json()


def test_merge_and_split_change_the_task_types(folder: Path) -> None:
    from tasklens.analyzer.selection import SPLIT_BASE

    data = _load(folder)
    before = data.select().task_types()
    assert len(before) >= 2
    sig = {t.id: t.signature for t in data.result.task_types}
    d = dec.Decisions()
    d.merge([before[0].id, before[1].id], [sig[before[0].id], sig[before[1].id]], name="Both")
    merged = data.select(decisions=d).task_types()
    assert len(merged) == len(before) - 1
    assert merged[0].name == "Both" and merged[0].instances == before[0].instances + before[1].instances
    t = next(t for t in before if len(t.variants) >= 2)
    moved = t.variants[-1]
    d = dec.Decisions()
    d.split(t.id, [moved[0]], "Rare")
    split = {x.id: x for x in data.select(decisions=d).task_types()}
    assert split[SPLIT_BASE].name == "Rare" and split[SPLIT_BASE].instances == moved[1]
    assert split[t.id].instances == t.instances - moved[1]


# -- the window --------------------------------------------------------------------------------------
def _texts(window) -> list[str]:   # noqa: ANN001
    """Every text a person could read in the window: labels, buttons, table cells, map labels, tooltips."""
    from PySide6.QtWidgets import QAbstractButton, QGraphicsSimpleTextItem, QGraphicsTextItem, QLabel, QWidget

    from tasklens.gui.processmap import ProcessMapView
    from tasklens.gui.tables import Table

    out = [window.windowTitle()]
    for w in window.findChildren(QWidget):
        out.append(w.toolTip())
        if isinstance(w, QLabel):
            out.append(w.text())
        elif isinstance(w, QAbstractButton):
            out.append(w.text())
        elif isinstance(w, Table):
            out += w.texts()
        elif isinstance(w, ProcessMapView):
            for item in w.scene().items():
                out.append(item.toolTip())
                if isinstance(item, QGraphicsTextItem):
                    out.append(item.toPlainText())
                elif isinstance(item, QGraphicsSimpleTextItem):
                    out.append(item.text())
    return out


def test_every_view_shows_data_and_no_personal_data(qtbot, folder: Path, built) -> None:  # noqa: ANN001
    from tasklens.gui.dashboard import PAGES, Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    for i, _key in enumerate(PAGES):
        window.tabs.setCurrentIndex(i)
    pages = window.pages
    assert "events" in pages["overview"].kpis[0].text() and pages["overview"].apps.rows
    assert pages["overview"].days.days and pages["overview"].people.source.rows
    assert pages["task-types"].types.source.rows and pages["task-types"].variants.source.rows
    assert pages["routines"].table.source.rows and pages["routines"].detail.source.rows
    assert pages["candidates"].table.source.rows and pages["candidates"].instances.source.rows
    assert pages["candidates"].parts.rows
    assert pages["process-map"].map.scene().items()
    texts = "\n".join(_texts(window))
    leaked = [c for c in built[1] if c in texts]
    assert not leaked, f"personal data visible in the dashboard: {leaked[:3]}"


def test_filter_widgets_change_the_views(qtbot, folder: Path) -> None:  # noqa: ANN001
    from tasklens.analyzer.selection import Filters
    from tasklens.gui.dashboard import Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    total = window.view.totals()["events"]
    who = sorted(window.data.users)[-1]
    window.set_filters(Filters(users=frozenset({who})))
    assert window.view.filters.users == frozenset({who})
    assert [r[0] for r in window.pages["overview"].people.source.rows] == [who]
    assert window.view.totals()["events"] < total
    assert window.employees.text() == f"Employees: 1 of {len(window.data.users)}"
    window.tabs.setCurrentIndex(3)   # candidates refresh lazily, with the same filters
    assert all(set(r[4:5]) <= {0, 1} for r in window.pages["candidates"].table.source.rows)
    window.reset_filters()
    assert window.view.totals()["events"] == total
    top = window.view.task_types()[0]
    window.set_filters(Filters(task_types=frozenset({top.id})))
    assert window.view.filters.task_types == frozenset({top.id})
    assert window.task_types.text() == f"Task types: 1 of {len(window._type_ids)}"
    window.tabs.setCurrentIndex(1)
    assert len(window.pages["task-types"].types.source.rows) == 1
    assert window.view.totals()["instances"] == top.instances


def test_a_merge_or_split_keeps_the_task_types_chosen_in_the_filter(qtbot, folder: Path) -> None:  # noqa: ANN001
    from tasklens.analyzer.selection import Filters
    from tasklens.gui.dashboard import Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    first, second, third = window.view.task_types()[:3]
    window.set_filters(Filters(task_types=frozenset({first.id, third.id})))
    window.merge([first.id, second.id], "Both")   # a chosen type merged with one not chosen: the merged one stays chosen
    n = len(window._type_ids)
    assert window.task_types.text() == f"Task types: 2 of {n}"
    assert window.view.totals()["instances"] == first.instances + second.instances + third.instances
    window.set_filters(Filters(task_types=frozenset({third.id})))
    variants = window.view.task_types()[0].variants
    window.split(third.id, [variants[-1][0]], "Split off")   # the part split off a chosen type is chosen too
    assert window.task_types.text() == f"Task types: 2 of {n + 1}"
    assert window.view.totals()["instances"] == third.instances
    window.decide("C1", "accepted", ("x",))   # a decision that changes no type leaves the choice alone
    assert window.task_types.text() == f"Task types: 2 of {n + 1}"


def test_candidate_decisions_are_kept_with_the_analysis(qtbot, folder: Path, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QInputDialog

    from tasklens.gui.dashboard import Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    window.tabs.setCurrentIndex(3)
    page = window.pages["candidates"]
    first = page.current()
    page._decide("accepted")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Answer order e-mails", True)))
    page.table.selectRow(0)
    page._rename()
    saved = json.loads((folder / dec.FILE).read_text())
    [kept] = [d for d in saved["candidates"] if d["signature"] == list(first.signature)]
    assert (kept["status"], kept["name"], kept["id"]) == ("accepted", "Answer order e-mails", first.id)
    again = Dashboard()
    qtbot.addWidget(again)
    again.open_analysis(folder)
    again.tabs.setCurrentIndex(3)
    row = again.pages["candidates"].table.source.rows[0]
    assert row[1] == "Answer order e-mails" and row[2] == "accepted"


def test_a_reanalysis_that_renumbers_candidates_keeps_each_decision_on_its_candidate(qtbot, folder: Path) -> None:  # noqa: ANN001
    """Decisions are kept by signature: after a re-analysis gives the candidates other ids, "rejected" is
    painted on the candidate the analyst rejected, not on the one that now carries its old id."""
    from tasklens.analyzer.result import AnalysisResult
    from tasklens.files import atomic_write
    from tasklens.gui.dashboard import Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    cands = window.view.candidates()
    assert len(cands) >= 2
    rejected = cands[0]
    window.decide(rejected.id, "rejected", rejected.signature)
    result = AnalysisResult.read(folder)   # the re-analysis: the same candidates, numbered the other way round
    numbers = [(c.id, c.rank) for c in result.candidates]
    for c, (cid, rank) in zip(result.candidates, reversed(numbers)):
        c.id, c.rank = cid, rank
    atomic_write(folder / "report.json", result.dumps())
    again = Dashboard()
    qtbot.addWidget(again)
    again.open_analysis(folder)
    again.tabs.setCurrentIndex(3)
    shown = again.pages["candidates"]._rows
    [same] = [c for c in shown.values() if c.signature == rejected.signature]
    assert same.id != rejected.id and same.status == "rejected"
    assert shown[rejected.id].status == "open"
    assert [row[2] for row in again.pages["candidates"].table.source.rows].count("rejected") == 1


def test_exports_and_screenshots(qtbot, folder: Path, built, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtGui import QImage

    from tasklens.gui import exports
    from tasklens.gui.dashboard import PAGES, Dashboard

    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    first = window.view.candidates()[0]
    window.decide(first.id, "accepted", first.signature)
    out = tmp_path / "out"
    out.mkdir()
    csv_file = exports.write_csv(window.view, out / "e.csv")
    html_file = exports.write_html(window.view, out / "r.html")
    xes_file = exports.write_xes(window.view, out / "l.xes")
    assert len(_rows_of(csv_file)) == window.view.totals()["events"]
    assert "1 of" in html_file.read_text() and "confirmed" in html_file.read_text()
    import xml.etree.ElementTree as ET
    assert len(ET.parse(xes_file).getroot().findall("trace")) == window.view.totals()["instances"]
    admin = out / "admin.html"
    window._export_aggregate(admin, allow_unverified=True)   # a store's analysis: nobody is a proven signer
    assert "admin report" in admin.read_text() and "Unverified counts" in admin.read_text()
    assert "emp-" not in admin.read_text()   # aggregated: no employee appears
    for f in (csv_file, html_file, xes_file, admin):
        text = f.read_text()
        assert not [c for c in built[1] if c in text], f"personal data in {f.name}"
    shots = window.screenshots(out / "shot.png")
    assert [p.name for p in shots] == [f"shot-{k}.png" for k in PAGES]
    for p in shots:
        img = QImage(str(p))
        assert (img.width(), img.height()) == (1280, 800)
        colours = {img.pixel(x, y) for x in range(0, 1280, 37) for y in range(120, 800, 29)}
        assert len(colours) > 4, f"{p.name} looks empty"


def _rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_open_store_asks_for_the_key_and_analyses_on_a_worker(qtbot, monkeypatch, tmp_path: Path, built) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QInputDialog

    from tasklens import storekey
    from tasklens.gui.dashboard import Dashboard
    from tasklens.gui.worker import analysis_dir_for
    from tasklens.store import Store

    key = storekey.new_raw_key()
    store_file = tmp_path / "team.db"
    with Store(store_file, key) as store:
        store.append(built[2][:3000])
    monkeypatch.delenv("TASKLENS_KEY")
    asked = []
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: (asked.append(a[1]), (key.secret, True))[1]))
    window = Dashboard()
    qtbot.addWidget(window)
    window.open_source(store_file)
    assert asked == ["Key for the store"]
    with qtbot.waitSignal(window.job.done, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: window.data is not None, timeout=10_000)
    assert window.data.folder == analysis_dir_for(store_file)
    assert window.view.totals()["events"] == 3000
    window._thread.wait(5000)


def test_cancel_stops_the_analysis_without_results(qtbot, tmp_path: Path, built) -> None:  # noqa: ANN001
    from tasklens import storekey
    from tasklens.gui import worker
    from tasklens.store import Store

    key = storekey.new_raw_key()
    store_file = tmp_path / "s.db"
    with Store(store_file, key) as store:
        store.append(built[2][:2000])
    job = worker.AnalyseStore(store_file, key, tmp_path / "out")
    job.cancel()
    with qtbot.waitSignal(job.failed, timeout=30_000) as sig:
        thread = worker.start(job)
    assert sig.args == ["cancelled"]
    assert not (tmp_path / "out").exists()
    thread.wait(5000)


def test_not_an_analysis_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="not an analysis folder"):
        _load(tmp_path)


def test_dashboard_command_renders_every_view(folder: Path, tmp_path: Path) -> None:
    """`tasklens dashboard DIR --screenshot F.png` as a user runs it: a separate process, offscreen."""
    import subprocess
    import sys

    from tasklens.gui.dashboard import PAGES

    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "tasklens.cli.main", "dashboard", str(folder),
                          "--screenshot", str(tmp_path / "d.png")], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(tmp_path / f"d-{k}.png") for k in PAGES]
    missing = subprocess.run([sys.executable, "-m", "tasklens.cli.main", "dashboard", str(tmp_path / "nope")],
                             capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 2 and missing.stderr.strip().endswith("no such store or analysis folder")
    nowhere = subprocess.run([sys.executable, "-m", "tasklens.cli.main", "dashboard", str(folder), "--screenshot",
                              str(tmp_path / "no-such-folder" / "d.png")], capture_output=True, text=True, env=env,
                             timeout=120)   # printed the paths and said 0 while writing nothing
    assert nowhere.returncode == 2 and not nowhere.stdout and "make sure its folder exists" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
