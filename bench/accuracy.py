"""Accuracy of `tasklens analyze` on logs nobody here tuned to: one table, with the targets of issue 11.

Rows:
- the research logs in /work/shared/data/uilogs as delivered: the Action Logger recordings (50 known
  instances each, no labels: instance count only) and the simulated XES logs (each trace a true instance,
  analysed with `--unsegment`); a labelled mixed-task log made of their traces (log1, and the first 300
  traces of log5 and of log6, three routines, shuffled and laid end to end 8-15 s apart, as one person's
  day); and each of them "stitched": split into 3 recordings whose timestamps jump
  backwards (each recording starts inside the previous one's time span), written with `Z`, `+00:00` and
  naive timestamps, one form per recording;
- the families of bench/uilog_families.py (a generator written apart from the demo's), N seeds each,
  summarised as mean/min per family.

Each log goes through the CLI (`tasklens analyze FILE --out DIR`) in a subprocess, the most stable
interface while the internals change; its events.csv (per input row: task_id, task_type, candidate) and
report.json (candidate ranks) are compared with the truth, aligned by `source_row`.

Metrics (events are the input rows; "noise" is an event of no true instance):
- found instances: distinct task ids in events.csv whose events are mostly of true instances (with no
  labels: all of them); ratio = found / true instances. "noise inst" counts the other found instances.
- segment ARI: sklearn's adjusted_rand_score over the events of true instances (noise EXCLUDED), the
  true instance id against the found task id; an event in no found task is a cluster of its own.
- task-type F1: each found task type is mapped to the true routine (or noise) holding most of its
  events; an event's predicted routine is its type's (noise if it is in no type); weighted F1 over all
  events with the true routines as labels (weights = their event counts; noise is not a label, so noise
  called a routine costs that routine precision).
- routines found: a planted routine R with >= 5 instances is found when some candidate's task type T
  has a majority of its events in R (|T & R| > |T| / 2) and holds at least half of R's events
  (|T & R| >= |R| / 2), both counted in events.
- spurious candidates in the top 5: candidates ranked 1-5 most of whose instances are noise (an instance
  is noise when most of its events are).
- hours ratio: for each routine with >= 5 instances, the found hours of the task type holding most of
  its events over its true hours (an instance's hours: first to last event); the row shows the ratio
  farthest from 1.

    .venv/bin/python bench/accuracy.py [--quick] [--seeds 20] [--seed-start 0] [--jobs 2] [--keep DIR] [--json FILE]
        [--by-routine]

`--seed-start 20 --seeds 20` runs seeds 20-39: held out from the seeds the analyzer was tuned on.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import uilog_families  # bench/uilog_families.py, beside this script
from sklearn.metrics import adjusted_rand_score, f1_score

from tasklens.events import parse_time

UILOGS = Path("/work/shared/data/uilogs/leno-rpm-segmentator")
KNOWN_INSTANCES = 50   # each Action Logger recording (SOURCE.md)
MIN_INSTANCES = 5      # a planted routine with fewer is not expected to be found
TOP = 5
NOISE = ""
TIMEOUT = 900          # seconds for one analysis
FORMS = ("Z", "+00:00", "")   # timestamp forms of the three stitched recordings


# ------------------------------------------------------------------------------------------------ metrics

def segment_ari(cases: Sequence[str], tasks: Sequence[str]) -> float:
    """ARI over the events of true instances (noise excluded); an unassigned event is its own cluster."""
    keep = [k for k, c in enumerate(cases) if c != NOISE]
    if not keep:
        return float("nan")
    found = [tasks[k] if tasks[k] != "" else f"none-{k}" for k in keep]
    return float(adjusted_rand_score([cases[k] for k in keep], found))


def majority_map(routines: Sequence[str], groups: Sequence[str]) -> dict[str, str]:
    """Found group (task type) -> the true routine (or noise) holding most of its events."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r, g in zip(routines, groups):
        if g != "":
            counts[g][r] += 1
    return {g: c.most_common(1)[0][0] for g, c in counts.items()}


