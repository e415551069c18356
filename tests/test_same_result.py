"""The same log gives the same analysis whatever its people are called: pseudonyms are drawn afresh for each
analysis, so nothing that finds instances may follow their order (a log of bench/uilog_families.py that
gave 674, 683 and 674 instances in three output folders before the pooled pass ordered people by their data)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import uilog_families as fam  # bench/uilog_families.py
from fakes import unmasked

from tasklens.analyzer.loaders import load_tasklens_csv
from tasklens.analyzer.pipeline import analyze


def test_renaming_people_changes_no_instance(tmp_path: Path) -> None:
    csv, _ = fam.write(fam.generate("interleaved", 0), tmp_path / "log.csv")
    events = unmasked(load_tasklens_csv(csv).raws)   # masking is not what this is about
    people = sorted({e.user for e in events})
    found = []
    for names in (people, people[::-1], people[1:] + people[:1]):   # three orders of the same people
        alias = {p: f"p{k:02d}" for k, p in enumerate(names)}
        result = analyze([replace(e, user=alias[e.user]) for e in events]).result
        back = {v: k for k, v in alias.items()}
        found.append(sorted((back[i.user], i.start, i.events) for i in result.instances))
    assert len(found[0]) > 400
    assert found[1] == found[0] and found[2] == found[0]
