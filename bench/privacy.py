"""Masking speed and quality: strings/s for distinct and for realistic (repeating) titles, and recall /
precision per entity on the labelled title set. Figures are medians of --repeat runs; the machine is
shared, so expect noise.

    .venv/bin/python bench/privacy.py [--repeat 3] [--events 70000] [--distinct 3000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tasklens.config import Config, Recognizer
from tasklens.events import RawEvent
from tasklens.privacy.evaluation import evaluate
from tasklens.privacy.masker import Masker
from tasklens.simulate import FIRST, LAST, simulate

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "privacy"
sys.path.insert(0, str(DATA))   # the labelled-title generator lives beside its data
import make_titles  # noqa: E402

PATTERN_ENTITIES = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN",
                    "URL_QUERY", "USERNAME", "CUSTOMER_ID"}


def _median_rate(n: int, run: Callable[[], object], before: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return n / statistics.median(times)


def speed(masker: Masker, events: int, distinct: int, repeat: int) -> None:
    raws: list[RawEvent] = [e for e, _ in itertools.islice(simulate(employees=6, days=30, seed=7), events)]
    titles = [r.title for r in raws]
    unique = list(dict.fromkeys(titles))[:distinct]
    print(f"simulated office: {len(raws)} events, {len(set(titles))} distinct titles "
          f"({len(set(titles)) / len(titles):.1%})")
    rows = [
        ("distinct titles, cold cache (mask_text)", len(unique),
         lambda: [masker.mask_text(t) for t in unique]),
        ("realistic titles, cold cache (mask_text)", len(titles),
         lambda: [masker.mask_text(t) for t in titles]),
        ("realistic events, cold cache (mask)", len(raws),
         lambda: [masker.mask(r) for r in raws]),
        ("realistic events, cold cache (mask_many)", len(raws),
         lambda: masker.mask_many(raws)),
    ]
    print(f"\n{'path':<44}{'strings/s':>12}")
    for name, n, run in rows:
        print(f"{name:<44}{_median_rate(n, run, masker.clear_cache, repeat):>12,.0f}")
    hot = _median_rate(len(titles), lambda: [masker.mask_text(t) for t in titles], lambda: None, repeat)
    print(f"{'realistic titles, warm cache (mask_text)':<44}{hot:>12,.0f}")


def quality(repeat: int) -> None:
    config = Config(person_names=tuple(f"{f} {last}" for f in make_titles.LISTED_FIRST for last in make_titles.LISTED_LAST),
                    recognizers=(Recognizer("CUSTOMER_ID", make_titles.CUSTOMER_REGEX),))
    masker = Masker(config)
    rows = [json.loads(line) for line in (DATA / "titles.jsonl").read_text(encoding="utf-8").splitlines()]
    scores = evaluate(rows, masker.spans)
    print(f"\nlabelled set: {len(rows)} titles ({', '.join(sorted({str(r['kind']) for r in rows}))}), "
          f"{sum(len(r['spans']) for r in rows)} labelled spans")
    print(f"{'entity':<18}{'kind':<9}{'labelled':>9}{'recall':>8}{'found':>7}{'precision':>10}{'leaked chars':>14}")
    for entity, s in sorted(scores.items()):
        kind = "pattern" if entity in PATTERN_ENTITIES else "name"
        print(f"{entity:<18}{kind:<9}{s.labelled:>9}{s.recall:>8.3f}{s.predicted:>7}{s.precision:>10.3f}"
              f"{s.leaked_chars:>14}")
    pat = [s for e, s in scores.items() if e in PATTERN_ENTITIES]
    print(f"{'all pattern':<18}{'':<9}{sum(s.labelled for s in pat):>9}"
          f"{sum(s.found for s in pat) / max(1, sum(s.labelled for s in pat)):>8.3f}"
          f"{sum(s.predicted for s in pat):>7}"
          f"{sum(s.right for s in pat) / max(1, sum(s.predicted for s in pat)):>10.3f}"
          f"{sum(s.leaked_chars for s in pat):>14}")
    texts = [str(r["text"]) for r in rows]
    rate = _median_rate(len(texts), lambda: [masker.mask_text(t) for t in texts], masker.clear_cache, repeat)
    print(f"labelled titles (all distinct), cold cache: {rate:,.0f} strings/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--events", type=int, default=70_000)
    ap.add_argument("--distinct", type=int, default=3_000)
    args = ap.parse_args()
    start = time.perf_counter()
    masker = Masker(Config(person_names=tuple(f"{f} {last}" for f in FIRST for last in LAST)))
    print(f"masker set-up: {time.perf_counter() - start:.2f} s (Presidio, blank spaCy, offline)")
    speed(masker, args.events, args.distinct, args.repeat)
    quality(args.repeat)


if __name__ == "__main__":
    main()
