"""`tasklens merge INPUT... --dataset DIR`: add inputs to an encrypted dataset that `tasklens analyze DIR`
reads one person at a time (organisation scale: more events than fit in memory).

Inputs are what `tasklens analyze` reads; imports are masked on the way in. Each input counts once it is
listed in the dataset's manifest: a merge stopped by Ctrl-C, a crash or a refused file keeps what was
merged, and merging the same inputs again adds only the rest.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tasklens.cli.analyze_cmd import FORMATS

if TYPE_CHECKING:
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="tasklens stores or bundles, event CSV, Action Logger CSV, XES, ActivityWatch JSON or "
                        "Tockler/ManicTime CSV files, or folders of them")
    p.add_argument("--dataset", type=Path, required=True, metavar="DIR",
                   help="the dataset folder (made if missing; its key: the keyring, else $TASKLENS_KEY)")
    p.add_argument("--format", choices=FORMATS, help="force the input format instead of detecting it")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip malformed rows (reported) instead of stopping")
    p.add_argument("--tz", metavar="ZONE", help="the time zone of imported times that carry none (default: UTC)")
    p.add_argument("--keep-user-ids", action="store_true",
                   help="keep imported user ids as they are instead of as pseudonyms (emp-XXXXXXXX)")
    p.add_argument("--workers", type=int, metavar="N", help="inputs loaded at once, each on a process of its own "
                   "(default: up to 2, as many as there are cores)")
    p.add_argument("--key", type=Path, metavar="ANALYST_KEY",
                   help="the analyst's analyst.key, to open employee bundles (passphrase: $TASKLENS_PASSPHRASE "
                        "or asked)")
    p.add_argument("--roster", type=Path, metavar="FILE",
                   help="the enrolled signers whose bundles count (default: roster.json beside --key)")
    p.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors; implies --no-progress")


def masker(config: Config) -> Masker:
    """The masker a merge worker makes at its first import (Presidio loads only where one is masked)."""
    from tasklens.privacy.masker import Masker
    return Masker(config)


def run(args: argparse.Namespace) -> int:
    import functools
    import sys

    from tasklens.analyzer.dataset import Dataset, merge
    from tasklens.analyzer.datasetrun import InputLoader
    from tasklens.analyzer.loaders import expand_inputs
    from tasklens.analyzer.pipeline import Params
    from tasklens.analyzer.progress import Bar
    from tasklens.analyzer.pseudonyms import Pseudonyms, analysis_secret
    from tasklens.cli.common import config
    from tasklens.errors import UsageError
    from tasklens.events import time_zone
    from tasklens.wording import plural

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: give 1 or more")
    paths = expand_inputs(args.inputs)
    ds = Dataset(args.dataset, create=True)   # a wrong key or a foreign folder is refused before any work
    private, roster = None, None
    if args.key is not None:
        from tasklens.analystkey import load_private
        from tasklens.cli.common import passphrase
        from tasklens.signing import default_roster
        private = load_private(args.key, passphrase(confirm=False)).private_bytes_raw()
        roster = args.roster or default_roster(args.key)
    loader = InputLoader(args.format, args.skip_bad_rows, time_zone(args.tz),
                         # one secret per dataset, made only when an import needs it, so a re-merge matches
                         str if args.keep_user_ids else Pseudonyms(functools.partial(analysis_secret, args.dataset)),
                         private, roster, functools.partial(masker, config(args)))
    bar = Bar(enabled=not (args.no_progress or args.quiet))
    try:
        added, before, refused = merge(ds, paths, loader, bar, workers=args.workers or Params().workers)
    finally:
        bar.close()
    for line in refused:
        print(f"tasklens: skipped: {line}", file=sys.stderr)
    if not args.quiet:
        total = Dataset(args.dataset).inputs
        print(f"merged {plural(len(paths) - before - len(refused), 'input')} ({plural(added, 'event')}) into "
              f"{args.dataset}" + (f"; {before} merged before" if before else "")
              + (f"; {plural(len(refused), 'input')} refused" if refused else "")
              + f"; it holds {plural(len(total), 'input')}, {plural(sum(i['events'] for i in total), 'event')}")
    return 0
