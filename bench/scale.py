"""Organisation scale (issue 16): seconds and peak RSS to merge employees' bundles into an encrypted
dataset and to analyse it streaming, at three sizes, to show memory stays flat as events grow.

Makes the largest size's bundles once (simulated office work, 21 working days per employee by default,
each bundle signed by its own enrolled signer and encrypted to a fresh analyst key), then for each size
merges the first N bundles into a fresh dataset (`tasklens.analyzer.dataset`) and analyses it
(`tasklens.analyzer.stream`), each step as a separate process whose tree RSS is sampled (bench/peak.py).
The bundles' events are not masked here: masking runs on each employee's machine before a bundle
exists and is not what this measures (bench/privacy.py times it).

Default sizes are small (5, 10, 20 employees); --full runs 21, 64 and 200 employees x 21 days (about
1M, 3M and 9.4M events: the issue's 10M target), then `--cohorts 3` of the 200: about 28M events, to show
memory stays flat as events grow. A cohort is the same bundles merged again under a roster that enrols
their signers as other people (making 440 more bundles would take this machine 35 minutes): three teams
doing the same work, so per person and per instance it is a 28M-event organisation, but its distinct
window titles and activities are the 9.4M run's (a real organisation's grow with it). Figures are for
the whole team (all employees), one run, on this machine's cores shared with whatever else runs: each
step prints the load average next to its seconds.

Last, on paper: events/s per core from the largest local run (wall time x the cores the step used, so a
shared machine understates it), and what 1B events would take on a cluster (--nodes x --cores per node):
the per-user work (merge, reading, segmentation) divided over all cores; the steps on the driver (task
types, routines, candidates, which work on distinct variants, not events) as measured here; and the two
things that limit it: the shuffle by user (the dataset's bytes per event, moved once over the network) and
the heaviest user (one task cannot be split: their events at one core's rate).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peak import run  # bench/peak.py, beside this script

from tasklens.analystkey import load_private, load_public, new_key_pair
from tasklens.analyzer.pipeline import POOL_EVENTS
from tasklens.bundle import write_bundle
from tasklens.events import Event
from tasklens.signing import enrol, load_roster, raw
from tasklens.simulate import simulate

PASSPHRASE = "bench passphrase"
DATASET_KEY = "5c" * 32      # the dataset key (TASKLENS_KEY), a raw key as a keyring would hold
SMALL, FULL = (5, 10, 20), (21, 64, 200)
BILLION = 1_000_000_000


def make_bundles(folder: Path, employees: int, days: int) -> list[Path]:
    priv, pub = new_key_pair(PASSPHRASE)
    (folder / "analyst.key").write_bytes(priv)
    (folder / "analyst.pub").write_bytes(pub)
    recipient = load_public(folder / "analyst.pub")
    paths, total = [], 0
    for user, group in itertools.groupby(simulate(employees=employees, days=days, seed=5), key=lambda p: p[0].user):
        events = [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count,
                        element_path=r.element_path) for r, _ in group]
        signer = Ed25519PrivateKey.generate()
        enrol(folder / "roster.json", raw(signer.public_key()), user)
        paths.append(folder / f"{user}.tlb")
        write_bundle(paths[-1], events, user, recipient, signer)
        total += len(events)
        print(f"\r  made {user}.tlb ({total:,} events so far)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return paths


@dataclass(frozen=True)
class BundleLoader:
    """Opens one bundle in a merge worker (picklable: the analyst key travels as raw bytes)."""

    private: bytes
    roster: Path

    def __call__(self, path: Path) -> tuple[str, Any, int] | str:   # (format, the bundle's columns, bad rows)
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        from tasklens.analyzer.loaders import load_bundle
        from tasklens.errors import BundleError
        try:
            loaded = load_bundle(path, X25519PrivateKey.from_private_bytes(self.private), load_roster(self.roster),
                                 columns=True)
        except BundleError as e:
            return str(e)
        return "bundle", loaded.table, 0


def cohort(folder: Path, n: int, c: int) -> tuple[list[Path], Path]:
    """The first `n` bundles as cohort `c` (0: as made), and its roster: hard links in a folder of their own
    (another path is another input), each signer enrolled again under a label of the cohort's."""
    bundles = sorted(folder.glob("*.tlb"))[:n]
    if c == 0:
        return bundles, folder / "roster.json"
    sub = folder / f"cohort-{c}"
    if not (sub / "roster.json").is_file():
        sub.mkdir(exist_ok=True)
        for s in json.loads((folder / "roster.json").read_text())["signers"]:
            enrol(sub / "roster.json", base64.b64decode(s["public_key"]), f"{s['label']}-c{c}")
    for b in bundles:
        if not (sub / b.name).exists():
            os.link(b, sub / b.name)
    return [sub / b.name for b in bundles], sub / "roster.json"


