"""Exception instances: per task type, how far each instance strays from the type's usual flow, and why.

Four signals, each measured against the type's own instances (so a slow type is not an exception for
being slow, only an instance slow for its type):

- structure: transitions between steps (with a start and an end) that few *other* instances of the type
  take. A skipped, inserted or repeated step makes a transition the usual flow never has, while a rare
  but legitimate mix of optional steps and loops is made of transitions that are each common. This is
  the likelihood view of a first-order model, counted rather than multiplied so one odd step is enough.
  The reason then aligns the instance to its nearest frequent variant to say which steps were skipped,
  inserted or repeated;
- time: the instance's time against the usual time *for its own steps* (the sum of the type's median
  gap before each step), as a robust z-score of the log ratio (median and MAD), so a long loop is not
  slow and a short variant not fast;
- application: an application few other instances of the type use;
- pause: one gap far above the type's usual gap before that step (robust z of the log ratio).

Combining: each signal is divided by its own threshold and the score is the largest quotient, so a score
of 1 or more is flagged and the reason names every signal at or above 1. An Isolation Forest over the
same four signals was the alternative; it needs the share of anomalies as a parameter (the very rate
this module measures), gives no per-signal reason, and on a type of a few dozen instances its scores are
noisy. bench/exceptions.py measures both on injected anomalies (10 seeds, two generators): this score
F1 0.996 with 0.01 % of untouched instances flagged; the forest F1 0.893 with 3.2 % flagged.

Pure logic on plain sequences (labels, applications, timestamps), so it can be fed from any analysis.
"""

from __future__ import annotations

import difflib
import math
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

START, END = "\x02start", "\x03end"
KINDS = ("skipped", "inserted", "repeated", "application", "slow", "fast", "pause")


@dataclass(frozen=True, slots=True)   # one per instance of a type: the largest type of an organisation has many
class Instance:
    """One task instance: its steps as activity labels, the application of each, and when each began."""

    key: str
    steps: tuple[str, ...]
    apps: Sequence[str]
    times: Sequence[float]       # seconds, one per step, non-decreasing (a tuple, or array('d'): 8 bytes each)


@dataclass(frozen=True)
class Params:
    """Thresholds of the exception signals; each signal's score is its value over its threshold."""

    min_share: float = 0.02      # a transition fewer than this share of the other instances
    min_count: int = 2           # (and fewer than this many) take is unusual
    app_share: float = 0.05      # an application fewer than this share of the others use is rare
    usual_share: float = 0.05    # variants with this share of the type are the usual ones a reason aligns to
    z_time: float = 3.5          # robust z of log(time / usual time for these steps) that is flagged ...
    min_ratio: float = 1.8       # ... when also at least this many times (or this many times less than) usual
    z_pause: float = 4.0         # robust z of log(gap / usual gap before that step) that is a pause ...
    min_pause: float = 60.0      # ... if it is also at least this many seconds
    min_instances: int = 8       # a type with fewer instances has no usual flow to compare with: not scored
    mad_floor: float = 0.05      # MAD of log ratios is at least this (perfectly regular timings)


@dataclass(frozen=True, slots=True)   # one per scored instance
class Finding:
    """The verdict on one instance. `score` >= its signal's threshold in the type (1 by default) is an exception."""

    key: str
    score: float
    kinds: tuple[str, ...]       # the signals behind the score, from KINDS
    reason: str                  # "" when nothing stands out
    usual: tuple[str, ...]       # the usual variant it was compared with
    time_ratio: float            # its time / the usual time for its steps (1.0 = usual)
    signals: Mapping[str, float]  # structure, time, application, pause: each as a share of its threshold

    def flagged(self, threshold: float = 1.0) -> bool:
        return self.score >= threshold

    @property
    def signal(self) -> str:
        """The signal behind the score (structure, time, application or pause)."""
        return max(self.signals, key=lambda k: self.signals[k])


def _transitions(steps: Sequence[str]) -> set[tuple[str, str]]:
    seq = (START, *steps, END)
    return set(zip(seq, seq[1:]))


def _robust(values: np.ndarray, floor: float) -> tuple[float, float]:
    med = float(np.median(values))
    return med, max(1.4826 * float(np.median(np.abs(values - med))), floor)


def _gaps(inst: Instance) -> list[float]:
    return [max(b - a, 0.0) for a, b in zip(inst.times, inst.times[1:])]


