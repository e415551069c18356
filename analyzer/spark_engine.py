"""The analysis of a merged dataset on Apache Spark (`tasklens analyze DATASET --engine spark`).

The same steps as the embedded engine (`tasklens.analyzer.stream`), by the same functions, with the work
per event spread over Spark's executors:

1. Spark reads the encrypted partition files as bytes (`binaryFile`: its own HDFS and S3 connectors) and
   each Python worker decrypts its files with pyarrow and the dataset's KMS client (`dataset.Crypto`).
   Why not Spark's own Parquet decryption: it needs a KMS client written as a JVM class on every
   executor's classpath, so tasklens would have to build and ship a jar and hand the master key to the
   JVM; a pyarrow KMS client in the Python worker reads the very same files with the key already in
   Python, and nothing but the decrypted batches crosses into the JVM.
2. `groupBy(user).applyInArrow` once, one user per call, the user's events as an Arrow table (no pandas
   in between: a user's events reach the same functions as the embedded engine's, as read from the file):
   each user's events deduplicated, ordered and templated (`stream.prepare`), kept by Spark as one row
   of numbers per user; only each user's distinct label keys come to the driver, which labels them all
   with `stream.labels_of`, in the embedded order.
3. Each user's segmentation from that row (`stream.user_of`, `segment.segment_stream`, `stream.part_of`),
   all users at once on every core, kept by Spark until the driver has fetched them a partition at a
   time into its encrypted spill. What comes back per user is compact: per instance its steps, times
   and action counts, and the events between tasks for the pooled pass.
4. The driver joins the parts in user order (`stream.assemble`), each read back from its spill as it is
   taken: variants with their counts, task types, candidates, the process map and the summary, exactly
   as the embedded engine does.

Routines are mined on the driver by `routines.mine`, not with MLlib's PrefixSpan: they are mined over the
distinct variants weighted by their instance counts, which stay few as events grow (hundreds, not
millions), so the driver does it in well under a second; PrefixSpan would need every instance's sequence
as a row and counts plain subsequence support, without the gap limit and the closed/maximal filter of
`routines.mine`, so its routines would differ from the embedded engine's on the same input.

Decrypted events exist only inside executors: the shuffle by user and the cached events are written to
local disk encrypted (`spark.io.encryption.enabled`, set here); on a cluster, also enable
`spark.authenticate` and `spark.network.crypto.enabled` so events cross the network encrypted. The
dataset's master key travels to the executors inside the task closure (the same trust as the events).
What limits scale: the shuffle by user, a heavy user's events all in one Python worker (skew), and the
driver, which holds per instance a few numbers and each in-task event's time, keeps the events between
tasks in an encrypted spill and segments them in groups of people (`pipeline.pool_groups`, one group after
another, as the embedded engine does).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyarrow as pa

from tasklens import errors
from tasklens.analyzer.aggregate import Usage, add_usage, user_usage
from tasklens.analyzer.dataset import Crypto, Dataset, Secrets
from tasklens.analyzer.decisions import Decisions
from tasklens.analyzer.pipeline import Params, Progress
from tasklens.analyzer.run import Cancelled
from tasklens.analyzer.segment import segment_stream
from tasklens.analyzer.stream import (
    Key,
    Spill,
    Streamed,
    UserPart,
    assemble,
    cancellable,
    labels_of,
    part_of,
    prepare,
    user_of,
)

if TYPE_CHECKING:
    from pyspark import Broadcast
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

T = TypeVar("T")
COLUMNS = ["seq", "user", "ts", "app", "title", "action", "target", "value", "duration", "count", "element_path",
           "signed"]     # what the analysis reads of an event
EVENTS = pa.schema([
    ("seq", pa.int64()), ("user", pa.string()), ("ts", pa.float64()), ("app", pa.string()), ("title", pa.string()),
    ("action", pa.string()), ("target", pa.string()), ("value", pa.string()), ("duration", pa.float64()),
    ("count", pa.int64()), ("element_path", pa.string()), ("signed", pa.bool_())])
EVENTS_DDL = ("seq long, user string, ts double, app string, title string, action string, target string, "
              "value string, duration double, count long, element_path string, signed boolean")
PREPARED = pa.schema([("user", pa.string()), ("keys", pa.binary()), ("prepared", pa.binary())])
PREPARED_DDL = "user string, keys binary, prepared binary"   # pickles: the label keys, the `stream.Prepared`
PARTS = pa.schema([("rank", pa.int64()), ("part", pa.binary())])
PARTS_DDL = "rank long, part binary"
_JAVA = re.compile(r"^: ((?:\w+\.)+\w+(?:Exception|Error)\b.*)$", re.M)   # the Java exception in a Py4JJavaError
USERS_PER_TASK = 8   # users a partition holds at most (about 2 MB of parts each at 21 working days)
POLL = 0.5   # seconds between looks at Spark's stage progress and the cancel flag


class SparkError(errors.TasklensError):
    """Spark cannot start or run the analysis (no Java, a dataset path Spark cannot read)."""


def session(master: str | None = None, driver_memory: str = "2g") -> SparkSession:
    """A Spark session for one analysis. `master` None: spark-submit's, or Spark's default (`local[*]`).

    Local runs that start their own JVM get this Python for their workers and `driver_memory` (the driver
    is the executor there); under spark-submit its settings stand. Every run encrypts what Spark writes to
    local disk, since shuffled and cached events are plaintext."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError("--engine spark needs pyspark: pip install 'tasklens[spark]'") from None
    builder = SparkSession.builder.appName("tasklens analyze").config("spark.io.encryption.enabled", "true") \
        .config("spark.ui.showConsoleProgress", "false")
    if master is not None:
        builder = builder.master(master)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ   # spark-submit started the JVM and holds the settings
    if not submitted and (master is None or master.startswith("local")):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)   # the workers import tasklens: this Python has it
        log4j = Path(__file__).with_name("spark-log4j2.properties")
        builder = builder.config("spark.driver.memory", driver_memory).config("spark.ui.enabled", "false") \
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log4j.as_uri()}") \
            .config("spark.authenticate", "true").config("spark.network.crypto.enabled", "true")   # local: own secret
    try:
        spark: SparkSession = builder.getOrCreate()
    except Exception as e:   # pyspark's error when no Java starts is a PySparkRuntimeError among others
        raise SparkError(f"Spark did not start ({_first_line(e)}): it needs Java 17 or newer on PATH or in JAVA_HOME"
                         ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _first_line(e: BaseException) -> str:
    return next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)


