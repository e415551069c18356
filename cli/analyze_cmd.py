"""`tasklens analyze INPUT... --out DIR`: find task types, routines and RPA candidates.

Inputs may be tasklens stores and employee bundles (already masked) and imports (tasklens event CSV,
Action Logger CSV, XES), whose text passes through the masker like collected data. A bundle that cannot
be opened (another key, tampered, truncated, newer) is reported in one line and the others still load;
events that several inputs hold (an employee exporting twice) are counted once.

A merged dataset (`tasklens merge`) is analysed one person at a time by an engine chosen by name
(`tasklens.analyzer.engines.engine_for`, the one place that chooses): `embedded` in this process, `spark`
on Apache Spark.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tasklens.wording import HOURS_OBSERVED, HOURS_SAVED_FTE, HOURS_SAVED_TEAM, PERSON, plural

if TYPE_CHECKING:
    from tasklens.analyzer.result import AnalysisResult
    from tasklens.privacy.masker import Masker

# as tasklens.analyzer.loaders.FORMATS
FORMATS = ("store", "bundle", "csv", "actionlogger", "xes", "activitywatch", "tockler", "manictime")


def _dataset(paths: list[Path]) -> Path | None:
    """The one input if it is a merged dataset's folder (`tasklens merge`)."""
    import json

    from tasklens.analyzer.dataset import FORMAT, MANIFEST
    if len(paths) != 1 or not (paths[0] / MANIFEST).is_file():
        return None
    try:
        return paths[0] if json.loads((paths[0] / MANIFEST).read_text(encoding="utf-8")).get("format") == FORMAT else None
    except (OSError, ValueError, AttributeError):
        return None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="tasklens stores or bundles, tasklens event CSV, Action Logger CSV, XES, ActivityWatch "
                        "JSON or Tockler/ManicTime CSV files, or folders of them")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for report.json, events.csv, "
                   "report.html and log.xes")
    p.add_argument("--format", choices=FORMATS, help="force the input format instead of detecting it")
    p.add_argument("--unsegment", action="store_true",
                   help="XES: flatten the traces into one unsegmented stream per user and segment it anew")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip malformed rows (reported) instead of stopping")
    p.add_argument("--order", choices=("input", "time"), default="input",
                   help="each user's events in the order the input holds them (default: the recorded order, "
                        "kept where stitched recordings make time run backwards) or sorted by time")
    p.add_argument("--tz", metavar="ZONE", help="the time zone of imported times that carry none, e.g. "
                   "Europe/Berlin (default: UTC); times with Z or an offset keep theirs")
    p.add_argument("--keep-user-ids", action="store_true",
                   help="show imported user ids as they are instead of as pseudonyms (emp-XXXXXXXX)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress on stderr (a bar on a terminal, else a line per stage every few seconds)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors; implies --no-progress")
    p.add_argument("--json", action="store_true",
                   help="print a machine-readable summary (report.json's summary, the top candidates, notes, "
                        "files) on stdout instead of the text one")
    p.add_argument("--key", type=Path, metavar="ANALYST_KEY",
                   help="the analyst's analyst.key, to open employee bundles (passphrase: $TASKLENS_PASSPHRASE "
                        "or asked)")
    p.add_argument("--roster", type=Path, metavar="FILE",
                   help="the enrolled signers whose bundles count (default: roster.json beside --key; "
                        "see `tasklens keys enrol`)")
    p.add_argument("--engine", metavar="NAME",
                   help="for a merged dataset (`tasklens merge`): analyse it here, one person at a time "
                        "(embedded, the default), or on Apache Spark (spark, needs pyspark)")
    p.add_argument("--spark-master", metavar="URL", help="--engine spark: where Spark runs, e.g. local[4], "
                   "spark://HOST:7077 or yarn (default: spark-submit's, else every core of this machine)")
    p.add_argument("--spark-data", metavar="URI", help="--engine spark: where the executors read the dataset's "
                   "files, an hdfs:// or s3a:// copy of the dataset folder (default: the folder itself)")


