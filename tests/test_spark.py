"""The Spark engine gives the embedded engine's analysis of the same encrypted dataset, under local[2]."""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pyspark.sql import SparkSession

from tasklens.analyzer.dataset import Dataset
from tasklens.analyzer.engines import engine_for
from tasklens.analyzer.pipeline import Params
from tasklens.analyzer.run import Cancelled
from tasklens.analyzer.spark_engine import _events, _one_line, analyze_spark, session
from tasklens.analyzer.stream import analyze_dataset
from tasklens.errors import KeyUnavailableError, UsageError
from tasklens.events import Action, Event
from tasklens.simulate import simulate


@pytest.fixture(autouse=True)
def dataset_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKLENS_KEY", "ab" * 32)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    s = session("local[2]", driver_memory="1g")   # one JVM for the module: it takes seconds to start
    yield s
    s.stop()


def _merged(folder: Path, employees: int, days: int, seed: int) -> Dataset:
    evs = [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count,
                 element_path=r.element_path) for r, _ in simulate(employees=employees, days=days, seed=seed)]
    a, b = evs[: len(evs) // 2], evs[len(evs) // 2:]
    twice = [e for e in evs if e.user == evs[0].user][:400]   # one user's events exported twice
    ds = Dataset(folder, create=True)
    for k, part in enumerate((a, b, twice)):
        ds.add(f"input{k}", "bundle", part)
    ds.add("other", "csv", [e for e in evs if e.user == evs[-1].user][:10])   # that user is not only signed
    return Dataset(folder)


def test_same_instances_types_candidates_and_hours_as_embedded(tmp_path: Path, spark: SparkSession) -> None:
    ds = _merged(tmp_path / "ds", employees=5, days=2, seed=4)
    (tmp_path / "ds" / "u=crashed" / "d=1").mkdir(parents=True)   # a file a crashed merge left: not listed
    (tmp_path / "ds" / "u=crashed" / "d=1" / "part-unlisted.parquet").write_bytes(b"half written")
    params = Params(workers=1)
    embedded = analyze_dataset(ds, params)
    on_spark = analyze_spark(ds, params, spark=spark)
    assert embedded.result.summary.candidates > 0 and embedded.result.summary.instances > 100   # work to find
    assert on_spark.result.instances == embedded.result.instances
    assert on_spark.result.task_types == embedded.result.task_types
    assert on_spark.result.candidates == embedded.result.candidates
    assert on_spark.result.routines == embedded.result.routines
    assert on_spark.result.summary == embedded.result.summary        # hours, counts, span, notes
    assert on_spark.result.dumps() == embedded.result.dumps()         # report.json, byte for byte
    assert (on_spark.users, on_spark.duplicates, on_spark.signed) == (embedded.users, 410, embedded.signed)
    assert on_spark.usage == embedded.usage and on_spark.usage                   # the admin report's figures
    assert len(on_spark.signed) == 4


def test_sorted_by_time_as_embedded(tmp_path: Path, spark: SparkSession) -> None:
    ds = _merged(tmp_path / "ds", employees=3, days=1, seed=6)
    params = Params(workers=1, order="time")
    assert analyze_spark(ds, params, spark=spark).result.dumps() == analyze_dataset(ds, params).result.dumps()


def test_progress_per_spark_stage_and_a_cancel_stops_the_jobs(tmp_path: Path, spark: SparkSession) -> None:
    ds = _merged(tmp_path / "ds", employees=3, days=1, seed=7)
    seen: list[tuple[str, int, int]] = []
    analyze_spark(ds, Params(workers=1), progress=lambda *a: seen.append(a), spark=spark)
    stages = [s for s, _, _ in seen]
    assert stages.index("spark: activities") < stages.index("spark: segmentation") < stages.index("segmentation")
    tasks = [t for s, d, t in seen if s == "spark: segmentation" and d == t]
    assert tasks and tasks[-1] > 0                     # the task count of its Spark jobs, all done

    asked: list[int] = []
    with pytest.raises(Cancelled):                     # asked before the first stage, then while it runs
        analyze_spark(ds, Params(workers=1), cancel=lambda: bool(asked.append(1)) or len(asked) > 1, spark=spark)
    assert spark.sparkContext.statusTracker().getActiveJobsIds() == []
    assert spark.range(3).count() == 3                 # the session goes on after a cancel


def test_every_users_segmentation_runs_at_once_not_a_partition_at_a_time(tmp_path: Path, spark: SparkSession,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The segmentation stage has a task per partition of users, run together on every core; fetching the
    parts with toLocalIterator alone computed them a partition at a time, as the driver asked for them (no
    stage held all 3 partitions' tasks)."""
    ds = _merged(tmp_path / "ds", employees=3, days=1, seed=7)
    sc = spark.sparkContext
    groups: dict[str, str] = {}
    set_group = sc.setJobGroup

    def record(group: str, description: str, interruptOnCancel: bool = False) -> None:  # noqa: N803 (pyspark's name)
        groups[description] = group
        set_group(group, description, interruptOnCancel)
    monkeypatch.setattr(sc, "setJobGroup", record)
    analyze_spark(ds, Params(workers=1), spark=spark)
    tracker = sc.statusTracker()
    jobs = [tracker.getJobInfo(j) for j in tracker.getJobIdsForGroup(groups["tasklens spark: segmentation"])]
    stages = [tracker.getStageInfo(s) for job in jobs if job for s in job.stageIds]
    assert max(s.numTasks for s in stages if s) == 3     # one partition per user here, all in one stage


def test_files_under_another_key_are_one_line(tmp_path: Path, spark: SparkSession,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _merged(tmp_path / "ds", employees=2, days=1, seed=8)
    monkeypatch.setenv("TASKLENS_KEY", "cd" * 32)
    Dataset(tmp_path / "other", create=True)           # another key's dataset that lists the same inputs
    manifest = tmp_path / "other" / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "inputs": ds.inputs}))
    with pytest.raises(KeyUnavailableError, match="encrypted under another key"):
        analyze_spark(Dataset(tmp_path / "other"), spark=spark, source=ds.folder.as_uri())


def test_without_pyspark_the_engine_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)   # as if the spark extra were not installed
    with pytest.raises(UsageError, match=r"pip install 'tasklens\[spark\]'"):
        engine_for("spark")
    with pytest.raises(UsageError, match="choose one of embedded, spark"):
        engine_for("flink")


