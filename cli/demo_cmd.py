"""`tasklens demo`: a simulated work week pushed through the real path, end to end, headless.

simulated employees -> consent -> Presidio masking -> encrypted store -> analysis -> report files.
The simulation's ground truth is printed beside what the analysis found, so the demo shows how close
tasklens gets, not just that it ran.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from tasklens.wording import HOURS_OBSERVED, HOURS_SAVED_TEAM, PERSON, plural

log = logging.getLogger(__name__)
BATCH = 5_000
# The demo shows only what the real collector can record, and says which of its two modes it simulates.
CAPTURE_SHOWN = {
    "elements": "capture mode: UI elements (role and name of what was clicked or typed into), as the collector "
                "records with accessibility on",
    "positions": "capture mode: positions only (a click is its button and position, a paste its shortcut), as "
                 "the collector records with accessibility off",
}


def run(args: argparse.Namespace) -> int:
    from tasklens import storekey as keys
    from tasklens.analyzer.outputs import check_out
    from tasklens.analyzer.run import Inputs, run_analysis
    from tasklens.cli.common import config
    from tasklens.errors import OutputError
    from tasklens.files import private_dir
    from tasklens.privacy import consent
    from tasklens.privacy.masker import Masker
    from tasklens.simulate import directory, simulate
    from tasklens.store import Store

    # Without an NER model, names are masked from the organisation's directory export; the demo's
    # directory is the simulated staff and customers.
    base = config(args)
    cfg = replace(base, person_names=base.person_names + directory())
    out: Path = private_dir(args.out)
    check_out(out / "analysis")   # refused now, not after the simulation
    store_file = out / "demo-store.db"
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{store_file}{suffix}")
        try:
            old.unlink(missing_ok=True)
        except OSError as e:
            raise OutputError(f"cannot replace the demo store {old}: {e.strerror}; remove it or choose another "
                              "--out") from None
    key = keys.from_text(os.environ[keys.ENV_KEY], keys.ENV_KEY) if os.environ.get(keys.ENV_KEY) else keys.new_raw_key()

    t0 = time.perf_counter()
    print(f"simulating {plural(args.employees, PERSON)} over {plural(args.days, 'working day')} ...", flush=True)
    print(CAPTURE_SHOWN[args.capture], flush=True)
    pairs = list(simulate(args.employees, args.days, args.seed, capture=args.capture))
    truth: dict[str, dict[int, list[float]]] = defaultdict(dict)
    for raw, t in pairs:
        if t.routine:
            span = truth[t.routine].setdefault(t.instance, [raw.ts, raw.ts + raw.duration])
            span[1] = max(span[1], raw.ts + raw.duration)

    masker = Masker(cfg)
    with Store(store_file, key) as store:
        for user in sorted({raw.user for raw, _ in pairs}):
            consent.accept(store, user, cfg)
        for i in range(0, len(pairs), BATCH):
            store.append(masker.mask_many([raw for raw, _ in pairs[i:i + BATCH]]))
        stored = store.count()
    stats = masker.stats()
    print(f"masked and stored {stored} events in {store_file} (SQLCipher, AES-256); Presidio analysed "
          f"{stats.get('presidio_calls', 0)} distinct title parts, {stats.get('failures_redacted', 0)} "
          "strings redacted on failure", flush=True)

    # the store is read back like any store the analyst is given (source_row set), the read audited in it
    done = run_analysis(Inputs([store_file], store_key=key, audit_as="demo.analyze"), out / "analysis", masker=None)
    result, files = done.result, done.files
    print(f"\nanalysis: {result.summary.instances} task instances, "
          f"{len(result.task_types)} task types, {len(result.routines)} routines, "
          f"{len(result.candidates)} RPA candidates")
    print("\ntop RPA candidates")
    for c in result.candidates[:5]:
        print(f"  #{c.rank} {c.name[:60]:<60} {len(c.instances):>4} instances, "
              f"{plural(len(c.users), PERSON)}, {c.hours_observed:.1f} {HOURS_OBSERVED}, "
              f"{c.hours_saved_per_month_team:.1f} {HOURS_SAVED_TEAM}")
    print("\nplanted in the simulation (ground truth)")
    for name, spans in truth.items():
        hours = sum(b - a for a, b in spans.values()) / 3600
        print(f"  {name:<20} {len(spans):>4} instances, {hours:.1f} h")
    print(f"\nresults in {out}/analysis: " + ", ".join(p.name for p in files.values()))
    if not os.environ.get(keys.ENV_KEY):
        print(f"to look inside the demo store: TASKLENS_KEY={key.secret} tasklens store show --store {store_file}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0
