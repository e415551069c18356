"""The analyst in the loop, through the whole dashboard (real Qt offscreen, real analyses of simulated work
masked by the real Presidio masker): review exceptions, set a bot's build effort, mark it automated,
compare with an earlier analysis; then the files kept with the analysis and a re-analysis of the same data.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tasklens.analyzer import decisions as dec  # noqa: E402
from tasklens.analyzer import exceptionmarks  # noqa: E402
from tasklens.analyzer.effort import EffortModel  # noqa: E402
from tasklens.analyzer.result import AnalysisResult  # noqa: E402

OCTOBER, NOVEMBER = datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)   # Mondays


@pytest.fixture(scope="module")
def periods(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    """(an earlier analysis, a later one of the same simulated team, the later one's masked events)."""
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    from tasklens.analyzer.outputs import write_all
    from tasklens.analyzer.pipeline import analyze
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker
    from tasklens.simulate import simulate

    masker = Masker(Config())
    out: list = []
    for name, seed, start in (("october", 12, OCTOBER), ("november", 11, NOVEMBER)):
        events = masker.mask_many([r for r, _ in simulate(3, 2, seed=seed, start=start)])
        folder = tmp_path_factory.mktemp(name)
        write_all(analyze(events), folder)
        out += [folder]
    return out[0], out[1], events


def _button(page, text: str):  # noqa: ANN001, ANN202
    from PySide6.QtWidgets import QPushButton

    return next(b for b in page.findChildren(QPushButton) if b.text().startswith(text))


def _click(qtbot, button) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_exceptions_effort_automated_and_compare_in_the_dashboard(qtbot, periods, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog

    from tasklens.analyzer.outputs import write_all
    from tasklens.analyzer.pipeline import analyze
    from tasklens.gui import exports
    from tasklens.gui.dashboard import PAGES, Dashboard

    before, after, events = periods
    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(after)

    # Exceptions: mark the top case normal, then accept every case of another case's kind of reason
    window.tabs.setCurrentIndex(PAGES.index("exceptions"))
    cases = window.pages["exceptions"]
    ranked = list(cases.table.source.keys)
    assert len(ranked) >= 3, "the simulated team's analysis has exception cases to review"
    cases.table.selectRow(0)
    normal = cases.current()
    _click(qtbot, _button(cases, "Mark normal"))
    groups = Counter(r.kinds for r in cases.rows.values() if not r.mark)
    kinds, size = max(((k, n) for k, n in groups.items() if k != normal.kinds), key=lambda kn: kn[1])
    assert size >= 2, "a kind of reason with several cases to accept at once"
    other = next(r for r in cases.rows.values() if r.kinds == kinds)
    cases.table.select_key(other.key)
    batch = [r.key for r in cases.rows.values() if r.kinds == kinds and not r.mark]
    _click(qtbot, cases.batch)
    marks = exceptionmarks.load(after)
    assert marks == {normal.key: "normal"} | dict.fromkeys(batch, "exception")
    shown = {k: row[-1] for k, row in zip(cases.table.source.keys, cases.table.source.rows)}
    assert shown[normal.key] == "normal" and {shown[k] for k in batch} == {"exception"}
    assert f"{1 + len(batch)} judged" in cases.summary.text()

    # RPA candidates: the analyst's build hours for the bot of a candidate the earlier analysis had too
    window.tabs.setCurrentIndex(PAGES.index("candidates"))
    page = window.pages["candidates"]
    earlier = {c.signature: c for c in AnalysisResult.read(before).candidates}
    chosen = next(c for c in window.view.candidates() if c.signature in earlier)
    assert page.table.select_key(chosen.id)
    model_hours = page.current().effort.build_hours
    hours = round(model_hours / 2) or 1
    page.hours.setValue(hours)
    _click(qtbot, _button(page, "Set build hours"))
    assert page.current().id == chosen.id, "the analyst's candidate stays selected"
    m = EffortModel()
    upkeep = m.maintain_share_per_year * hours / 12
    payback = round(hours / (chosen.hours_saved_per_month - upkeep), 1)
    row = page.table.source.rows[page.table.source.keys.index(chosen.id)]
    assert (row[7], row[8]) == (hours, payback)
    assert f"{hours:g} h to build (your figure" in page.effort.text() and f"{payback:g} months" in page.effort.text()
    assert f"building it takes ~{hours} h (the analyst)" in page.rationale.text()
    _click(qtbot, page.automated)
    assert page.table.source.rows[page.table.source.keys.index(chosen.id)][9] == "yes"
    [kept] = [d for d in json.loads((after / dec.FILE).read_text())["candidates"]
              if d["signature"] == list(chosen.signature)]
    assert (kept["effort_hours"], kept["automated"], kept["id"]) == (hours, True, chosen.id)

    # Compare: with the earlier analysis; the marked candidate's hours saved against the estimate before
    window.tabs.setCurrentIndex(PAGES.index("compare"))
    compare = window.pages["compare"]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(before)))
    _click(qtbot, _button(compare, "Compare with an earlier analysis"))
    heading = compare.heading.text()
    assert f"{before.name}, 19 Oct 2026 to 20 Oct 2026" in heading and f"{after.name}, 02 Nov 2026" in heading
    assert str(before.parent) not in heading
    estimate = earlier[chosen.signature].hours_saved_per_month_team
    assert "Automated <b>" in compare.savings.text() and f"estimated before: {estimate:.1f}" in compare.savings.text()
    assert len(compare.types.source.rows) >= 2

    # What the dashboard exports honours the effort at once; the next analysis of the same data, too
    html = exports.write_html(window.view, after.parent / "selection.html").read_text()
    assert f"<td>{hours:g} (analyst)</td>" in html and f"<td>{payback:g}</td>" in html
    write_all(analyze(events, decisions=dec.load(after), marks=exceptionmarks.load(after)), after)
    report = AnalysisResult.read(after)
    [again] = [c for c in report.candidates if c.signature == chosen.signature]
    net = again.hours_saved_per_month_team - upkeep   # the marks may move the hours saved: exceptions stay manual
    assert (again.effort_hours, again.payback_months) == (hours, round(hours / net, 1))
    assert "set by the analyst" in again.effort_formula
    judged = {c.key: c.mark for c in report.exceptions if c.mark}
    assert judged == marks
    reopened = Dashboard()
    qtbot.addWidget(reopened)
    reopened.open_analysis(after)
    [same] = [c for c in reopened.view.candidates() if c.signature == chosen.signature]
    assert (same.effort.build_hours, same.effort.payback_months, same.automated) == (hours, again.payback_months, True)
    assert same.rationale == again.rationale
