"""Recall and precision of the masker per entity on labelled texts, and characters left unmasked.

A labelled span is found when a finding of the same entity overlaps it; a finding is right when it
overlaps a labelled span of its entity. `leaked_chars` counts labelled characters no finding of any
entity covers: the number that matters for privacy. `PERSON_UNLISTED` marks names no list holds;
they count as PERSON, reported apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Span = tuple[int, int, str]
ALIASES = {"PERSON_UNLISTED": "PERSON"}


@dataclass
class Score:
    """Counts for one entity: labelled spans, found, predicted, right, and labelled characters left unmasked."""

    labelled: int = 0
    found: int = 0
    predicted: int = 0
    right: int = 0
    leaked_chars: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(rows: Iterable[Mapping[str, object]], find: Callable[[str], list[Span]]) -> dict[str, Score]:
    """Score `find` (text -> spans) on rows of {"text", "spans": [[start, end, entity], ...]}."""
    scores: dict[str, Score] = defaultdict(Score)
    for row in rows:
        text = str(row["text"])
        spans = row["spans"]
        if not isinstance(spans, list):
            raise TypeError(f"spans must be a list, got {type(spans).__name__}")
        gold: list[Span] = [(int(s), int(e), str(t)) for s, e, t in spans]
        pred = find(text)
        covered = set().union(*(range(s, e) for s, e, _ in pred)) if pred else set()
        for s, e, label in gold:
            entity = ALIASES.get(label, label)
            sc = scores[label]
            sc.labelled += 1
            sc.found += any(t == entity and _overlap((s, e), (ps, pe)) for ps, pe, t in pred)
            sc.leaked_chars += sum(1 for i in range(s, e) if i not in covered and not text[i].isspace())
        for ps, pe, t in pred:
            sc = scores[t]
            sc.predicted += 1
            sc.right += any(ALIASES.get(label, label) == t and _overlap((s, e), (ps, pe)) for s, e, label in gold)
    return dict(scores)
