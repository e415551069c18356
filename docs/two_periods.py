"""Usage: .venv/bin/python docs/two_periods.py ROOT.

Two analyses of the same simulated team, a month apart; in the later one a bot took over most vendor
invoice entries (80 % of that routine's instances dropped). For the candidates and compare screenshots."""
import os
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze
from tasklens.config import Config
from tasklens.privacy.masker import Masker
from tasklens.simulate import directory, simulate

root = Path(sys.argv[1])
masker = Masker(replace(Config(), person_names=Config().person_names + directory()))
for name, seed, start, kept in (("analysis-october", 7, datetime(2026, 10, 5, tzinfo=UTC), 1.0),
                                ("analysis-november", 8, datetime(2026, 11, 2, tzinfo=UTC), 0.2)):
    rng = random.Random(seed)
    keep: dict[int, bool] = {}
    raws = []
    for raw, t in simulate(6, 5, seed, start=start):
        if t.routine == "invoice entry" and not keep.setdefault(t.instance, rng.random() < kept):
            continue
        raws.append(raw)
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    write_all(analyze(masker.mask_many(raws)), folder)
    print(folder, len(raws), flush=True)