def run(args: argparse.Namespace) -> int:
    import sys

    from tasklens.analyzer.loaders import expand_inputs
    from tasklens.analyzer.outputs import check_out
    from tasklens.analyzer.pipeline import Params
    from tasklens.analyzer.progress import Bar
    from tasklens.analyzer.pseudonyms import Pseudonyms
    from tasklens.analyzer.run import Inputs, run_analysis
    from tasklens.cli.common import config
    from tasklens.events import time_zone

    bar = Bar(enabled=not (args.no_progress or args.quiet))
    dataset = _dataset(args.inputs)
    if dataset is not None:
        from tasklens.analyzer.datasetrun import analyze_merged
        from tasklens.analyzer.engines import engine_for
        chosen = engine_for(args.engine or "embedded", args.spark_master, args.spark_data)   # a missing engine: one line
        try:
            merged = analyze_merged(dataset, args.out, chosen, Params(order=args.order), progress=bar)
        finally:
            bar.close()
        return _tell(args, merged.streamed.result, merged.notes, merged.files)
    if args.engine is not None:
        from tasklens.errors import UsageError
        raise UsageError(f"--engine {args.engine} analyses a merged dataset: merge the inputs first "
                         "(tasklens merge INPUT... --dataset DIR), then tasklens analyze DIR --engine ...")
    paths = expand_inputs(args.inputs)   # a folder stands for the files in it that tasklens can read
    check_out(args.out)   # a folder that cannot be written is refused before asking for a passphrase
    private, roster = None, None
    if args.key is not None:
        from tasklens.analystkey import load_private
        from tasklens.cli.common import passphrase
        from tasklens.signing import default_roster, load_roster
        private = load_private(args.key, passphrase(confirm=False))
        roster = load_roster(args.roster or default_roster(args.key))
    inputs = Inputs(paths, args.format, args.skip_bad_rows, args.unsegment,
                    tz=time_zone(args.tz),   # imports' naive times; an unknown zone is one line before any work
                    users=str if args.keep_user_ids else Pseudonyms.for_analysis(args.out),
                    private=private, roster=roster, params=Params(order=args.order))

    def masker() -> Masker:
        from tasklens.privacy.masker import Masker
        return Masker(config(args))

    done = run_analysis(inputs, args.out, masker=masker, progress=bar,
                        on_refused=lambda line: print(f"tasklens: skipped: {line}", file=sys.stderr))
    bar.close()
    return _tell(args, done.result, done.notes, done.files)


def _tell(args: argparse.Namespace, s: AnalysisResult, notes: list[str], paths_out: dict[str, Path]) -> int:
    """What the analysis found: a summary on stdout, as text or --json."""
    import json

    if args.json:
        report = s.to_json()
        top = [{**c, "instances": len(c["instances"])} for c in report["candidates"][:5]]   # ids: see report.json
        print(json.dumps({"summary": report["summary"], "candidates": top,
                          "notes": notes, "files": {k: str(v) for k, v in paths_out.items()}},
                         indent=2, ensure_ascii=False))
        return 0
    if args.quiet:
        return 0
    print(f"{plural(s.summary.events, 'event')} from {plural(s.summary.users, PERSON)}, "
          f"{plural(len(s.instances), 'task instance')}, {plural(len(s.task_types), 'task type')}, "
          f"{plural(len(s.routines), 'routine')}, {plural(len(s.candidates), 'RPA candidate')}"
          + "".join(f"; {n}" for n in notes))
    shown = s.candidates[:5]
    width = max([5, *(len(str(len(c.instances))) for c in shown)])   # an organisation's counts run to 6 digits and more
    for c in shown:
        print(f"  {c.id}  {len(c.instances):>{width}} instances  {c.hours_observed:8.1f} {HOURS_OBSERVED}  "
              f"{c.hours_saved_per_month_team:7.1f} {HOURS_SAVED_TEAM}  {c.hours_saved_per_month_per_fte:6.1f} "
              f"{HOURS_SAVED_FTE}  ({c.confidence_label} confidence)")
    print(f"wrote {', '.join(str(p) for p in paths_out.values())}")
    return 0
