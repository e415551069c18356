"""The accuracy yardstick itself: metrics on hand-made cases, the independent generator's logs and truth."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import accuracy as acc  # bench/accuracy.py
import uilog_families as fam

from tasklens.analyzer.loaders import load_tasklens_csv
from tasklens.events import parse_time

SMALL = 0.3   # scale: fewer instances and less noise, same structure


# ------------------------------------------------------------------------------------------------ metrics

def test_ari_is_one_on_identical_segmentations_whatever_the_names_and_the_noise() -> None:
    cases = ["a", "a", "", "b", "b", "c"]
    assert acc.segment_ari(cases, ["7", "7", "7", "3", "3", "9"]) == pytest.approx(1.0)
    assert acc.segment_ari(cases, ["7", "7", "", "3", "3", "9"]) == pytest.approx(1.0)


def test_ari_counts_an_unassigned_event_as_its_own_cluster_not_as_one_big_one() -> None:
    cases = ["a", "a", "b", "b"]
    assert acc.segment_ari(cases, ["", "", "", ""]) == pytest.approx(0.0)
    assert acc.segment_ari(cases, ["1", "1", "1", "1"]) == pytest.approx(0.0)
    assert acc.segment_ari(cases, ["1", "1", "2", ""]) < 1.0


def test_weighted_f1_by_hand() -> None:
    # t1 -> A (2 of 2 events), t2 -> B (2 of its 4 events: 1 A, 2 B, 1 noise)
    routines = ["A", "A", "A", "B", "B", ""]
    types = ["t1", "t1", "t2", "t2", "t2", "t2"]
    # A: P 2/2, R 2/3 -> F1 0.8; B: P 2/4, R 2/2 -> F1 2/3; weighted by support 3 and 2
    assert acc.type_f1(routines, types) == pytest.approx((3 * 0.8 + 2 * 2 / 3) / 5)
    assert acc.type_f1(routines, ["t1", "t1", "t1", "t2", "t2", ""]) == pytest.approx(1.0)
    # an unassigned routine event is a miss: A recall 2/3, precision 1
    assert acc.type_f1(["A", "A", "A"], ["t", "t", ""]) == pytest.approx(0.8)


def test_a_routine_is_found_only_by_a_candidate_that_covers_it_by_majority_both_ways() -> None:
    routines = ["R"] * 6 + ["S"] * 4 + [""] * 4
    # R split in halves of 3 (types x, y); S inside a type that is mostly noise (z)
    types = ["x"] * 3 + ["y"] * 3 + ["z"] * 8
    assert acc.routines_found(routines, types, {"x", "y", "z"}, ["R", "S"]) == ["R"]   # x holds half of R
    assert acc.routines_found(routines, types, {"z"}, ["R", "S"]) == []                  # z: 4 of 8 is no majority
    assert acc.routines_found(routines, ["x"] * 6 + ["w"] * 4 + [""] * 4, {"w"}, ["R", "S"]) == ["S"]


def test_spurious_candidates_are_those_whose_instances_are_mostly_noise() -> None:
    cases = ["a", "a", "", "", "", "", "b", ""]
    tasks = ["1", "1", "2", "2", "3", "3", "4", "4"]
    cands = ["C01", "C01", "C02", "C02", "C02", "C02", "C03", "C03"]
    assert acc.spurious(cases, tasks, cands, {"C01", "C02", "C03"}) == 1   # C03's instance is half noise: not mostly
    assert acc.spurious(cases, tasks, cands, {"C01"}) == 0


def test_hours_ratio_uses_the_type_holding_most_of_the_routine() -> None:
    h = 3600.0
    cases = ["a", "a", "b", "b", ""]
    routines = ["R", "R", "R", "R", ""]
    ts = [0.0, 1 * h, 10 * h, 11 * h, 12 * h]
    assert acc.hours_ratios(cases, routines, ["1", "1", "2", "2", ""], ["t", "t", "t", "t", ""], ts, ["R"]) == \
        {"R": pytest.approx(1.0)}
    # b's last event left out and a noise event an hour later joined: 1 h + 2 h found of 2 h true
    assert acc.hours_ratios(cases, routines, ["1", "1", "2", "", "2"], ["t", "t", "t", "", "t"], ts, ["R"]) == \
        {"R": pytest.approx(1.5)}
    # b in another type: the best type has only a's hour
    assert acc.hours_ratios(cases, routines, ["1", "1", "2", "2", ""], ["t", "t", "u", "v", ""], ts, ["R"]) == \
        {"R": pytest.approx(0.5)}


# ---------------------------------------------------------------------------------------------- generator

@pytest.mark.parametrize("family", fam.FAMILIES)
def test_the_same_seed_gives_the_same_log_and_another_seed_another(family: str) -> None:
    a = fam.generate(family, 4, SMALL)
    assert a.rows == fam.generate(family, 4, SMALL).rows
    assert a.rows != fam.generate(family, 5, SMALL).rows


@pytest.mark.parametrize("family", fam.FAMILIES)
def test_truth_is_consistent_and_the_csv_is_what_tasklens_imports(family: str, tmp_path: Path) -> None:
    log = fam.generate(family, 1, SMALL)
    events, truth = fam.write(log, tmp_path / "log.csv")
    loaded = load_tasklens_csv(events)
    assert not loaded.bad_rows and len(loaded.raws) == len(log.rows)
    cases, routines = fam.read_truth(truth)
    assert len(cases) == len(log.rows)
    assert all((c == "") == (r == "") for c, r in zip(cases, routines))
    routine_of: dict[str, set[str]] = defaultdict(set)
    user_of: dict[str, set[str]] = defaultdict(set)
    for raw, c, r in zip(loaded.raws, cases, routines):
        if not c:
            continue
        routine_of[c].add(r)
        user_of[c].add(raw.user)
    assert all(len(v) == 1 for v in routine_of.values()) and all(len(v) == 1 for v in user_of.values())
    times = [raw.ts for raw in loaded.raws]
    assert times == sorted(times)
    # an instance is one stretch of its user's stream: only noise (an interruption) may come between its events
    runs: dict[str, list[str]] = defaultdict(list)
    for raw, c in zip(loaded.raws, cases):
        if c and (not runs[raw.user] or runs[raw.user][-1] != c):
            runs[raw.user].append(c)
    assert all(len(r) == len(set(r)) for r in runs.values())
    assert len(log.instances()) == len(set(cases) - {""})


def test_families_plant_what_they_say() -> None:
    rare = Counter(fam.generate("rare", 2).instances().values())
    assert 5 <= rare["weekly sales review"] <= 25 and 5 <= rare["month-end accruals"] <= 25
    assert max(rare.values()) > 5 * rare["month-end accruals"]
    optional = fam.generate("optional", 2)
    assert len({r.user for r in optional.rows}) == 1
    assert 900 <= len(optional.instances()) <= 1100
    lengths = Counter(r.case for r in optional.rows if r.case)
    assert max(lengths.values()) - min(lengths.values()) >= 6   # optional and repeated steps
    heavy = fam.generate("noise-heavy", 2, SMALL)
    assert sum(1 for r in heavy.rows if not r.case) > 0.8 * len(heavy.rows)
    back = fam.generate("return", 2, SMALL)
    firsts: dict[str, tuple[str, str]] = {}
    left, came_back = set(), set()
    for r in back.rows:
        if r.case and r.action == "focus":
            if r.case not in firsts:
                firsts[r.case] = (r.app, r.title)
            elif (r.app, r.title) != firsts[r.case]:
                left.add(r.case)
            elif r.case in left:
                came_back.add(r.case)
    assert len(came_back) > 0.9 * len(back.instances())


def test_capture_records_only_what_the_collector_can() -> None:
    log = fam.generate("capture", 3, SMALL)
    actions = {r.action for r in log.rows}
    assert {"click", "copy", "paste", "type", "focus"} <= actions
    assert {r.target for r in log.rows if r.action == "click"} == {"left"}
    assert {r.target for r in log.rows if r.action in ("copy", "paste")} == {"ctrl+c", "ctrl+v"}
    assert {r.target for r in log.rows if r.action == "type"} == {""}
    titles = " ".join(r.title for r in log.rows)
    assert "<PERSON>" in titles and not any(f" {last} " in titles for last in fam.LAST)
    assert {r.app for r in log.rows if r.title.endswith("- CRM - Google Chrome")} == {"chrome"}
    # the same task's titles differ where the masker took a long order number for a phone number
    lookups = {r.title for r in log.rows if r.routine == "order status look-up" and r.title.startswith("Where is")}
    assert any("<PHONE_NUMBER>" in t for t in lookups) and any(t[18].isdigit() for t in lookups)


# ------------------------------------------------------------------------------------------------ stitching

def _xes(path: Path, traces: int) -> None:
    events = "".join(
        f'<trace><string key="concept:name" value="t{t}"/>'
        + "".join(f'<event><string key="concept:name" value="step{k}"/>'
                  f'<date key="time:timestamp" value="2020-01-01T{t:02d}:{k:02d}:00.000+11:00"/></event>'
                  for k in range(3))
        + "</trace>" for t in range(traces))
    path.write_text(f'<?xml version="1.0" encoding="UTF-8" ?><log xes.version="1.0">{events}</log>', encoding="utf-8")


def test_stitched_xes_jumps_back_twice_mixes_forms_and_keeps_the_truth(tmp_path: Path) -> None:
    _xes(tmp_path / "a.xes", 9)
    acc.stitch_xes(tmp_path / "a.xes", tmp_path / "b.xes")
    truth = [str(t) for t in range(9) for _ in range(3)]
    assert acc.xes_truth(tmp_path / "b.xes") == acc.xes_truth(tmp_path / "a.xes") == truth
    text = (tmp_path / "b.xes").read_text(encoding="utf-8")
    values = [v.split('"')[0] for v in text.split('key="time:timestamp" value="')[1:]]
    times = [parse_time(v) for v in values]
    assert sum(1 for a, b in pairwise(times) if b < a) == 2
    assert {v[-1] == "Z" for v in values[:9]} == {True}
    assert all(v.endswith("+00:00") for v in values[9:18])
    assert all(v[-6] not in "+-Z" and "Z" not in v for v in values[18:])
    # within each recording the spacing is the original one
    assert [round(b - a) for a, b in pairwise(times[:9])] == [60, 60, 3480, 60, 60, 3480, 60, 60]


def test_found_instances_that_are_mostly_noise_are_counted_apart() -> None:
    cases = ["a", "a", "", "", "", "b"]
    assert acc.noise_instances(cases, ["1", "1", "2", "2", "3", "3"]) == 1   # 2; 3 is half noise


def test_mixed_log_keeps_each_trace_whole_and_labels_it_with_its_source(tmp_path: Path) -> None:
    _xes(tmp_path / "p.xes", 5)
    _xes(tmp_path / "q.xes", 4)
    cases, routines = acc.mix_xes([(tmp_path / "p.xes", 5), (tmp_path / "q.xes", 2)], tmp_path / "m.xes")
    traces = acc.xes_truth(tmp_path / "m.xes")
    assert len(cases) == len(routines) == len(traces) == 7 * 3
    assert len(set(zip(traces, cases))) == len(set(traces)) == len(set(cases)) == 7   # one trace, one case
    assert Counter(routines) == {"p": 15, "q": 6} and all(c.startswith(r + ":") for c, r in zip(cases, routines))
    text = (tmp_path / "m.xes").read_text(encoding="utf-8")
    times = [parse_time(v.split('"')[0]) for v in text.split('key="time:timestamp" value="')[1:]]
    gaps = [b - a for a, b in pairwise(times)]
    assert all(g > 0 for g in gaps) and sum(1 for g in gaps if 8 <= g <= 15) == 6


def test_capture_is_the_interleaved_work_as_the_collector_records_it() -> None:
    plain, captured = fam.generate("interleaved", 6, SMALL), fam.generate("capture", 6, SMALL)
    core = [(r.ts, r.user, r.case, r.routine) for r in captured.rows if r.action not in ("idle", "active")]
    assert core == [(r.ts, r.user, r.case, r.routine) for r in plain.rows]
    assert {r.target for r in plain.rows if r.action == "click"} != {"left"}


def test_the_table_and_the_routine_breakdown_say_pass_fail_and_misses() -> None:
    ok = acc.Result("interleaved-0", "family", "interleaved", events=10, true_instances=2, found_instances=2,
                    ari=1.0, f1=1.0, routines=1, found=["R"], hours={"R": 1.05})
    short = acc.Result("interleaved-1", "family", "interleaved", events=10, true_instances=2, found_instances=1,
                       ari=0.5, f1=0.6, routines=1, found=[], hours={"R": 0.5})
    broken = acc.Result("log1", "leno-xes", status="TRACEBACK IndexError", true_instances=100)
    text = acc.table([ok, short, broken])
    assert "FAIL 1/2" in text and "1/2" in text and "TRACEBACK IndexError" in text
    assert acc.passes(ok) and not acc.passes(short) and not acc.passes(broken)
    assert "| interleaved | R | 1/2 | 1.05 (0.50-1.05) |" in acc.by_routine([ok, short])


def test_seed_start_runs_held_out_seeds_and_the_header_says_which() -> None:
    assert [(j.family, j.seed) for j in acc.jobs(2, ["capture"], start=20) if j.kind == "family"] == \
        [("capture", 20), ("capture", 21)]
    results = [acc.Result(f"capture-{s}", "family", "capture", seed=s) for s in (20, 21, 22)]
    assert acc.table(results).startswith("| log (seeds 20-22) ")
    assert acc.table(results[::2]).startswith("| log (seeds 20,22) ")


def test_capture_elements_names_the_element_where_capture_has_a_position() -> None:
    """Issue 13: the same work with accessibility on and off, so bench/accuracy.py can set them side by side."""
    positions, elements = fam.generate("capture", 6, SMALL), fam.generate("capture-elements", 6, SMALL)
    assert [(r.ts, r.user, r.action, r.case) for r in positions.rows] == \
        [(r.ts, r.user, r.action, r.case) for r in elements.rows]
    clicks = [(p.target, e.target) for p, e in zip(positions.rows, elements.rows) if p.action == "click"]
    assert clicks and all(p == "left" for p, _ in clicks)
    assert all(e.startswith(("push button \"", "entry \"", "page tab \"", "link \"", "list \"", "document text \"",
                             "menu item \"")) for _, e in clicks)
    assert any(e.startswith('entry "') for _, e in clicks)