def dataset_name(n: int, cohorts: int) -> str:
    return f"dataset-{n}" + (f"x{cohorts}" if cohorts > 1 else "")


def child_merge(folder: Path, n: int, cohorts: int) -> None:
    """Merge the first `n` bundles of `folder`, once per cohort, into a fresh dataset (one process tree:
    its peak is the merge's)."""
    from tasklens.analyzer.dataset import Dataset, merge
    from tasklens.analyzer.pipeline import Params

    private = load_private(folder / "analyst.key", PASSPHRASE).private_bytes_raw()
    shutil.rmtree(folder / dataset_name(n, cohorts), ignore_errors=True)   # a fresh merge each run
    ds = Dataset(folder / dataset_name(n, cohorts), create=True)
    added = 0
    for c in range(cohorts):
        inputs, roster = cohort(folder, n, c)
        more, _, refused = merge(ds, inputs, BundleLoader(private, roster), workers=Params().workers)
        if refused:
            sys.exit("\n".join(refused))
        added += more
    print(json.dumps({"events": added}))


def child_analyse(folder: Path, n: int, cohorts: int) -> None:
    from tasklens.analyzer.dataset import Dataset
    from tasklens.analyzer.stream import analyze_dataset

    stages: dict[str, float] = {}
    t = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        stages[stage] = time.perf_counter() - t   # when each stage ended (its last call), seconds from the start

    s = analyze_dataset(Dataset(folder / dataset_name(n, cohorts)), progress=progress).result.summary
    stages["end"] = time.perf_counter() - t
    print(json.dumps({"events": s.events, "instances": s.instances, "task_types": s.task_types,
                      "candidates": s.candidates, "hours_in_tasks": s.hours_in_tasks, "stages": stages}))


def measure(step: str, folder: Path, n: int, cohorts: int) -> tuple[float, int, dict[str, Any]]:
    cmd = [sys.executable, __file__, "--child", step, "--workdir", str(folder), "--employees", str(n), "--cohorts",
           str(cohorts)]
    done, seconds, peak = run(cmd, {**os.environ, "TASKLENS_KEY": DATASET_KEY})
    if done.returncode:
        sys.exit(f"{step} of {n} employees failed: {done.stderr.strip()[-800:]}")
    out: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    out["load"] = os.getloadavg()[1]   # the 5-minute load average as the step ends
    return seconds, peak, out


def _cpu_now(done: dict[int, float]) -> float:
    """CPU seconds (user + system) so far of this process and its descendants (the JVM, Spark's Python
    workers), each process's last figure kept in `done` by pid once seen, so one that ended still counts."""
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = p.cpu_times()
            done[p.pid] = times.user + times.system
    return sum(done.values())