def _names(steps: Sequence[str], most: int = 3) -> str:
    """"step 'A'", "steps 'A' and 'B'", "steps 'A', 'B', 'C' and 2 more"."""
    quoted = [f"'{s}'" for s in dict.fromkeys(steps)]
    shown, more = quoted[:most], len(quoted) - most
    body = (", ".join(shown) + f" and {more} more" if more > 0
            else shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1])
    return ("step " if len(quoted) == 1 else "steps ") + body


def duration(seconds: float) -> str:
    """A time as people read it: seconds below 90, else minutes."""
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


class _TypeModel:
    """What is usual for one task type, counted once over its instances."""

    def __init__(self, instances: Sequence[Instance], p: Params) -> None:
        self.p = p
        self.n = len(instances)
        self.trans: Counter[tuple[str, str]] = Counter()
        self.app_use: Counter[str] = Counter()
        # two passes over the instances, each read once: `instances` may build each as it is read
        variants: Counter[tuple[str, ...]] = Counter()
        # gaps as array('d') and numpy arrays, 8 bytes each: a list of floats took 32 (the largest type of an
        # organisation has millions of gaps)
        per_step: dict[str, array[float]] = {}
        for inst in instances:
            variants[inst.steps] += 1
            self.app_use.update(set(inst.apps))
            for step, gap in zip(inst.steps[1:], _gaps(inst)):
                per_step.setdefault(step, array("d")).append(gap)
        self.common = variants.most_common()
        least = max(p.min_count, p.usual_share * self.n)
        # the variants frequent enough to be usual, once: looking through every variant of the type for each
        # instance grew with instances x variants (20 s of a 2M-event analysis' 129, far more at 10M)
        self.frequent = [(v, c) for v, c in self.common if c >= least]
        self.least = least
        self.nearest: dict[tuple[str, ...], tuple[str, ...]] = {}   # each variant's nearest usual one
        for steps, count in self.common:   # each variant's transitions once, counted for its instances
            for t in _transitions(steps):
                self.trans[t] += count
        self.gap = {s: float(np.median(g)) for s, g in per_step.items()}
        del per_step
        self.floor = max(p.min_count, p.min_share * (self.n - 1))
        self.app_floor = max(p.min_count, p.app_share * (self.n - 1))
        ratios, logs = array("d"), array("d")
        for i in instances:
            ratios.append(self.ratio(i))
            logs.extend(math.log((g + 1) / (self.gap[s] + 1)) for s, g in zip(i.steps[1:], _gaps(i)))
        self.time_mid, self.time_spread = _robust(np.log(np.frombuffer(ratios)), p.mad_floor)
        self.gap_mid, self.gap_spread = _robust(np.frombuffer(logs) if len(logs) else np.zeros(1), p.mad_floor)

    def ratio(self, inst: Instance) -> float:
        usual = sum(self.gap.get(s, 0.0) for s in inst.steps[1:])
        took = inst.times[-1] - inst.times[0] if inst.times else 0.0
        return (took + 1.0) / (usual + 1.0)

    def _time(self, ratio: float) -> tuple[float, float]:
        """(time / the type's usual, the time signal) for a ratio of time to the usual time of the steps."""
        z = (math.log(ratio) - self.time_mid) / self.time_spread
        rel = math.exp(math.log(ratio) - self.time_mid)
        return rel, min(abs(z) / self.p.z_time, abs(math.log(rel)) / math.log(self.p.min_ratio))

    def usual_variants(self, own: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Frequent variants, not counting the instance itself; the most common other one at least."""
        keep = [v for v, c in self.frequent if c - (v == own) >= self.least]
        return keep or [v for v, c in self.common[:2] if c - (v == own) > 0][:1]

    def usual(self, own: tuple[str, ...]) -> tuple[str, ...]:
        """The usual variant nearest to `own` (the same for every instance of that variant, found once)."""
        if own not in self.nearest:
            self.nearest[own] = min(self.usual_variants(own), key=lambda v: _distance(v, own), default=())
        return self.nearest[own]

    def score(self, inst: Instance) -> Finding:
        p = self.p
        padded = (START, *inst.steps, END)
        odd = {k for k, t in enumerate(zip(padded, padded[1:])) if self.trans[t] - 1 < self.floor}
        rare_apps = [a for a in dict.fromkeys(inst.apps) if self.app_use[a] - 1 < self.app_floor]
        rel, time_sig = self._time(self.ratio(inst))
        pause_sig, pause_at, pause_len = 0.0, "", 0.0
        for step, gap in zip(inst.steps[1:], _gaps(inst)):
            zg = (math.log((gap + 1) / (self.gap.get(step, 0.0) + 1)) - self.gap_mid) / self.gap_spread
            if gap >= p.min_pause and zg / p.z_pause > pause_sig:
                pause_sig, pause_at, pause_len = zg / p.z_pause, step, gap
        signals = {"structure": float(len(odd)), "time": time_sig,
                   "application": float(len(rare_apps)), "pause": pause_sig}
        usual = self.usual(inst.steps)
        kinds: list[str] = []
        parts: list[str] = []
        if odd or rare_apps:
            k, text = _describe(usual, inst, odd, rare_apps, self.n - 1, self.app_use)
            kinds += k
            parts += text
        if pause_sig >= 1:
            kinds.append("pause")
            parts.append(f"a pause of {duration(pause_len)} before '{pause_at}'")
            usual_time = sum(self.gap.get(s, 0.0) for s in inst.steps[1:])
            without = (inst.times[-1] - inst.times[0] - pause_len + self.gap.get(pause_at, 0.0) + 1) / (usual_time + 1)
            time_sig = min(time_sig, self._time(without)[1])   # slow only because of the pause: the pause is the reason
            signals["time"] = time_sig
        if time_sig >= 1:
            kinds.append("slow" if rel > 1 else "fast")
            parts.append(f"{rel:.1f}x the usual time")
        return Finding(inst.key, round(max(signals.values()), 3), tuple(dict.fromkeys(kinds)), "; ".join(parts),
                       usual, round(rel, 3), signals)


def _distance(a: Sequence[str], b: Sequence[str]) -> int:
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def _describe(usual: tuple[str, ...], inst: Instance, odd: set[int], rare_apps: Sequence[str], others: int,
              app_use: Counter[str]) -> tuple[list[str], list[str]]:
    """Which steps were skipped, inserted or repeated against the usual variant, and which rare applications.
    Only differences next to an unusual transition count (transition k leads into step k, 0-based, of
    the instance): the others are optional steps and loops the usual variant happens not to share."""
    skipped: list[str] = []
    inserted: list[str] = []
    repeated: list[str] = []
    ops = difflib.SequenceMatcher(None, usual, inst.steps, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" or odd.isdisjoint(range(j1, j2 + 1)):
            continue
        if tag in ("delete", "replace"):
            skipped += usual[i1:i2]
        if tag not in ("insert", "replace"):
            continue
        for j in range(j1, j2):
            step = inst.steps[j]
            if inst.apps[j] in rare_apps:
                continue
            nearby = set(inst.steps[max(j - 1, 0):j]) | set(usual[max(i1 - 1, 0):i1 + 1])
            (repeated if step in nearby else inserted).append(step)
    kinds: list[str] = []
    text: list[str] = []
    for kind, steps in (("skipped", skipped), ("inserted", inserted), ("repeated", repeated)):
        if steps:
            kinds.append(kind)
            text.append(f"{_names(steps)} {kind}")
    for app in rare_apps:
        kinds.append("application")
        steps = [s for s, a in zip(inst.steps, inst.apps) if a == app]
        text.append(f"{_names(steps)} in '{app}', an application {app_use[app] - 1} of {others} other "
                    "instances of this type use")
    return kinds, text


class Built(Sequence[Instance]):
    """Instances built as they are read, each whole by construction (steps, apps and times alike long, none
    empty), so scoring does not read them all once more to check."""


def _usable(instances: Sequence[Instance]) -> Sequence[Instance]:
    """The instances that can be scored (steps, apps and times alike long); `instances` itself when all
    are, so a lazy sequence (one type of an organisation, built an instance at a time) stays lazy."""
    def ok(i: Instance) -> bool:
        return bool(i.steps) and len(i.steps) == len(i.apps) == len(i.times)
    return instances if isinstance(instances, Built) or all(map(ok, instances)) else [i for i in instances if ok(i)]


def score_type(instances: Sequence[Instance], p: Params = Params()) -> list[Finding]:
    """A finding per instance of one task type, in input order; empty when the type is too small to judge."""
    usable = _usable(instances)
    if len(usable) < p.min_instances:
        return []
    model = _TypeModel(usable, p)
    return [model.score(i) for i in usable]


def threshold(decided: Sequence[tuple[float, bool]], default: float = 1.0) -> float:
    """The type's threshold after an analyst's marks (score, is_exception): the one that contradicts the
    fewest marks, nearest the default among equals. Marking flagged instances "normal" raises it,
    marking unflagged ones "exception" lowers it."""
    if not decided:
        return default
    options = {default} | {s for s, _ in decided} | {s * 1.001 + 1e-9 for s, _ in decided}
    def wrong(t: float) -> int:
        return sum(1 for s, exc in decided if (s >= t) != exc)
    return min(options, key=lambda t: (wrong(t), abs(math.log(max(t, 1e-9) / default))))


def exceptions(findings: Sequence[Finding], marks: Mapping[str, bool], limits: Mapping[str, float]) -> list[Finding]:
    """The exception instances: flagged at the limit of their signal (1 where `limits` has none) unless an
    analyst marked them normal, plus those marked exception (by key)."""
    return [f for f in findings if marks.get(f.key, f.flagged(limits.get(f.signal, 1.0)))]


KIND_WORDS = {"skipped": "with steps skipped", "inserted": "with extra steps", "repeated": "with steps repeated",
              "application": "in another application", "slow": "slower than usual", "fast": "faster than usual",
              "pause": "with a long pause", "": "marked by the analyst"}


@dataclass(frozen=True)
class Review:
    """One task type's findings after the analyst's marks: the thresholds they moved and the exceptions."""

    findings: list[Finding]        # of its exceptions and of the instances the analyst marked, in input order
    thresholds: dict[str, float]   # per signal, where marks moved it from 1
    exceptions: list[Finding]
    marks: dict[str, str]        # instance key -> "exception" | "normal", those about this type's instances
    scored: int | None = None    # instances scored (None: len(findings))

    @property
    def judged(self) -> int:
        """How many of the type's instances were scored (0: too few to judge)."""
        return len(self.findings) if self.scored is None else self.scored

    @property
    def rate(self) -> float:
        """The share of the type's scored instances that are exceptions (a bot would hand them back)."""
        return len(self.exceptions) / self.judged if self.judged else 0.0

    def slim(self) -> Review:
        """The review without a finding per instance: what the candidates and the report read once the cases
        are listed (the rate, the exceptions), so an organisation's analysis does not hold a finding for
        every instance of every type until the end."""
        return replace(self, findings=[], scored=self.judged)

    def looks_like(self, most: int = 3) -> str:
        """What the exceptions look like, the commonest kinds first: "5 with steps skipped, 3 slower than usual"."""
        kinds = Counter(f.kinds[0] if f.kinds else "" for f in self.exceptions)
        return ", ".join(f"{n} {KIND_WORDS.get(k, k)}" for k, n in kinds.most_common(most))


def review(instances: Sequence[Instance], marks: Mapping[str, str], p: Params = Params()) -> Review:
    """Score a type's instances, move its thresholds by the analyst's marks on them, and list its exceptions.
    `marks` maps instance keys to "exception" or "normal" (marks about other instances are ignored). Each
    signal has its own threshold, moved only by marks on cases that signal scored: calling long cases
    normal for this type does not excuse skipped steps. The review keeps the findings of the exceptions
    and the marked instances only: the largest type of an organisation has millions of instances, and a
    finding for each (some 500 bytes) was the streamed analysis' peak (`instances` may be a lazy sequence
    that builds each instance as it is read: it is read once per pass, never held)."""
    usable = _usable(instances)
    if len(usable) < p.min_instances:
        return Review([], {}, [], {})
    model = _TypeModel(usable, p)
    marked = {i.key: model.score(i) for i in usable if marks.get(i.key) in ("exception", "normal")} if marks else {}
    own = {k: marks[k] for k in marked}
    decided: dict[str, list[tuple[float, bool]]] = {}
    for k, f in marked.items():
        decided.setdefault(f.signal, []).append((f.score, own[k] == "exception"))
    limits = {signal: threshold(d) for signal, d in decided.items()}
    verdict = {k: m == "exception" for k, m in own.items()}
    kept = [f for f in (marked.get(i.key) or model.score(i) for i in usable)
            if f.key in own or f.flagged(limits.get(f.signal, 1.0))]
    return Review(kept, {s: t for s, t in limits.items() if t != 1.0}, exceptions(kept, verdict, limits), own,
                  scored=len(usable))


def instances_of(task: Sequence[int], activity: Sequence[int], ts: Sequence[float], apps: Sequence[str],
                 labels: Sequence[str], keys: Mapping[int, str]) -> dict[int, Instance]:
    """Per task instance id (>= 0 in `task`, one per event) its steps, applications and times from per-event
    columns, in time order; `keys` names each instance (how marks find it again)."""
    events: dict[int, list[int]] = {}
    for k, t in enumerate(task):
        if t >= 0:
            events.setdefault(int(t), []).append(k)
    out = {}
    for t, ks in events.items():
        ks.sort(key=lambda k: ts[k])
        out[t] = Instance(keys.get(t, str(t)), tuple(labels[activity[k]] for k in ks), tuple(apps[k] for k in ks),
                          tuple(float(ts[k]) for k in ks))
    return out