def type_f1(routines: Sequence[str], types: Sequence[str]) -> float:
    """Weighted F1 of the routine each event's found type maps to, over the true routines' labels."""
    labels = sorted(set(routines) - {NOISE})
    if not labels:
        return float("nan")
    mapping = majority_map(routines, types)
    predicted = [mapping.get(t, NOISE) if t != "" else NOISE for t in types]
    return float(f1_score(list(routines), predicted, labels=labels, average="weighted", zero_division=0))


def eligible(cases: Sequence[str], routines: Sequence[str]) -> list[str]:
    """The planted routines with at least MIN_INSTANCES instances."""
    per: dict[str, set[str]] = defaultdict(set)
    for c, r in zip(cases, routines):
        if r != NOISE:
            per[r].add(c)
    return sorted(r for r, cs in per.items() if len(cs) >= MIN_INSTANCES)


def routines_found(routines: Sequence[str], types: Sequence[str], candidate_types: set[str],
                   wanted: Sequence[str]) -> list[str]:
    """The routines in `wanted` that some candidate's task type covers by majority both ways."""
    size_r = Counter(routines)
    size_t = Counter(types)
    both = Counter((r, t) for r, t in zip(routines, types) if t in candidate_types)
    return [r for r in wanted
            if any(n > size_t[t] / 2 and n >= size_r[r] / 2 for (rr, t), n in both.items() if rr == r)]


def spurious(cases: Sequence[str], tasks: Sequence[str], candidates: Sequence[str], top: set[str]) -> int:
    """Candidates in `top` most of whose instances are mostly noise."""
    noise_events: dict[str, Counter[bool]] = defaultdict(Counter)
    cand_of_task: dict[str, str] = {}
    for c, t, k in zip(cases, tasks, candidates):
        if t != "" and k in top:
            noise_events[t][c == NOISE] += 1
            cand_of_task[t] = k
    verdict: dict[str, Counter[bool]] = defaultdict(Counter)
    for t, n in noise_events.items():
        verdict[cand_of_task[t]][n[True] > n[False]] += 1
    return sum(1 for v in verdict.values() if v[True] > v[False])


def noise_instances(cases: Sequence[str], tasks: Sequence[str]) -> int:
    """Found instances (task ids) most of whose events are noise."""
    noise: Counter[str] = Counter()
    size: Counter[str] = Counter()
    for c, t in zip(cases, tasks):
        if t != "":
            size[t] += 1
            noise[t] += c == NOISE
    return sum(1 for t, n in size.items() if noise[t] > n / 2)


def _hours(groups: Sequence[str], ts: Sequence[float]) -> dict[str, float]:
    """Hours per group (instance): first to last event."""
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    for g, t in zip(groups, ts):
        if g != "" and not math.isnan(t):
            lo[g] = min(lo.get(g, t), t)
            hi[g] = max(hi.get(g, t), t)
    return {g: (hi[g] - lo[g]) / 3600 for g in lo}


def hours_ratios(cases: Sequence[str], routines: Sequence[str], tasks: Sequence[str], types: Sequence[str],
                 ts: Sequence[float], wanted: Sequence[str]) -> dict[str, float]:
    """Per routine: hours of the found type holding most of its events / its true hours."""
    true_h = _hours(cases, ts)
    routine_of = dict(zip(cases, routines))
    type_of_task = dict(zip(tasks, types))
    found_h = _hours(tasks, ts)
    out = {}
    for r in wanted:
        best = Counter(t for rr, t in zip(routines, types) if rr == r and t != "").most_common(1)
        truth = sum(h for c, h in true_h.items() if routine_of[c] == r)
        found = sum(h for k, h in found_h.items() if best and type_of_task[k] == best[0][0])
        out[r] = found / truth if truth else float("nan")
    return out


# -------------------------------------------------------------------------------------------------- logs

@dataclass
class Job:
    """One log to analyse: a file (or a family and seed to generate one) and what is known about it."""

    name: str
    kind: str                        # leno-xes, leno-csv, family
    path: str = ""
    unsegment: bool = False
    family: str = ""
    seed: int = 0


