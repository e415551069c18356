"""The merged dataset: encrypted Parquet per (user, day), read back per user, resumable after a crash."""

from __future__ import annotations

import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tasklens.analyzer.dataset import Dataset, dedupe, merge
from tasklens.columns import events_of
from tasklens.errors import InputFormatError, KeyUnavailableError
from tasklens.events import Action, Event
from tasklens.simulate import simulate

KEY = "ab" * 32
CANARY = "Invoice 4711 - Zebulon Quartermaine - ERP"


@pytest.fixture(autouse=True)
def dataset_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKLENS_KEY", KEY)


def _events(employees: int = 2, days: int = 2) -> list[Event]:
    evs = [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count)
           for r, _ in simulate(employees=employees, days=days, seed=2)]
    first = evs[0]
    evs.append(Event(first.ts + 5, first.user, "erp", CANARY, Action.FOCUS))
    return evs


def _by_user(evs: list[Event]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    for e in evs:
        out.setdefault(e.user, []).append(e)
    return out


def _read_all(ds: Dataset) -> dict[str, list[Event]]:
    out = {}
    for d in ds.user_dirs():
        table, _ = dedupe(ds.read(d))
        evs = events_of(table)
        out[evs[0].user] = evs
    return out


def test_partitions_by_user_and_day_and_reads_each_user_back_in_order(tmp_path: Path) -> None:
    evs = _events()
    ds = Dataset(tmp_path / "ds", create=True)
    half = len(evs) // 2
    ds.add("one", "csv", evs[:half])
    ds.add("two", "bundle", evs[half:])
    days = {(e.user, int(e.ts // 86400)) for e in evs}
    files = list((tmp_path / "ds").rglob("*.parquet"))
    assert len({f.parent for f in files}) == len(days)            # one folder per (user, day)
    assert _read_all(Dataset(tmp_path / "ds")) == _by_user(evs)   # each user's events in merge order
    flags = {bool(x) for d in ds.user_dirs() for x in ds.read(d, ["signed"]).column("signed").to_pylist()}
    assert flags == {True, False}


def test_nothing_on_disk_is_in_the_clear(tmp_path: Path) -> None:
    evs = _events(1, 1)
    ds = Dataset(tmp_path / "ds", create=True)
    ds.add("one", "csv", evs)
    users = {e.user for e in evs}
    for f in (tmp_path / "ds").rglob("*"):
        assert not any(u in f.name for u in users)     # folder names are keyed hashes, not pseudonyms
        if f.is_file():
            data = f.read_bytes()
            assert CANARY.encode() not in data and b"Zebulon" not in data
            assert not any(u.encode() in data for u in users)
            assert stat.S_IMODE(f.stat().st_mode) == 0o600
    part = next((tmp_path / "ds").rglob("*.parquet"))
    assert part.read_bytes()[-4:] == b"PARE"            # Parquet with an encrypted footer
    with pytest.raises(OSError):
        pq.read_table(part)                             # no key, no data


def test_another_key_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Dataset(tmp_path / "ds", create=True).add("one", "csv", _events(1, 1))
    monkeypatch.setenv("TASKLENS_KEY", "cd" * 32)
    with pytest.raises(KeyUnavailableError, match="does not open dataset"):
        Dataset(tmp_path / "ds")
    monkeypatch.setenv("TASKLENS_KEY", "a passphrase of some length")
    with pytest.raises(KeyUnavailableError):
        Dataset(tmp_path / "ds")


def test_a_passphrase_key_opens_what_it_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKLENS_KEY", "correct horse battery staple")
    evs = _events(1, 1)
    Dataset(tmp_path / "ds", create=True).add("one", "csv", evs)
    assert _read_all(Dataset(tmp_path / "ds")) == _by_user(evs)


def test_a_folder_that_is_no_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "other.txt").write_text("hello")
    with pytest.raises(InputFormatError, match="no manifest.json"):
        Dataset(tmp_path / "x", create=True)
    with pytest.raises(InputFormatError, match="merge into it first"):
        Dataset(tmp_path / "nothing")


def test_duplicates_from_two_inputs_are_read_once(tmp_path: Path) -> None:
    evs = _events(1, 1)
    ds = Dataset(tmp_path / "ds", create=True)
    ds.add("one", "bundle", evs)
    ds.add("again", "bundle", evs)          # an employee exported twice
    (d,) = ds.user_dirs()
    table, dropped = dedupe(ds.read(d))
    assert dropped == len(evs) and events_of(table) == evs


def test_duplicates_are_the_same_events_as_python_compares_them(tmp_path: Path) -> None:
    # deduplication first asks Arrow whether any two rows agree; where it says none do, none may
    first = Event(0.0, "emp-1", "app", "t", Action.CLICK, duration=1.0)
    again = Event(-0.0, "emp-1", "app", "t", Action.CLICK, duration=1.0)   # -0.0 == 0.0: the same event
    other = Event(0.0, "emp-1", "app", "t", Action.CLICK, duration=2.0)
    ds = Dataset(tmp_path / "ds", create=True)
    ds.add("one", "bundle", [first, other])
    ds.add("two", "bundle", [again])
    table, dropped = dedupe(ds.read(ds.user_dirs()[0]))
    assert dropped == 1 and events_of(table) == [first, other]
    ds.add("three", "bundle", [Event(5.0, "emp-1", "app", "t", Action.CLICK)])
    assert dedupe(ds.read(ds.user_dirs()[0]))[1] == 1


class _Crash(Exception):
    pass


class _CrashingDataset(Dataset):
    """Dies after writing an input's partition files but before listing it: a crash halfway."""

    crash_at = 2

    def _save(self) -> None:
        if len(self._m["inputs"]) == self.crash_at:
            raise _Crash
        super()._save()


def test_a_crash_halfway_leaves_what_was_merged_usable_and_a_rerun_finishes(tmp_path: Path) -> None:
    evs = _events(3, 1)
    groups = _by_user(evs)
    inputs = []
    for user in groups:
        path = tmp_path / f"{user}.in"
        path.write_text(user)
        inputs.append(path)

    def load(path: Path) -> tuple[str, list[Event], int] | str:
        return "bundle", groups[path.read_text()], 0

    ds = _CrashingDataset(tmp_path / "ds", create=True)
    with pytest.raises(_Crash):
        merge(ds, inputs, load)
    after_crash = Dataset(tmp_path / "ds")
    assert len(after_crash.inputs) == 1                     # the first input is usable...
    assert _read_all(after_crash) == {evs[0].user: groups[evs[0].user]}   # ...and the second's files are not read
    seen: list[Path] = []

    def counting(path: Path) -> tuple[str, list[Event], int] | str:
        seen.append(path)
        return load(path)

    added, skipped, refused = merge(after_crash, inputs, counting)
    assert (skipped, refused) == (1, []) and seen == inputs[1:] and added == len(evs) - len(groups[evs[0].user])
    assert _read_all(Dataset(tmp_path / "ds")) == groups
    assert not [p for p in (tmp_path / "ds").rglob("*.part")]   # no half-written file stays


def test_a_refused_input_is_counted_and_the_others_merge(tmp_path: Path) -> None:
    evs = _events(1, 1)
    good, bad = tmp_path / "good.in", tmp_path / "bad.in"
    good.write_text("g")
    bad.write_text("b")
    ds = Dataset(tmp_path / "ds", create=True)
    added, skipped, refused = merge(ds, [bad, good], lambda p: "bad.in: not for this key" if p == bad else ("csv", evs, 0))
    assert (added, skipped, refused) == (len(evs), 0, ["bad.in: not for this key"])
    assert len(Dataset(tmp_path / "ds").inputs) == 1


def load_by_name(path: Path) -> tuple[str, list[Event], int]:
    """A loader worker processes can run: the events of the user the file names, from a seeded simulation."""
    return "bundle", _by_user(_events(3, 1))[path.read_text()], 0


def test_merging_on_two_processes_reads_back_as_merging_in_one(tmp_path: Path) -> None:
    groups = _by_user(_events(3, 1))
    inputs = []
    for user in groups:
        (tmp_path / f"{user}.in").write_text(user)
        inputs.append(tmp_path / f"{user}.in")
    two = Dataset(tmp_path / "two", create=True)
    assert merge(two, inputs, load_by_name, workers=2) == (sum(map(len, groups.values())), 0, [])
    one = Dataset(tmp_path / "one", create=True)
    merge(one, inputs, load_by_name)
    assert _read_all(Dataset(tmp_path / "two")) == _read_all(Dataset(tmp_path / "one")) == groups
    assert [i["base"] for i in Dataset(tmp_path / "two").inputs] == [0, 1, 2]
