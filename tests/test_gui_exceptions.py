"""The Exceptions and Compare views on real Qt (offscreen): ranking, side-by-side steps, marks, batch review,
and a comparison's drift."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from test_compare import period, write
from test_exceptions import FLOW, make, usual

from tasklens.analyzer.compare import compare, load_period
from tasklens.analyzer.exceptions import Instance, score_type


def rows() -> list:
    """Findings on 30 usual instances and four odd ones, as the view's rows."""
    from tasklens.gui.exceptions_view import ExceptionRow

    rng = random.Random(4)
    odd = [make("skip", [FLOW[0], FLOW[1], FLOW[2], FLOW[5]], rng),
           make("slow", list(FLOW), rng, gap=20.0),
           make("slow2", list(FLOW), rng, gap=25.0),
           make("chat", [FLOW[0], ("Slack", "Chat"), *FLOW[1:]], rng)]
    instances: dict[str, Instance] = {i.key: i for i in [*usual(), *odd]}
    return [ExceptionRow(f.key, "invoice entry", f.score, f.reason, f.kinds, instances[f.key].steps, f.usual,
                         instances[f.key].times[-1] - instances[f.key].times[0],
                         (instances[f.key].times[-1] - instances[f.key].times[0]) / f.time_ratio, "emp01")
            for f in score_type(list(instances.values())) if f.flagged()]


def test_ranked_cases_show_their_steps_beside_the_usual_variant(qtbot) -> None:  # noqa: ANN001
    from tasklens.gui.exceptions_view import EXTRA, MISSING, ExceptionsView

    view = ExceptionsView()
    qtbot.addWidget(view)
    data = rows()
    assert {r.key for r in data} == {"skip", "slow", "slow2", "chat"}
    view.set_rows(data)
    scores = [view.table.model().index(k, 0).data() for k in range(view.table.model().rowCount())]
    assert [float(s) for s in scores] == sorted((float(s) for s in scores), reverse=True)
    view.table.selectRow(next(k for k in range(4) if view.table.source.keys[k] == "skip"))
    assert "skipped" in view.detail.text()
    lines = [(view.steps.item(k, 0).text(), view.steps.item(k, 1).text()) for k in range(view.steps.rowCount())]
    assert ("", "Attach") in lines and ("", "Save") in lines and ("Reply", "Reply") in lines
    missing = next(k for k, line in enumerate(lines) if line == ("", "Attach"))
    assert view.steps.item(missing, 1).background().color() == MISSING
    view.table.selectRow(next(k for k in range(4) if view.table.source.keys[k] == "chat"))
    extra = next(k for k in range(view.steps.rowCount()) if view.steps.item(k, 0).text() == "Chat")
    assert view.steps.item(extra, 0).background().color() == EXTRA


def test_marks_one_case_or_all_of_a_reason(qtbot) -> None:  # noqa: ANN001
    from tasklens.gui.exceptions_view import ExceptionsView

    view = ExceptionsView()
    qtbot.addWidget(view)
    view.set_rows(rows())
    keys = view.table.source.keys
    view.table.selectRow(keys.index("chat"))
    with qtbot.waitSignal(view.marked) as one:
        view.mark_selected("normal")
    assert one.args == [["chat"], "normal"]
    view.table.selectRow(keys.index("slow"))
    with qtbot.waitSignal(view.marked) as batch:
        view.accept_reason()
    assert sorted(batch.args[0]) == ["slow", "slow2"] and batch.args[1] == "exception"


def test_the_compare_view_shows_the_drift_first(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from tasklens.gui.compare_view import CompareView

    before = load_period(write(period(1, False), tmp_path / "before"))
    after = load_period(write(period(101, True, automated=0.2), tmp_path / "after"))
    view = CompareView()
    qtbot.addWidget(view)
    result = compare(before, after, ["order lookup"])
    view.set_comparison(result)
    drift = [row for row in view.changes.source.rows if row[-1] == "yes"]
    assert len(drift) == len(result.drift()) and view.changes.source.rows[:len(drift)] == drift   # drift first
    assert {r[1].split(":")[0] for r in drift} >= {"median time", "variant appeared", "step appeared",
                                                   "instances per working day"}
    assert view.changes.source.rows[len(drift)][-1] == "no (noise)"
    assert "Automated <b>order lookup</b>" in view.savings.text() and "estimated before: 12.5" in view.savings.text()
    assert f"{len(drift)} of" in view.heading.text()
    assert "<b>before, 02 Mar 2026 to 13 Mar 2026</b> → <b>after, 02 Mar 2026 to 13 Mar 2026</b>" in view.heading.text()
    assert str(tmp_path) not in view.heading.text(), "a person reads folder names and dates, not temporary paths"
    tested = {row[0]: row[-1] for row in view.types.source.rows}
    assert tested == {"invoice entry": "yes", "order lookup": "yes", "ticket triage": "yes", "chat": "no: no routine"}
    assert "Not tested, listed only: 1 task type with no routine in either analysis" in view.heading.text()


@pytest.mark.parametrize("name", ["exceptions", "compare"])
def test_views_render(qtbot, tmp_path: Path, name: str) -> None:  # noqa: ANN001
    """Both views paint at dashboard size (README screenshots: H5_SHOTS=folder keeps them)."""
    from tasklens.gui.compare_view import CompareView
    from tasklens.gui.exceptions_view import ExceptionsView

    if name == "exceptions":
        widget: ExceptionsView | CompareView = ExceptionsView()
        widget.set_rows(rows())
    else:
        widget = CompareView()
        widget.set_comparison(compare(load_period(write(period(1, False), tmp_path / "before")),
                                      load_period(write(period(101, True, automated=0.2), tmp_path / "after")),
                                      ["order lookup"]))
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    out = Path(os.environ.get("H5_SHOTS", tmp_path)) / f"h5-{name}.png"
    assert widget.grab().save(str(out)) and out.stat().st_size > 10_000