@dataclass
class Result:
    name: str
    kind: str
    family: str = ""
    status: str = "ok"               # ok, or the error the CLI ended with
    seconds: float = 0.0
    events: int = 0
    true_instances: int = 0
    found_instances: int = 0
    noise_instances: int = 0         # found instances most of whose events are noise
    ari: float = float("nan")
    f1: float = float("nan")
    routines: int = 0                # planted routines with >= MIN_INSTANCES instances
    found: list[str] = field(default_factory=list)
    spurious: int = 0
    hours: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    @property
    def ratio(self) -> float:
        return self.found_instances / self.true_instances if self.true_instances else float("nan")

    @property
    def worst_hours(self) -> float:
        return max(self.hours.values(), key=lambda h: abs(h - 1), default=float("nan"))


def xes_truth(path: Path) -> list[str]:
    """The trace index of each event in document order (what the XES loader numbers `source_row`)."""
    root = ET.parse(path).getroot()
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    return [str(t) for t, trace in enumerate(root.iter(f"{ns}trace")) for _ in trace.iter(f"{ns}event")]


def _stamp(ts: float, form: str) -> str:
    text = datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", form)


def _shifts(starts: list[float], ends: list[float]) -> list[float]:
    """Per recording, the shift that makes it start 40 % into the previous (shifted) one: time runs back."""
    out = [0.0]
    for k in range(1, len(starts)):
        prev_start, prev_end = starts[k - 1] + out[-1], ends[k - 1] + out[-1]
        out.append(prev_start + 0.4 * (prev_end - prev_start) - starts[k])
    return out


def _cuts(n: int, ok: Sequence[int]) -> list[int]:
    """Two cut positions near n/3 and 2n/3, chosen among the allowed ones (`ok`, ascending)."""
    return [min(ok, key=lambda k: abs(k - n * part / 3)) for part in (1, 2)]


def mix_xes(sources: Sequence[tuple[Path, int]], dst: Path, seed: int = 0) -> tuple[list[str], list[str]]:
    """The first `n` traces of each source, shuffled and laid end to end 8-15 s apart in one XES log;
    returns the true case and routine (the source's name) of each event in document order."""
    rng = random.Random(seed)
    traces = []
    for src, n in sources:
        root = ET.parse(src).getroot()
        ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        traces += [(src.stem, f"{src.stem}:{t}", tr) for t, tr in enumerate(root.iter(f"{ns}trace")) if t < n]
    rng.shuffle(traces)
    log = ET.Element("log", {"xes.version": "1.0"})
    cases, routines, clock = [], [], 0.0
    for routine, case, trace in traces:
        stamps = [el for el in trace.iter() if el.get("key") == "time:timestamp"]
        times = [parse_time(el.get("value", "")) for el in stamps]
        for el, t in zip(stamps, times):
            el.set("value", _stamp(clock + t - times[0], "Z"))
        clock += max(times) - times[0] + rng.uniform(8, 15)
        log.append(trace)
        n_events = sum(1 for el in trace.iter() if el.tag.endswith("event"))
        cases += [case] * n_events
        routines += [routine] * n_events
    ET.ElementTree(log).write(dst, encoding="UTF-8", xml_declaration=True)
    return cases, routines


def stitch_xes(src: Path, dst: Path) -> None:
    """The XES log split into 3 recordings at trace boundaries, time jumping back, mixed timestamp forms."""
    tree = ET.parse(src)
    root = tree.getroot()
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    traces = list(root.iter(f"{ns}trace"))
    cuts = _cuts(len(traces), range(1, len(traces)))
    parts = [traces[a:b] for a, b in zip([0] + cuts, cuts + [len(traces)])]
    stamps = [[el for tr in part for ev in tr.iter(f"{ns}event") for el in ev if el.get("key") == "time:timestamp"]
              for part in parts]
    times = [[parse_time(el.get("value", "")) for el in part] for part in stamps]
    for els, ts, shift, form in zip(stamps, times, _shifts([min(t) for t in times], [max(t) for t in times]), FORMS):
        for el, t in zip(els, ts):
            el.set("value", _stamp(t + shift, form))
    tree.write(dst, encoding="UTF-8", xml_declaration=True)