def child_spark(folder: Path, n: int, cohorts: int) -> None:
    """`--engine spark` on the dataset (local, every core, a 2 GB driver), timed by part: the JVM's start
    (the session), then each stage's end, wall and CPU seconds from the start: Spark's (reading, decrypting
    and each user's labelling keys; each user's segmentation; fetching the results) and the driver's (the
    same steps as the embedded engine's)."""
    from tasklens.analyzer.dataset import Dataset
    from tasklens.analyzer.spark_engine import analyze_spark, session

    t = time.perf_counter()
    seen: dict[int, float] = {}
    stages: dict[str, tuple[float, float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages[stage] = (time.perf_counter() - t, _cpu_now(seen))

    spark = session()
    stages["jvm start"] = (time.perf_counter() - t, _cpu_now(seen))
    try:
        s = analyze_spark(Dataset(folder / dataset_name(n, cohorts)), progress=progress, spark=spark).result.summary
    finally:
        spark.stop()
    stages["end"] = (time.perf_counter() - t, _cpu_now(seen))
    print(json.dumps({"events": s.events, "instances": s.instances, "task_types": s.task_types,
                      "candidates": s.candidates, "hours_in_tasks": s.hours_in_tasks, "stages": stages}))


def spark_line(folder: Path, n: int, cohorts: int, embedded_s: float, embedded: dict[str, Any]) -> str:
    """The same dataset analysed by `--engine spark` (local, every core, a 2 GB driver), beside the embedded
    run: wall and CPU seconds, peak RSS of the tree (driver, JVM, Python workers), and where the time went."""
    cmd = [sys.executable, __file__, "--child", "spark", "--workdir", str(folder), "--employees", str(n), "--cohorts",
           str(cohorts)]
    peaks: dict[str, int] = {}
    done, seconds, peak = run(cmd, {**os.environ, "TASKLENS_KEY": DATASET_KEY}, peaks)
    if done.returncode:
        sys.exit(f"spark of {n} employees failed: {done.stderr.strip()[-800:]}")
    s = json.loads(done.stdout.splitlines()[-1])
    at = s["stages"]
    cpu, spread = at["end"][1], at["spark: results"][1] - at["jvm start"][1]   # spread: what the executors did
    same = all(s[k] == embedded[k] for k in ("events", "instances", "task_types", "candidates", "hours_in_tasks"))
    return (f"{'':>9} spark local[{os.cpu_count()}]: {seconds:.0f} s wall, {cpu:.0f} CPU s (embedded {embedded_s:.0f} s "
            f"wall), peak {peak / 2**20:,.0f} MB (driver, JVM and Python workers; each one's own peak: driver "
            f"{peaks.get('main', 0) / 2**20:,.0f} MB, JVM {peaks.get('java', 0) / 2**20:,.0f} MB, workers "
            f"{peaks.get('others', 0) / 2**20:,.0f} MB), load {os.getloadavg()[1]:.1f}; "
            f"Spark's stages (read, decrypt, shuffle, keys, segmentation, results) {s['events'] / spread:,.0f} events "
            f"per CPU second; same instances, types, candidates and hours: {'yes' if same else 'NO'}; stages ended at "
            "(wall s, CPU s from the start) " + ", ".join(f"{k} ({w:.0f}, {c:.0f})" for k, (w, c) in at.items()))


def on_paper(folder: Path, dataset: str, merge_s: float, stages: dict[str, float], events: int, nodes: int,
             cores: int, gbit: float) -> None:
    """1B events on `nodes` x `cores`, from the per-core rates of the run that made `dataset`."""
    used = min(2, os.cpu_count() or 1)          # both steps run Params().workers processes
    per_user = merge_s + stages["segmentation"]    # merge + reading + labelling + segmentation: split by user
    driver = stages["end"] - stages["segmentation"]   # the pooled pass, then the steps on instances and variants
    rate = events / per_user / used
    size = sum(f.stat().st_size for f in (folder / dataset).rglob("*.parquet"))
    heaviest = max(json.loads((folder / dataset / "manifest.json").read_text())["inputs"],
                   key=lambda i: i["events"])["events"]
    spread = BILLION / rate / (nodes * cores)
    shuffle = BILLION * size / events / (nodes * gbit / 8 * 1e9)
    print(f"\non paper, from the {events:,}-event run: {rate:,.0f} events/s per core for the per-user work (merge, "
          f"read, segment; {per_user:.0f} s wall on {used} cores), {driver:.0f} s on the driver (the pooled pass "
          f"over the events between tasks, {stages['pooled pass'] - stages['segmentation']:.0f} s here: one group of "
          f"people per {POOL_EVENTS:,} leftover events, each bounded, one after another; then "
          f"task types, exceptions, routines, candidates, process map)")
    print(f"1B events on {nodes} nodes x {cores} cores: per-user work {spread / 60:.1f} min; shuffle by user "
          f"{size / events:.0f} B/event (encrypted Parquet) = {BILLION * size / events / 1e9:.0f} GB over {nodes} x "
          f"{gbit:g} Gbit/s = {shuffle / 60:.1f} min; driver at least {driver / 60:.1f} min (its pooled pass "
          f"grows with the groups of people, run one after another here); total about "
          f"{(spread + shuffle + driver) / 60:.0f} min")
    print(f"limits: the shuffle (each event crosses the network once, grouped by user) and skew: one user is one "
          f"task, so the heaviest user ({heaviest:,} events here, x12 for a year) takes {heaviest * 12 / rate:.0f} s "
          f"on one core however many nodes there are; a year of 2,000 such people is ~{2000 * heaviest * 12 / 1e9:.1f}B "
          "events")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="21, 64 and 200 employees (about 1M, 3M, 9.4M events)")
    ap.add_argument("--sizes", type=int, nargs="+", metavar="N", help="employee counts of your own")
    ap.add_argument("--days", type=int, default=21, help="working days per employee (default 21)")
    ap.add_argument("--workdir", type=Path, help="keep bundles and datasets here (default: a temporary folder)")
    ap.add_argument("--nodes", type=int, default=20, help="cluster nodes for the 1B projection (default 20)")
    ap.add_argument("--cores", type=int, default=8, help="cores per node for the 1B projection (default 8)")
    ap.add_argument("--gbit", type=float, default=10, help="network per node, Gbit/s, for the shuffle (default 10)")
    ap.add_argument("--cohorts", type=int, default=1, help="after the sizes, merge the largest one's bundles this "
                    "many times as other people and analyse that (--full: 3)")
    ap.add_argument("--engine", choices=("embedded", "spark"), default="embedded", help="spark: also analyse each "
                    "dataset with --engine spark and print its seconds beside the embedded engine's")
    ap.add_argument("--child", choices=("merge", "analyse", "spark"), help=argparse.SUPPRESS)
    ap.add_argument("--employees", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        if a.child == "merge":
            child_merge(a.workdir, a.employees, a.cohorts)
        elif a.child == "spark":
            child_spark(a.workdir, a.employees, a.cohorts)
        else:
            child_analyse(a.workdir, a.employees, a.cohorts)
        return
    sizes = a.sizes or (FULL if a.full else SMALL)
    cohorts = 3 if a.full and a.cohorts == 1 else a.cohorts
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        if len(list(folder.glob("*.tlb"))) < max(sizes) or not (folder / "roster.json").is_file():
            make_bundles(folder, max(sizes), a.days)   # else the bundles of an earlier run in --workdir are reused
        print(f"{max(sizes)} bundles of {a.days} working days ready in {time.perf_counter() - t:.0f} s (setup, not timed "
              "below)")
        print(f"{'employees':>9} {'events':>11} {'merge s':>8} {'merge MB':>9} {'load':>5} {'analyse s':>10} "
              f"{'analyse MB':>11} {'load':>5} {'events/s':>9}  found")
        runs = [(n, 1) for n in sorted(sizes)] + ([(max(sizes), cohorts)] if cohorts > 1 else [])
        for n, c in runs:
            ms, mpeak, m = measure("merge", folder, n, c)
            as_, apeak, s = measure("analyse", folder, n, c)
            label = str(n) if c == 1 else f"{n}x{c}"
            print(f"{label:>9} {int(s['events']):>11,} {ms:>8.0f} {mpeak / 2**20:>9,.0f} {m['load']:>5.1f} {as_:>10.0f} "
                  f"{apeak / 2**20:>11,.0f} {s['load']:>5.1f} {s['events'] / (ms + as_):>9,.0f}  "
                  f"{int(s['instances']):,} instances, {int(s['task_types'])} types, {int(s['candidates'])} candidates, "
                  f"{s['hours_in_tasks']:,.0f} h in tasks; analysis stages ended at "
                  + ", ".join(f"{k} {v:.0f} s" for k, v in s["stages"].items()), flush=True)
            if a.engine == "spark":
                print(spark_line(folder, n, c, as_, s), flush=True)
        print(f"peak RSS: the process tree (workers included), sampled every 0.25 s; merge + analyse seconds are wall "
              f"time on a machine of {os.cpu_count()} cores shared with other work (other engineers' runs: load is "
              "the 5-minute load average as the step ended)")
        on_paper(folder, dataset_name(n, c), ms, s["stages"], int(s["events"]), a.nodes, a.cores, a.gbit)


if __name__ == "__main__":
    main()
