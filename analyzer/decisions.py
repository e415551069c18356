"""Analyst decisions about one analysis: accepted, rejected or renamed candidates, merged or split task types.

They live beside the analysis as `decisions.json`, written by the dashboard and read by the next analysis
of the same data. Ids (candidate `C01`, task type numbers) change when an analysis is re-run, so each
decision also keeps a *signature*: the activity steps of the most common variant it was about. The next
analysis matches decisions by signature first, id second. Pure data and JSON; no Qt, no store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from tasklens.errors import InputFormatError
from tasklens.files import atomic_write

FILE = "decisions.json"
VERSION = 1
STATUSES = ("accepted", "rejected", "open")

Steps = tuple[str, ...]


@dataclass
class CandidateDecision:
    status: str = "open"          # accepted | rejected | open
    name: str = ""                # the analyst's name for it ("" keeps the analyzer's)
    signature: Steps = ()


@dataclass
class Merge:
    types: list[int]              # merged into the first
    signatures: list[Steps] = field(default_factory=list)
    name: str = ""


@dataclass
class Split:
    type: int
    variants: list[Steps]         # these variants leave the type and form a new one
    name: str = ""


@dataclass
class Decisions:
    candidates: dict[str, CandidateDecision] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)

    # -- candidates ----------------------------------------------------------------------------
    def _candidate(self, cid: str, signature: Steps) -> CandidateDecision:
        d = self.candidates.setdefault(cid, CandidateDecision())
        if signature:
            d.signature = tuple(signature)
        return d

    def set_status(self, cid: str, status: str, signature: Steps = ()) -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        self._candidate(cid, signature).status = status

    def rename(self, cid: str, name: str, signature: Steps = ()) -> None:
        self._candidate(cid, signature).name = name.strip()

    def status(self, cid: str) -> str:
        d = self.candidates.get(cid)
        return d.status if d else "open"

    def name(self, cid: str, default: str) -> str:
        d = self.candidates.get(cid)
        return d.name if d and d.name else default

    def confirmed(self, cid: str) -> bool:
        """Whether a person accepted this candidate (its figures were looked at and kept)."""
        return self.status(cid) == "accepted"

    # -- task types ------------------------------------------------------------------------------
    def merge(self, types: list[int], signatures: list[Steps] | None = None, name: str = "") -> None:
        if len(set(types)) < 2:
            raise ValueError("a merge needs at least two different task types")
        self.merges.append(Merge(list(types), [tuple(s) for s in signatures or []], name.strip()))

    def split(self, type_id: int, variants: list[Steps], name: str = "") -> None:
        if not variants:
            raise ValueError("a split needs at least one variant to move out")
        self.splits.append(Split(type_id, [tuple(v) for v in variants], name.strip()))

    def type_map(self) -> dict[int, int]:
        """Task type id -> the id it was merged into (chains followed)."""
        out: dict[int, int] = {}
        for m in self.merges:
            root = out.get(m.types[0], m.types[0])
            for t in m.types[1:]:
                out[t] = root
        for t in list(out):
            while out[t] in out and out[out[t]] != out[t]:
                out[t] = out[out[t]]
        return out

    def count(self) -> int:
        """How many decisions there are (open candidates without a name do not count)."""
        return (sum(1 for d in self.candidates.values() if d.status != "open" or d.name)
                + len(self.merges) + len(self.splits))

    def as_json(self) -> dict[str, object]:
        return {"version": VERSION,
                "candidates": {k: asdict(v) | {"signature": list(v.signature)} for k, v in self.candidates.items()},
                "merges": [asdict(m) | {"signatures": [list(s) for s in m.signatures]} for m in self.merges],
                "splits": [asdict(s) | {"variants": [list(v) for v in s.variants]} for s in self.splits]}


def _steps(value: object, where: str) -> Steps:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError(f"{where}: expected a list of activity names")
    return tuple(value)


def from_json(data: object) -> Decisions:
    """Validate and build; raises ValueError naming the first bad entry."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if int(data.get("version", VERSION)) > VERSION:
        raise ValueError(f"version {data['version']} is newer than this tasklens understands ({VERSION})")
    out = Decisions()
    for cid, d in dict(data.get("candidates", {})).items():
        status = d.get("status", "open")
        if status not in STATUSES:
            raise ValueError(f"candidate {cid}: status {status!r} is not one of {', '.join(STATUSES)}")
        out.candidates[str(cid)] = CandidateDecision(status, str(d.get("name", "")),
                                                     _steps(d.get("signature", []), f"candidate {cid}"))
    for i, m in enumerate(data.get("merges", [])):
        types = [int(t) for t in m["types"]]
        out.merge(types, [_steps(s, f"merge {i}") for s in m.get("signatures", [])], str(m.get("name", "")))
    for i, s in enumerate(data.get("splits", [])):
        out.split(int(s["type"]), [_steps(v, f"split {i}") for v in s["variants"]], str(s.get("name", "")))
    return out


def load(analysis_dir: Path) -> Decisions:
    """The decisions kept with an analysis (none yet: empty)."""
    path = Path(analysis_dir) / FILE
    if not path.exists():
        return Decisions()
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputFormatError(f"{path}: bad analyst decisions ({e}); fix or delete the file") from None


def save(analysis_dir: Path, decisions: Decisions) -> Path:
    """Write atomically (mode 0600), so a crash never leaves half a file."""
    return atomic_write(Path(analysis_dir) / FILE, json.dumps(decisions.as_json(), indent=2) + "\n")


# -- honouring decisions in the next analysis (pure functions over the pipeline's arrays) ------------
def _signature(members: list[int], variants: Sequence[tuple[int, ...]], weights: Sequence[int],
               labels: Sequence[str]) -> Steps:
    best = max(members, key=lambda v: weights[v])
    return tuple(labels[a] for a in variants[best])


def apply_to_types(variant_type: np.ndarray, variants: Sequence[tuple[int, ...]], weights: Sequence[int],
                   labels: Sequence[str], decisions: Decisions) -> np.ndarray:
    """Task type per variant after the analyst's splits and merges, renumbered largest first.

    A split moves the variants it names (by their steps) into a new type; a merge joins the types whose
    main variant matches one of its signatures (or, for decisions without signatures, its type ids).
    """
    out = variant_type.copy()
    steps = [tuple(labels[a] for a in v) for v in variants]
    for s in decisions.splits:
        moved = [i for i, st in enumerate(steps) if st in set(s.variants)]
        if moved:
            out[moved] = out.max() + 1
    for m in decisions.merges:
        members: dict[int, list[int]] = {}
        for i, t in enumerate(out.tolist()):
            members.setdefault(t, []).append(i)
        sig = {t: _signature(vs, variants, weights, labels) for t, vs in members.items()}
        wanted = set(m.signatures)
        joined = [t for t in members if sig[t] in wanted] if wanted else [t for t in m.types if t in members]
        for t in joined[1:]:
            out[out == t] = joined[0]
    size: dict[int, int] = {}
    for t, w in zip(out.tolist(), weights):
        size[t] = size.get(t, 0) + int(w)
    rank = {t: i for i, t in enumerate(sorted(size, key=lambda t: (-size[t], t)))}
    return np.array([rank[t] for t in out.tolist()], dtype=np.int64)


def match_candidate(decisions: Decisions, cid: str, signature: Steps) -> CandidateDecision | None:
    """The decision about a candidate: by its main variant's steps, else by id when none was recorded."""
    for d in decisions.candidates.values():
        if d.signature and d.signature == signature:
            return d
    by_id = decisions.candidates.get(cid)
    return by_id if by_id is not None and not by_id.signature else None
