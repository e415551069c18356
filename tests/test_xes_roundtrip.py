"""log.xes reads back into tasklens whatever text the titles, apps and users hold (XML 1.0 forbids some)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from helpers import make_events
from hypothesis import given, settings
from hypothesis import strategies as st

from tasklens.analyzer.loaders import load_xes
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze
from tasklens.analyzer.xes import write_log
from tasklens.errors import TasklensError


def xml_text(s: str) -> str:
    """The characters XML 1.0 allows (its `Char` production), written out independently of the writer."""
    return "".join(c for c in s if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
                   or c >= "\U00010000")


def test_control_characters_in_titles_and_apps_read_back(tmp_path: Path) -> None:
    events = (make_events(80, title="Book\x01 - Ex\x1b[31mcel\x7f", app="ex\x0bcel")
              + make_events(80, user="emp\x02-2", title="Orders\x00 - SAP", app="s\x1fap"))
    a = analyze(events)
    write_all(a, tmp_path / "out")
    back = load_xes(tmp_path / "out" / "log.xes")
    in_tasks = [k for k in range(len(a.events)) if a.task[k] >= 0]
    assert len(back.raws) == len(in_tasks) > 0
    assert {r.target for r in back.raws} == {xml_text(a.result.process_map.activities[int(a.activity[k])]) for k in in_tasks}
    assert {r.user for r in back.raws} == {"emp-1", "emp-2"}
    assert any("\x1b" in a.result.process_map.activities[int(a.activity[k])] for k in in_tasks)   # the input did hold them


def test_log_xes_written_on_another_process_is_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big analysis writes log.xes on another process while this one writes events.csv: the same bytes."""
    from tasklens.analyzer import outputs

    a = analyze(make_events(80, title="Book\x01 - Excel") + make_events(80, user="emp-2", title="Orders - SAP"))
    write_all(a, tmp_path / "here")
    beside, apart = outputs.beside, []
    monkeypatch.setattr(outputs, "PARALLEL_FROM", 0)
    monkeypatch.setattr(outputs, "beside", lambda on, *job: apart.append(on) or beside(on, *job))
    write_all(a, tmp_path / "apart")
    assert apart == [True]
    for name in ("log.xes", "events.csv"):
        assert (tmp_path / "apart" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


@settings(max_examples=300, deadline=None)
@given(name=st.text(), user=st.text(), app=st.text(), title=st.text(), case_attr=st.text())
def test_any_text_round_trips_through_xes(name: str, user: str, app: str, title: str, case_attr: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "log.xes"
        write_log(path, name, [(0, {"task_type": case_attr},
                                {"concept:name": name, "time:timestamp": 1_790_000_000.5, "org:resource": user,
                                 "source": app, "Url": title, "Value": title})])
        try:
            back = load_xes(path)
        except TasklensError:
            assert not xml_text(name), "only an event without a name may be refused"
            return
    r = back.raws[0]
    assert r.target == xml_text(name) and r.user == (xml_text(user) or "user")
    assert r.app == xml_text(app) and r.title == xml_text(title) and r.value == xml_text(title)
    assert r.ts == 1_790_000_000.5