def _arrow(table: pa.Table) -> pa.Table:
    """One user's rows as the embedded engine reads them: a table in merge order."""
    return table.select(EVENTS.names).cast(EVENTS).sort_by("seq")


def _decrypt(secrets: Secrets, done: frozenset[str]) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Each partition file's events, decrypted in the Python worker; files of unlisted inputs (a crashed
    merge's) are left out, as `Dataset.files` leaves them."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        crypto = Crypto(secrets)
        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
                if path.rsplit("/", 1)[-1] in done:
                    yield from crypto.read(pa.BufferReader(content), COLUMNS).select(COLUMNS).cast(EVENTS).to_batches()
    return run


def _prepare(mode: str) -> Callable[[pa.Table], pa.Table]:
    """One user's events read once: a row of their label keys (for the driver) and the rest of
    `stream.prepare`'s numbers (for the segmentation), each pickled."""
    def run(table: pa.Table) -> pa.Table:
        prep = prepare(_arrow(table), mode)
        return pa.table([[table.column("user")[0].as_py()], [pickle.dumps(prep.parts, pickle.HIGHEST_PROTOCOL)],
                         [pickle.dumps(replace(prep, parts=[]), pickle.HIGHEST_PROTOCOL)]], schema=PREPARED)
    return run


Shared = tuple[dict[Key, int], int, dict[str, int], dict[str, int]]   # activity of each key, activities, app ids, user ranks


def _segment(shared: Broadcast[Shared], p: Params) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Each user's segmentation from their prepared row (a partition's rows, a user at a time)."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        act_of, n_acts, app_ids, rank_of = shared.value
        for batch in batches:
            for name, keys, prepared in zip(*(batch.column(c).to_pylist() for c in PREPARED.names)):
                prep = replace(pickle.loads(prepared), parts=pickle.loads(keys))
                u = user_of(rank_of[name], name, prep, act_of, app_ids)
                part = part_of(u, *segment_stream(u.ts, u.acts, u.apps, u.breaks, n_acts, p.segment))
                usage = user_usage(u.name, u.ts, u.apps.tolist())   # each application's use, for the admin report
                yield pa.record_batch([[part.rank], [pickle.dumps((part, usage), pickle.HIGHEST_PROTOCOL)]], schema=PARTS)
    return run