def stitch_actionlogger(src: Path, dst: Path) -> None:
    """The recording split into 3 at its longest pauses near the thirds, time jumping back, mixed forms."""
    with open(src, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    col = header.index("timeStamp")
    ts = [parse_time(r[col]) for r in rows]
    n = len(rows)
    gaps = sorted(range(1, n), key=lambda k: ts[k] - ts[k - 1], reverse=True)[: max(2, n // 20)]
    cuts = sorted(_cuts(n, sorted(gaps)))
    bounds = list(zip([0] + cuts, cuts + [n]))
    shifts = _shifts([min(ts[a:b]) for a, b in bounds], [max(ts[a:b]) for a, b in bounds])
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(header)
        for (a, b), shift, form in zip(bounds, shifts, FORMS):
            for k in range(a, b):
                w.writerow(rows[k][:col] + [_stamp(ts[k] + shift, form)] + rows[k][col + 1:])


# ------------------------------------------------------------------------------------------------ running

def analyze_cli(path: Path, out: Path, unsegment: bool) -> str:
    """Run `tasklens analyze`; "ok", or what it ended with (a traceback's last line, or its one-line error)."""
    cmd = [sys.executable, "-c", "import sys; from tasklens.cli.main import main; sys.exit(main())",
           "analyze", str(path), "--out", str(out), "--no-progress"] + (["--unsegment"] if unsegment else [])
    try:
        p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timeout after {TIMEOUT} s"
    if p.returncode == 0:
        return "ok"
    lines = [x for x in p.stderr.strip().splitlines() if x.strip()]
    if "Traceback" in p.stderr:
        return f"TRACEBACK {lines[-1] if lines else ''}"
    return f"error {lines[0] if lines else p.returncode}"


def read_found(out: Path, n: int) -> tuple[list[str], list[str], list[str], list[float], set[str]]:
    """Per input row (by source_row; at least `n` rows): task id, task type, candidate id, time (NaN for a
    row the analysis left out); and the candidates ranked in the top 5."""
    with open(out / "events.csv", newline="", encoding="utf-8") as f:
        rows = [(int(r["source_row"]), r) for r in csv.DictReader(f)]
    n = max([n] + [k + 1 for k, _ in rows])
    tasks, types, cands, ts = [""] * n, [""] * n, [""] * n, [float("nan")] * n
    for k, row in rows:
        tasks[k], types[k], cands[k] = row["task_id"], row["task_type"], row["candidate"]
        ts[k] = parse_time(row["timestamp"])
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    top = {c["id"] for c in report.get("candidates", []) if int(c.get("rank", TOP + 1)) <= TOP}
    return tasks, types, cands, ts, top


def _prepare(job: Job, folder: Path) -> tuple[Path, list[str] | None, list[str] | None, int]:
    """The file to analyse, its truth (cases and routines per row, if known) and true instance count."""
    if job.kind == "family":
        log = uilog_families.generate(job.family, job.seed)
        path, truth = uilog_families.write(log, folder / f"{job.name}.csv")
        cases, routines = uilog_families.read_truth(truth)
        return path, cases, routines, len(log.instances())
    if job.kind == "leno-mixed":
        path = folder / "mixed.xes" if not job.name.endswith("stitched") else folder / "mixed-unstitched.xes"
        xes = UILOGS / "synthetic_cpn_xes"
        cases, routines = mix_xes([(xes / "log1.xes", 100), (xes / "log5.xes", 300), (xes / "log6.xes", 300)], path)
        if job.name.endswith("stitched"):
            stitch_xes(path, folder / f"{job.name}.xes")
            path = folder / f"{job.name}.xes"
        return path, cases, routines, len(set(cases))
    src = Path(job.path)
    path = src
    if job.name.endswith("stitched"):
        path = folder / f"{job.name}{src.suffix}"
        (stitch_xes if job.kind == "leno-xes" else stitch_actionlogger)(src, path)
    if job.kind == "leno-xes":
        cases = xes_truth(src)
        return path, cases, [src.stem] * len(cases), len(set(cases))
    return path, None, None, KNOWN_INSTANCES


def evaluate(job: Job, folder: str) -> Result:
    """Prepare, analyse and score one log."""
    work = Path(folder)
    res = Result(job.name, job.kind, job.family, seed=job.seed)
    path, cases, routines, res.true_instances = _prepare(job, work)
    start = time.monotonic()
    res.status = analyze_cli(path, work / f"{job.name}-out", job.unsegment)
    res.seconds = round(time.monotonic() - start, 1)
    if res.status != "ok":
        return res
    tasks, types, cands, ts, top = read_found(work / f"{job.name}-out", len(cases or []))
    res.events = sum(1 for t in ts if not math.isnan(t))
    res.found_instances = len(set(tasks) - {""})
    if cases is None or routines is None:
        return res
    res.noise_instances = noise_instances(cases, tasks)
    res.found_instances -= res.noise_instances
    res.ari = segment_ari(cases, tasks)
    res.f1 = type_f1(routines, types)
    wanted = eligible(cases, routines)
    res.routines = len(wanted)
    type_of_cand = {k: t for k, t in zip(cands, types) if k}
    res.found = routines_found(routines, types, set(type_of_cand.values()), wanted)
    res.spurious = spurious(cases, tasks, cands, top)
    res.hours = hours_ratios(cases, routines, tasks, types, ts, wanted)
    return res


# ----------------------------------------------------------------------------------------------- targets

def passes(r: Result) -> bool:
    """Issue 11's "How good" for this kind of log."""
    if r.status != "ok":
        return False
    if r.kind == "leno-csv" or r.family == "optional":
        return abs(r.ratio - 1) <= 0.05
    if r.kind in ("leno-xes", "leno-mixed"):
        return r.f1 >= 0.99 and r.ari >= 0.97 and abs(r.ratio - 1) <= 0.05
    return len(r.found) == r.routines and r.spurious == 0 and abs(r.worst_hours - 1) <= 0.10


TARGETS = {"leno-csv": "instances ±5%", "leno-xes": "F1≥.99 ARI≥.97 inst ±5%",
           "leno-mixed": "F1≥.99 ARI≥.97 inst ±5%", "optional": "instances ±5%",
           "family": "all found, 0 spurious, hours ±10%"}


def _f(x: float, digits: int = 2) -> str:
    return "-" if math.isnan(x) else f"{x:.{digits}f}"


def _mm(xs: list[float]) -> str:
    """mean/min of the defined values."""
    xs = [x for x in xs if not math.isnan(x)]
    return f"{statistics.mean(xs):.2f}/{min(xs):.2f}" if xs else "-"


def table(results: list[Result]) -> str:
    """The table: one row per research log, one per family (mean/min over seeds, or as noted)."""
    seeds = sorted({r.seed for r in results if r.kind == "family"})
    head = [f"log (seeds {seed_span(seeds)})" if seeds else "log", "events", "true inst", "found (ratio)",
            "noise inst", "ARI", "F1", "routines found", "spurious top5", "hours ratio", "target", "result"]
    rows = []
    for r in (r for r in results if r.kind != "family"):
        ok = r.status == "ok"
        rows.append([r.name, str(r.events) if ok else "-", str(r.true_instances),
                     f"{r.found_instances} ({_f(r.ratio)})" if ok else r.status[:60],
                     str(r.noise_instances) if ok and r.kind != "leno-csv" else "-", _f(r.ari, 3), _f(r.f1, 3),
                     f"{len(r.found)}/{r.routines}" if r.routines > 1 else "-",
                     str(r.spurious) if r.routines > 1 else "-", _f(r.worst_hours) if r.routines > 1 else "-",
                     TARGETS[r.kind], "PASS" if passes(r) else "FAIL"])
    families: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        if r.kind == "family":
            families[r.family].append(r)
    for fam, rs in families.items():
        good = [r for r in rs if r.status == "ok"]
        crashed = len(rs) - len(good)
        n_pass = sum(passes(r) for r in rs)
        ratios = [r.ratio for r in good]
        worst = [r.worst_hours for r in good if not math.isnan(r.worst_hours)]
        rows.append([
            f"{fam} x{len(rs)}" + (f" ({crashed} failed)" if crashed else ""),
            f"{statistics.mean(r.events for r in good):.0f}" if good else "-",
            f"{statistics.mean(r.true_instances for r in rs):.0f}",
            f"{statistics.mean(r.found_instances for r in good):.0f} ({_mm(ratios)})" if good else "-",
            f"{statistics.mean(r.noise_instances for r in good):.0f}" if good else "-",
            _mm([r.ari for r in good]), _mm([r.f1 for r in good]),
            f"{sum(len(r.found) for r in good)}/{sum(r.routines for r in good)}" if good else "-",
            f"{statistics.mean(r.spurious for r in good):.1f}/{max(r.spurious for r in good)}" if good else "-",
            f"{statistics.mean(worst):.2f} ({min(worst):.2f}-{max(worst):.2f})" if worst else "-",
            TARGETS["optional" if fam == "optional" else "family"],
            f"{'PASS' if n_pass == len(rs) else 'FAIL'} {n_pass}/{len(rs)}"])
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def seed_span(seeds: list[int]) -> str:
    """The seeds (sorted, not empty) as `a-b` when they run without a gap, else listed."""
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}"
    return ",".join(map(str, seeds))


def by_routine(results: list[Result]) -> str:
    """Per family and planted routine: in how many seeds it was missed, and its hours ratio (median, range)."""
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    missed: Counter[tuple[str, str]] = Counter()
    for r in results:
        for name, h in r.hours.items():
            key = (r.family or r.name, name)
            seen[key].append(h)
            missed[key] += name not in r.found
    lines = ["| family | routine | missed | hours ratio median (min-max) |", "|---|---|---|---|"]
    for (fam, name), hs in sorted(seen.items()):
        hs = sorted(hs)
        lines.append(f"| {fam} | {name} | {missed[fam, name]}/{len(hs)} | "
                     f"{_f(hs[len(hs) // 2])} ({_f(hs[0])}-{_f(hs[-1])}) |")
    return "\n".join(lines)


def jobs(seeds: int, families: Sequence[str], start: int = 0) -> list[Job]:
    """The research logs (as delivered and stitched) and the families' seeds `start`.. `start + seeds - 1`;
    the slowest first."""
    out = []
    for kind, sub, ext in (("leno-csv", "real_ui_logs", "csv"), ("leno-xes", "synthetic_cpn_xes", "xes")):
        for p in sorted((UILOGS / sub).glob(f"*.{ext}")):
            for variant in ("", " stitched"):
                out.append(Job(f"{p.stem}{variant}".replace(" ", "-"), kind, str(p), unsegment=kind == "leno-xes"))
    out += [Job(name, "leno-mixed", unsegment=True) for name in ("mixed-log1-5-6", "mixed-log1-5-6-stitched")]
    out += [Job(f"{fam}-{seed}", "family", family=fam, seed=seed) for seed in range(start, start + seeds)
            for fam in families]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds per family (default 20)")
    ap.add_argument("--seed-start", type=int, default=0, metavar="N",
                    help="first seed (default 0): `--seed-start 20 --seeds 20` runs the held-out seeds 20-39")
    ap.add_argument("--quick", action="store_true", help="3 seeds per family")
    ap.add_argument("--families", nargs="+", default=list(uilog_families.FAMILIES), choices=uilog_families.FAMILIES)
    ap.add_argument("--no-research-logs", action="store_true", help="only the generated families")
    ap.add_argument("--jobs", type=int, default=2, help="analyses at once (default 2)")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the logs, truths and analyses in DIR")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write every result as JSON")
    ap.add_argument("--by-routine", action="store_true", help="also a table per planted routine")
    args = ap.parse_args(argv)
    todo = jobs(3 if args.quick else args.seeds, args.families, args.seed_start)
    if args.no_research_logs or not UILOGS.is_dir():
        todo = [j for j in todo if j.kind == "family"]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tasklens-accuracy-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(evaluate, todo, [str(folder)] * len(todo)))
    print(table(results))
    print(f"\n{len(results)} analyses in {time.monotonic() - started:.0f} s; ARI over events of true instances "
          f"(noise excluded); routines found counts routines with >= {MIN_INSTANCES} instances; family cells "
          "are mean/min over seeds (spurious: mean/max; hours: mean of each seed's worst, and its range)")
    if args.by_routine:
        print("\n" + by_routine(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"ratio": r.ratio, "pass": passes(r)} for r in results],
                                        indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