def test_a_failure_on_the_java_side_names_its_cause() -> None:
    """A Py4JJavaError's first line names only the call ("calling o6394.getResult"): the line that says
    what failed is the Java exception under it (a 10M-event run once failed with nothing but that call)."""
    failed = Exception("An error occurred while calling o6394.getResult.\n: org.apache.spark.SparkException: Job "
                       "aborted due to stage failure: Task 3 in stage 9.0 failed 1 times\n\tat org.apache.spark."
                       "scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)\n")
    assert str(_one_line(failed)) == ("the Spark analysis failed: org.apache.spark.SparkException: Job aborted due to "
                                      "stage failure: Task 3 in stage 9.0 failed 1 times")
    assert str(_one_line(Exception("no Java here\nsecond"))) == "the Spark analysis failed: no Java here"


def test_a_partition_holds_a_few_users_however_many_there_are(tmp_path: Path, spark: SparkSession) -> None:
    """The driver's JVM fetches a partition's segmented parts whole: partitions grow with the users (8 at most
    each), where 200 users were 4 partitions of 50 users' parts each."""
    ds = Dataset(tmp_path / "ds", create=True)
    ds.add("input", "bundle", [Event(1_790_000_000.0 + k, f"emp-{k:03}", "erp", "t", Action.CLICK) for k in range(40)])
    assert _events(spark, ds, None).rdd.getNumPartitions() == 5      # 40 users: 5 partitions, not 2 x 2 cores
    ds = Dataset(tmp_path / "few", create=True)
    ds.add("input", "bundle", [Event(1_790_000_000.0 + k, f"emp-{k:03}", "erp", "t", Action.CLICK) for k in range(3)])
    assert _events(spark, ds, None).rdd.getNumPartitions() == 3      # fewer users than tasks: one each


def test_a_users_events_are_templated_once_and_segmented_from_that_row(tmp_path: Path) -> None:
    """The keys pass and the segmentation each templated every event (`stream._parts`); now one pass keeps a
    row per user (its label keys and `stream.prepare`'s numbers), which the segmentation reads as the
    embedded engine reads its spill. Run here without Spark, on what the workers would run."""
    from dataclasses import dataclass

    from tasklens.analyzer import stream
    from tasklens.analyzer.spark_engine import EVENTS, _arrow, _prepare, _segment

    ds = _merged(tmp_path / "ds", employees=2, days=1, seed=5)
    table = pa.concat_tables([ds.read(d) for d in ds.user_dirs()[:1]]).select(EVENTS.names).cast(EVENTS)
    templated: list[int] = []
    parts = stream._parts

    def counted(t: pa.Table) -> object:
        templated.append(t.num_rows)
        return parts(t)
    embedded = stream.prepare(_arrow(table), "input")
    act_of, labels, app_ids = stream.labels_of(embedded.parts)

    @dataclass
    class Shared:   # what a broadcast gives the workers
        value: object
    with pytest.MonkeyPatch.context() as m:
        m.setattr(stream, "_parts", counted)
        row = _prepare("input")(table)
        name = row.column("user")[0].as_py()
        [out] = _segment(Shared((act_of, len(labels), app_ids, {name: 0})), Params(workers=1))(iter(row.to_batches()))
    assert len(templated) == 1           # once, in the pass whose row waits in Spark's cache
    part, _ = pickle.loads(out.column("part")[0].as_py())
    u = stream.user_of(0, name, embedded, act_of, app_ids)
    want = stream.part_of(u, *stream.segment_stream(u.ts, u.acts, u.apps, u.breaks, len(labels), Params().segment))
    assert _same(part, want)


def _same(a: object, b: object) -> bool:
    """Equal field by field, arrays by dtype and values."""
    if is_dataclass(a) and is_dataclass(b):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_the_driver_takes_the_parts_in_user_order_however_spark_hands_them_over() -> None:
    """Parts come back a partition at a time, in Spark's order (users hashed to partitions): each waits in the
    driver's encrypted spill, not in memory, and `assemble` takes them in user order."""
    from tasklens.analyzer.aggregate import Usage
    from tasklens.analyzer.spark_engine import _fetch, _unpacked
    from tasklens.analyzer.stream import Spill

    class Parts:   # a DataFrame of (rank, part) rows as toLocalIterator hands them over
        def toLocalIterator(self) -> Iterator[dict[str, object]]:  # noqa: N802 (pyspark's name)
            for rank in (2, 0, 3, 1):
                yield {"rank": rank, "part": pickle.dumps((f"part {rank}", {}))}
    usage: dict[int, Usage] = {}
    with Spill() as spill:
        ranks = _fetch(Parts(), spill)   # type: ignore[arg-type]  # the fake has only what _fetch reads
        assert list(_unpacked(spill, ranks, usage)) == ["part 0", "part 1", "part 2", "part 3"]
        assert not any(Path(spill._dir.name).iterdir())   # each part's file removed once taken