class _Jobs:
    """Runs one Spark action at a time in a job group. A thread looks every POLL seconds: the group's tasks
    done and in all go to `progress` (the CLI's bar prints a line every few seconds), and `cancel()` true,
    or `progress` raising (a cancelled run), cancels the group's jobs and raises in the caller."""

    def __init__(self, spark: SparkSession, progress: Progress | None, cancel: Callable[[], bool] | None) -> None:
        self.sc, self.progress, self.cancel = spark.sparkContext, progress, cancel

    def _tasks(self, group: str) -> tuple[int, int]:
        tracker, done, total = self.sc.statusTracker(), 0, 0
        for job in tracker.getJobIdsForGroup(group):
            info = tracker.getJobInfo(job)
            for stage in info.stageIds if info else ():
                s = tracker.getStageInfo(stage)
                if s is not None:
                    done, total = done + s.numCompletedTasks, total + s.numTasks
        return done, total

    def _tell(self, stage: str, group: str) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled("analysis cancelled")
        done, total = self._tasks(group)
        if self.progress is not None and total:
            self.progress(stage, done, total)

    def run(self, stage: str, action: Callable[[], T]) -> T:
        group = f"tasklens-{uuid.uuid4().hex}"
        self._tell(stage, group)   # a cancel before the stage starts nothing
        self.sc.setJobGroup(group, f"tasklens {stage}", interruptOnCancel=True)
        stopped, interrupted = threading.Event(), threading.Event()
        failed: list[BaseException] = []

        def watch() -> None:
            while not stopped.wait(POLL):
                try:
                    if interrupted.is_set():
                        raise KeyboardInterrupt
                    self._tell(stage, group)
                except BaseException as e:   # Ctrl-C, Cancelled, or whatever the caller's progress raised
                    failed.append(e)
                    with contextlib.suppress(Exception):   # a context already stopped has no jobs left
                        self.sc.cancelJobGroup(group)
                    return

        # Ctrl-C while this thread waits inside a Spark call: pyspark's own handler would call Spark on the
        # connection that waits (py4j fails re-entrant calls); the watcher cancels on its own connection
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set()) if main else None
        watcher = threading.Thread(target=watch, name="tasklens-spark-progress", daemon=True)
        watcher.start()
        try:
            out = action()
        except Exception as e:
            stopped.set()
            watcher.join()
            if failed:
                raise failed[0] from None
            raise _one_line(e) from None
        finally:
            stopped.set()
            if main:
                signal.signal(signal.SIGINT, previous)
        watcher.join()
        if failed:
            raise failed[0]
        if interrupted.is_set():   # Ctrl-C as the action ended, before the watcher looked
            raise KeyboardInterrupt
        total = self._tasks(group)[1]
        if self.progress is not None and total:
            self.progress(stage, total, total)   # done: the tasks of stages Spark skipped (cached) count as done
        return out


def _one_line(e: Exception) -> errors.TasklensError:
    """A tasklens error raised in a Python worker comes back inside Spark's traceback: the same error
    again, one line; anything else is Spark's first line."""
    found = re.search(r"tasklens\.\w+(?:\.\w+)*\.(\w+Error): (.+)", str(e))
    if found:
        kind = getattr(errors, found.group(1), errors.TasklensError)
        if isinstance(kind, type) and issubclass(kind, errors.TasklensError) and kind is not errors.ConfigError:
            return kind(found.group(2).strip())
        return errors.TasklensError(found.group(2).strip())
    cause = _JAVA.search(str(e))   # py4j's first line names a call ("calling o6394.getResult"), not what failed
    return SparkError(f"the Spark analysis failed: {cause.group(1).strip() if cause else _first_line(e)}")


