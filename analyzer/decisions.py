"""Analyst decisions about one analysis: accepted, rejected or renamed candidates, the analyst's bot effort
for a candidate, candidates a bot took over (automated), merged or split task types.

They live beside the analysis as `decisions.json`, written by the dashboard and read by the next analysis
of the same data. Ids (candidate `C01`, task type numbers) change when an analysis is re-run, so each
decision keeps a *signature*: the activity steps of the most common variant it was about. The next
analysis and the dashboard match decisions by signature only, never by id. Pure data and JSON; no Qt,
no store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from tasklens.analyzer.candidates import Candidate
from tasklens.errors import InputFormatError
from tasklens.files import atomic_write

FILE = "decisions.json"
VERSION = 2          # 2: candidates are a list keyed by signature (1: an object keyed by candidate id);
                     # effort_hours and automated are optional fields within 2 (a reader without them skips them)
STATUSES = ("accepted", "rejected", "open")

Steps = tuple[str, ...]


@dataclass
class CandidateDecision:
    """What the analyst decided about one candidate, found again by `signature` in any later analysis."""

    status: str = "open"          # accepted | rejected | open
    name: str = ""                # the analyst's name for it ("" keeps the analyzer's)
    signature: Steps = ()         # the steps of its type's most common variant; () only in old files: never matched
    id: str = ""                  # the candidate's id when the decision was taken (for people reading the file)
    effort_hours: float | None = None   # the analyst's estimate of the hours to build its bot (None: the model's)
    automated: bool = False             # a bot took it over: `tasklens compare` measures the hours it saved


@dataclass
class Merge:
    """Task types joined into one; found by their signatures, never by ids (ids change between runs)."""

    types: list[int]              # the ids when the merge was made (for people reading the file)
    signatures: list[Steps] = field(default_factory=list)
    name: str = ""


@dataclass
class Split:
    """Variants (by their steps) that leave their task type and form a new one."""

    type: int
    variants: list[Steps]
    name: str = ""


@dataclass
class Decisions:
    """All of an analyst's decisions about one analysis folder (decisions.json)."""

    candidates: list[CandidateDecision] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)

    # -- candidates: one decision per signature ----------------------------------------------------
    def about(self, signature: Steps) -> CandidateDecision | None:
        """The decision about the candidate with these main steps, if any."""
        signature = tuple(signature)
        return next((d for d in self.candidates if signature and d.signature == signature), None)

    def _candidate(self, signature: Steps, cid: str) -> CandidateDecision:
        if not signature:
            raise ValueError("a candidate decision needs the candidate's signature (its main steps)")
        d = self.about(signature)
        if d is None:
            d = CandidateDecision(signature=tuple(signature))
            self.candidates.append(d)
        d.id = cid or d.id
        return d

    def set_status(self, signature: Steps, status: str, *, cid: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        self._candidate(signature, cid).status = status

    def rename(self, signature: Steps, name: str, *, cid: str = "") -> None:
        self._candidate(signature, cid).name = name.strip()

    def set_effort(self, signature: Steps, hours: float | None, *, cid: str = "") -> None:
        """The analyst's build effort for the candidate's bot, in hours (None: back to the model's)."""
        if hours is not None and not hours > 0:
            raise ValueError(f"effort must be a positive number of hours, not {hours!r}")
        self._candidate(signature, cid).effort_hours = hours

    def set_automated(self, signature: Steps, automated: bool, *, cid: str = "") -> None:
        """Mark the candidate (or task type) with these main steps as taken over by a bot, or no longer."""
        self._candidate(signature, cid).automated = automated

    def effort(self, signature: Steps) -> float | None:
        """The analyst's build hours for the candidate's bot (None: the model's estimate stands)."""
        d = self.about(signature)
        return d.effort_hours if d else None

    def automated(self, signature: Steps) -> bool:
        d = self.about(signature)
        return d.automated if d else False

    def status(self, signature: Steps) -> str:
        d = self.about(signature)
        return d.status if d else "open"

    def name(self, signature: Steps, default: str) -> str:
        d = self.about(signature)
        return d.name if d and d.name else default

    def confirmed(self, signature: Steps) -> bool:
        """Whether a person accepted this candidate (its figures were looked at and kept)."""
        return self.status(signature) == "accepted"

    # -- task types ------------------------------------------------------------------------------
    def merge(self, types: list[int], signatures: list[Steps], name: str = "") -> None:
        if len(set(types)) < 2:
            raise ValueError("a merge needs at least two different task types")
        if len(signatures) != len(types) or not all(signatures):
            raise ValueError("a merge needs the signature (main steps) of every task type it joins")
        self.merges.append(Merge(list(types), [tuple(s) for s in signatures], name.strip()))

    def split(self, type_id: int, variants: list[Steps], name: str = "") -> None:
        if not variants:
            raise ValueError("a split needs at least one variant to move out")
        self.splits.append(Split(type_id, [tuple(v) for v in variants], name.strip()))

    def count(self) -> int:
        """How many decisions there are (open candidates without a name do not count)."""
        return (sum(1 for d in self.candidates
                    if d.status != "open" or d.name or d.effort_hours is not None or d.automated)
                + len(self.merges) + len(self.splits))

    def as_json(self) -> dict[str, object]:
        return {"version": VERSION,
                "candidates": [asdict(d) | {"signature": list(d.signature)} for d in self.candidates],
                "merges": [asdict(m) | {"signatures": [list(s) for s in m.signatures]} for m in self.merges],
                "splits": [asdict(s) | {"variants": [list(v) for v in s.variants]} for s in self.splits]}


def _steps(value: object, where: str) -> Steps:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError(f"{where}: expected a list of activity names")
    return tuple(value)


def from_json(data: object) -> Decisions:
    """Validate and build; raises ValueError naming the first bad entry. Version 1 files (candidates by id)
    read too; their decisions without a signature are kept but never matched (ids change between runs)."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if int(data.get("version", VERSION)) > VERSION:
        raise ValueError(f"version {data['version']} is newer than this tasklens understands ({VERSION})")
    raw = data.get("candidates", [])
    entries = [dict(d, id=str(k)) for k, d in raw.items()] if isinstance(raw, dict) else list(raw)
    out = Decisions()
    for d in entries:
        cid = str(d.get("id", ""))
        status = d.get("status", "open")
        if status not in STATUSES:
            raise ValueError(f"candidate {cid}: status {status!r} is not one of {', '.join(STATUSES)}")
        effort = d.get("effort_hours")
        if effort is not None and (isinstance(effort, bool) or not isinstance(effort, (int, float)) or effort <= 0):
            raise ValueError(f"candidate {cid}: effort_hours {effort!r} is not a positive number of hours")
        automated = d.get("automated", False)
        if not isinstance(automated, bool):
            raise ValueError(f"candidate {cid}: automated {automated!r} is not true or false")
        out.candidates.append(CandidateDecision(status, str(d.get("name", "")),
                                                _steps(d.get("signature", []), f"candidate {cid}"), cid,
                                                None if effort is None else float(effort), automated))
    for i, m in enumerate(data.get("merges", [])):
        out.merges.append(Merge([int(t) for t in m["types"]], [_steps(s, f"merge {i}") for s in m.get("signatures", [])],
                                str(m.get("name", ""))))
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


def automated_in(folders: Iterable[Path], types: Iterable[tuple[str, Steps]]) -> list[str]:
    """The names, among `types` (name or candidate id, main steps) of the earlier analysis, that an analyst
    marked automated in the decisions kept in any of `folders` (the earlier and the later analysis): what
    `tasklens compare` and the dashboard's Compare view measure as `--automated`. By signature only."""
    marked = {d.signature for f in folders for d in load(f).candidates if d.automated and d.signature}
    return [name for name, signature in types if tuple(signature) in marked]


# -- honouring decisions (pure functions; by signature only, never by id) ------------------------------
def _signature(members: list[int], variants: Sequence[tuple[int, ...]], weights: Sequence[int],
               labels: Sequence[str]) -> Steps:
    best = max(members, key=lambda v: weights[v])
    return tuple(labels[a] for a in variants[best])


def apply_to_types(variant_type: np.ndarray, variants: Sequence[tuple[int, ...]], weights: Sequence[int],
                   labels: Sequence[str], decisions: Decisions) -> np.ndarray:
    """Task type per variant after the analyst's splits and merges, renumbered largest first.

    A split moves the variants it names (by their steps) into a new type; a merge joins the types whose
    main variant matches one of its signatures. A merge recorded without signatures (an old file) is not
    applied: its type ids belonged to another run.
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
        joined = [t for t in members if sig[t] in set(m.signatures)]
        for t in joined[1:]:
            out[out == t] = joined[0]
    size: dict[int, int] = {}
    for t, w in zip(out.tolist(), weights):
        size[t] = size.get(t, 0) + int(w)
    rank = {t: i for i, t in enumerate(sorted(size, key=lambda t: (-size[t], t)))}
    return np.array([rank[t] for t in out.tolist()], dtype=np.int64)


def merge_map(type_signatures: Mapping[int, Steps], decisions: Decisions) -> dict[int, int]:
    """Task type id -> the id it joins, for the merges not yet in an analysis whose types have these
    signatures (a merge the analysis already applied left one of its signatures: nothing to do again)."""
    out: dict[int, int] = {}
    for m in decisions.merges:
        wanted = set(m.signatures)
        joined = sorted(t for t, sig in type_signatures.items() if sig in wanted)
        root = min((out.get(t, t) for t in joined), default=-1)
        for t in joined:
            if t != root:
                out[t] = root
    for t in list(out):
        while out[t] in out:
            out[t] = out[out[t]]
    return out


def candidate_decisions(candidates: Iterable[Candidate], decisions: Decisions) -> dict[Steps, CandidateDecision]:
    """The analyst's decision about each candidate that has one, by the candidate's signature: what the
    analyzer applies and what the dashboard shows, so a re-analysis that renumbers the candidates moves
    no decision to another one."""
    out = {}
    for c in candidates:
        d = decisions.about(c.signature)
        if d is not None:
            out[c.signature] = d
    return out
