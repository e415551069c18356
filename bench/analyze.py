"""Benchmark of the analyzer: events/s, seconds and peak RSS for 100k and 1M events, end to end.

For each size: a generated month of ~100 users (tasklens.analyzer.synthetic) is written to an encrypted
store; then, each in a fresh process whose peak RSS is summed with its workers' (bench/peak.py):
(1) the store run (load, all steps, all outputs); (2) PM4Py's time for variants + directly-follows graph
on the same segmented log, and the cases PM4Py reads from our log.xes (reference only: PM4Py is AGPL and
never a runtime dependency); (3) with --import, importing the same events as a tasklens CSV with the
real masker. Figures are single runs on a shared 2-core machine: noisy.

`--families` measures instead what a new user runs: `tasklens analyze FILE.csv --out DIR`, end to end
(import, masking, every step, every output), on a tasklens event CSV of realistic title diversity from
the second generator (bench/uilog_families.py): its families and seeds one after another, each seed's
users renamed apart, cut at the size. Each size runs `--repeat` times; the median is printed.
`--distinct` makes every title of that log distinct, as a log of mail subjects, tickets and documents
with a reference in every window title is (see `_with_reference`): the worst case for masking, which
analyses each distinct string once.

    .venv/bin/pip install pm4py   # into the bench venv only: never a dependency of the package
    .venv/bin/python bench/analyze.py [--sizes 100000 1000000] [--import]
    .venv/bin/python bench/analyze.py --families [--distinct] [--sizes 1000000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import zlib
from datetime import datetime, timedelta
from pathlib import Path

from peak import run  # bench/peak.py, beside this script


def _generate(n: int, folder: Path) -> tuple[Path, int]:
    from tasklens.analyzer.synthetic import generate
    from tasklens.store import Store

    scale = 1.5 * n / 1_100 / 100 / 21   # the generator makes ~2/3 of its nominal rate; cut at n
    events = [e for e, _ in generate(users=100, days=21, routines=8, seed=5, scale=scale)][:n]
    path = folder / f"bench-{n}.db"
    with Store.open(path) as store:
        for i in range(0, len(events), 50_000):
            store.append(events[i:i + 50_000])
    with open(folder / f"bench-{n}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "user", "app", "title", "action", "target", "value"])
        from tasklens.events import iso
        for e in events:
            w.writerow([iso(e.ts), e.user, e.app, e.title, e.action.value, e.target, e.value])
    return path, len(events)


# How real window titles carry a reference (order, invoice, case, ticket, document numbers; dates), each
# formatted with a number that never repeats: ERP order numbers (bare 10 digits), invoice numbers with
# the year, zero-padded case numbers, ticket numbers after #, bracketed document numbers, a date and time.
_REFERENCES = (
    lambda k: f"Order {4_500_000_000 + k}",
    lambda k: f"INV-2026-{k:06d}",
    lambda k: f"Case {k:08d}",
    lambda k: f"#{100_000 + k}",
    lambda k: f"({1_000_000 + k})",
    lambda k: f"{datetime(2026, 1, 1) + timedelta(minutes=k):%d.%m.%Y %H:%M}",
)
_FIRST_SEPARATOR = re.compile(r" - | \| ")


def _with_reference(title: str, app: str, k: int) -> str:
    """`title` with reference `k` at the end of its first part (before " - Outlook"), as mail subjects,
    tickets and documents show one; each k gives another reference, in the one of `_REFERENCES`' forms
    that `app` always writes (a form per title or per row split each activity in up to six)."""
    ref = _REFERENCES[zlib.crc32(app.encode()) % len(_REFERENCES)](k)
    m = _FIRST_SEPARATOR.search(title)
    return f"{title} {ref}" if m is None else f"{title[:m.start()]} {ref}{title[m.start():]}"


def _families_csv(n: int, folder: Path, distinct: bool = False) -> tuple[Path, int, int]:
    """A tasklens event CSV of `n` events from bench/uilog_families.py; (path, events, distinct titles).
    With `distinct`, every title is made distinct by a reference (`_with_reference`)."""
    from dataclasses import replace

    import uilog_families as uf  # bench/uilog_families.py, beside this script

    path = folder / f"families-{n}{'-distinct' if distinct else ''}.csv"
    rows: list[uf.Row] = []
    for seed in range(n):   # families in turn, a new seed each round, until there are enough events
        for family in uf.FAMILIES:
            if len(rows) >= n:
                break
            prefix = f"{family}{seed}-"
            rows += [replace(r, user=prefix + r.user, case=r.case and prefix + r.case)
                     for r in uf.generate(family, seed).rows]
    rows = rows[:n]
    if distinct:
        rows = [replace(r, title=_with_reference(r.title, r.app, k)) for k, r in enumerate(rows)]
    uf.write(uf.Log("mixed", 0, rows), path)
    return path, len(rows), len({r.title for r in rows})


def _families(sizes: list[int], repeat: int, folder: Path, distinct: bool) -> None:
    """`tasklens analyze FILE --out DIR` on generated CSVs, timed as a whole; peak RSS of the process tree."""
    env = os.environ | {"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "TASKLENS_HOME": str(folder / "home")}
    tasklens = Path(sys.executable).with_name("tasklens")
    for n in sizes:
        t = time.perf_counter()
        path, count, titles = _families_csv(n, folder, distinct)
        print(f"{count:,} events, {titles:,} distinct titles ({titles / count:.1%} of events), "
              f"{len({r['user'] for r in csv.DictReader(open(path, newline='', encoding='utf-8'))}):,} users; "
              f"generated in {time.perf_counter() - t:.0f} s")
        seconds, peaks = [], []
        for k in range(repeat):
            out = folder / f"out-{n}-{k}"
            done, wall, peak = run([str(tasklens), "analyze", str(path), "--out", str(out), "--quiet"], env)
            if done.returncode:
                raise SystemExit(f"tasklens analyze failed:\n{done.stderr[-2000:]}")
            seconds.append(wall)
            peaks.append(peak / 2**20)
            print(f"  run {k + 1}: {wall:6.1f} s  {count / wall:9,.0f} events/s  peak RSS {peak / 2**20:,.0f} MB"
                  f"  (load {os.getloadavg()[0]:.2f})")
        if not seconds:   # --repeat 0: only the CSV (with --keep, to run or profile by hand)
            continue
        median = statistics.median(seconds)
        print(f"{count:>9,} imported events, `tasklens analyze` end to end: median {median:.1f} s "
              f"({count / median:,.0f} events/s), peak RSS max {max(peaks):,.0f} MB over {repeat} run(s)")


def _child(mode: str, path: str, out: str) -> None:
    """One measured run; prints a JSON line with its seconds and counts."""
    t = time.perf_counter()
    if mode == "store":
        from tasklens.analyzer.loaders import load
        from tasklens.analyzer.outputs import write_all
        from tasklens.analyzer.pipeline import analyze
        events = load(Path(path)).events
        loaded = time.perf_counter() - t
        analysis = analyze(events)
        analysed = time.perf_counter() - t
        write_all(analysis, Path(out))
        extra = {"load_s": round(loaded, 1), "analyze_s": round(analysed - loaded, 1),
                 "instances": len(analysis.result.instances), "candidates": len(analysis.result.candidates)}
    elif mode == "import":
        from tasklens.analyzer.loaders import load
        from tasklens.config import Config
        from tasklens.privacy.masker import Masker
        raws = load(Path(path)).raws
        loaded = time.perf_counter() - t
        Masker(Config()).mask_many(raws)
        extra = {"parse_s": round(loaded, 1)}
    else:   # pm4py on the segmented log written by the store run
        import pandas as pd
        import pm4py
        rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
        df = pd.DataFrame([r for r in rows if r["task_id"]])
        df = pm4py.format_dataframe(df, case_id="task_id", activity_key="activity", timestamp_key="timestamp")
        # our XES must read in the reference tool: one case per task instance (not timed)
        xes_cases = int(pm4py.read_xes(str(Path(out) / "log.xes"))["case:concept:name"].nunique())
        t = time.perf_counter()
        pm4py.get_variants(df)
        pm4py.discover_dfg(df)
        extra = {"events_in_cases": len(df), "xes_cases": xes_cases}
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": round(seconds, 1), **extra}))


def _measure(mode: str, path: Path, out: Path) -> dict[str, float]:
    done, _, peak = run([sys.executable, __file__, "--child", mode, str(path), str(out)],
                        os.environ | {"TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})
    if done.returncode:
        raise SystemExit(f"{mode} run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"peak_rss_mb": round(peak / 2**20)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--import", dest="do_import", action="store_true", help="also time CSV import + masking")
    ap.add_argument("--families", action="store_true",
                    help="time `tasklens analyze` on a CSV from bench/uilog_families.py instead (import + masking)")
    ap.add_argument("--distinct", action="store_true", help="--families: a reference in every title (all distinct)")
    ap.add_argument("--repeat", type=int, default=1, help="--families: runs per size (the median is printed)")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="--families: write the CSVs and outputs here, kept")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.families:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            _families(args.sizes, args.repeat, args.keep, args.distinct)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                _families(args.sizes, args.repeat, Path(tmp), args.distinct)
        return
    os.environ.setdefault("TASKLENS_KEY", secrets.token_hex(32))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            store, count = _generate(n, folder)
            out = folder / f"out-{n}"
            r = _measure("store", store, out)
            print(f"{count:>9,} stored events, end to end: {r['seconds']:7.1f} s  {count / r['seconds']:9,.0f} events/s  "
                  f"peak RSS {r['peak_rss_mb']:,} MB  (load {r['load_s']} s, steps {r['analyze_s']} s; "
                  f"{r['instances']:,} instances, {r['candidates']} candidates)")
            p = _measure("pm4py", out / "events.csv", out)
            print(f"{'':>9}  pm4py variants + DFG on the same segmented log: {p['seconds']:.1f} s "
                  f"({p['events_in_cases']:,} events in cases); pm4py reads log.xes: {p['xes_cases']:,} cases "
                  f"for {r['instances']:,} instances")
            if args.do_import:
                i = _measure("import", folder / f"bench-{n}.csv", out)
                print(f"{'':>9}  CSV import with masking: {i['seconds']:.1f} s  {count / i['seconds']:,.0f} events/s  "
                      f"peak RSS {i['peak_rss_mb']:,} MB (parse {i['parse_s']} s)")


if __name__ == "__main__":
    main()