def _events(spark: SparkSession, ds: Dataset, source: str | None) -> DataFrame:
    """The dataset's events, decrypted on the executors, partitioned by user."""
    done = frozenset(f"part-{i['id']}.parquet" for i in ds.inputs)
    try:
        files = spark.read.format("binaryFile").option("pathGlobFilter", "part-*.parquet") \
            .option("recursiveFileLookup", "true").load(source or ds.folder.resolve().as_uri())
    except Exception as e:   # a path Spark cannot reach or find: its own error, in one line
        raise _one_line(e) from None
    users = len(ds.user_dirs()) or None   # None: the folder holds the manifest only, the files are at `source`
    # at least two tasks a core (a heavy user holds up fewer others), and at most USERS_PER_TASK users a task:
    # the driver's JVM fetches a partition's parts whole, so its memory bounds a partition, not the organisation
    tasks = max(2 * spark.sparkContext.defaultParallelism, -(-(users or 0) // USERS_PER_TASK))
    return files.select("path", "content").mapInArrow(_decrypt(ds.writer().secrets, done), EVENTS_DDL) \
        .repartition(min(tasks, users or tasks), "user")


def analyze_spark(ds: Dataset, params: Params | None = None, progress: Progress | None = None,
                  decisions: Decisions | None = None, marks: Mapping[str, str] | None = None,
                  cancel: Callable[[], bool] | None = None, spark: SparkSession | None = None,
                  master: str | None = None, source: str | None = None) -> Streamed:
    """`stream.analyze_dataset` on Spark: the same result on the same dataset.

    `spark`: a session to use (default: `session(master)`, stopped at the end); `source`: where the
    executors read the dataset's files (an `hdfs://` or `s3a://` copy of the folder; default the folder
    itself); `cancel()` true stops the running Spark jobs and raises `Cancelled`."""
    p = params or Params()
    own = spark is None
    spark = spark or session(master)
    try:
        return _analyze(spark, ds, source, p, _Jobs(spark, progress, cancel), decisions, marks,
                        cancellable(progress, cancel))
    finally:
        if own:
            spark.stop()


def _unpacked(spill: Spill, ranks: list[int], usage: dict[int, Usage]) -> Iterator[UserPart]:
    """Each user's part in user order, read back from the spill and unpickled only as `assemble` takes it,
    so the driver holds one user's part and what `assemble` keeps, never every user's; each user's use of
    the applications added to `usage` in that order, as the embedded engine adds them."""
    for rank in sorted(ranks):
        part, used = pickle.loads(spill.get_bytes(rank, drop=True))
        add_usage(usage, used)
        yield part


def _fetch(segmented: DataFrame, spill: Spill) -> list[int]:
    """The parts into the spill as Spark hands them over, a partition at a time; their ranks."""
    ranks = []
    for row in segmented.toLocalIterator():
        spill.put_bytes(row["rank"], row["part"])
        ranks.append(int(row["rank"]))
    return ranks


def _analyze(spark: SparkSession, ds: Dataset, source: str | None, p: Params, jobs: _Jobs, decisions: Decisions | None,
             marks: Mapping[str, str] | None, progress: Progress) -> Streamed:
    from pyspark import StorageLevel

    # each user's events read, decrypted and templated once; what segmentation needs waits in Spark's cache
    prepared = _events(spark, ds, source).groupBy("user").applyInArrow(_prepare(p.order), PREPARED_DDL) \
        .persist(StorageLevel.MEMORY_AND_DISK)
    with Spill() as spill:
        try:
            found = jobs.run("spark: activities", lambda: prepared.select("user", "keys").collect())
            users = sorted((r["user"], pickle.loads(r["keys"])) for r in found)
            del found
            names = [name for name, _ in users]
            act_of, labels, app_ids = labels_of(dict.fromkeys(k for _, keys in users for k in keys))
            del users
            ranks: list[int] = []
            if names:
                shared = spark.sparkContext.broadcast((act_of, len(labels), app_ids,
                                                       {n: k for k, n in enumerate(names)}))
                segmented = prepared.mapInArrow(_segment(shared, p), PARTS_DDL).persist(StorageLevel.MEMORY_AND_DISK)
                try:   # every partition at once (toLocalIterator alone would segment one partition at a time)
                    jobs.run("spark: segmentation", segmented.count)
                    prepared.unpersist()   # segmented is cached: the JVM's memory goes to fetching the parts
                    ranks = jobs.run("spark: results", lambda: _fetch(segmented, spill))
                finally:
                    segmented.unpersist()
                shared.unpersist()
        finally:
            prepared.unpersist()
        usage: dict[int, Usage] = {}
        done = assemble(_unpacked(spill, ranks, usage), names, labels, app_ids, p, decisions, progress, marks)
    done.usage = {app: usage[a] for app, a in app_ids.items() if a in usage}
    return done
