"""`run_analysis`: the one producer of an analysis folder. `tasklens analyze`, `tasklens demo` and the
dashboard's worker all call it, so each of them loads the same way (stores with `source_row`, imports
masked), honours the analyst's decisions kept in the folder, and audits the run inside it.

load every input -> mask imports -> drop events an earlier input held -> analyse -> write all outputs
(report.json, events.csv, report.html, log.xes, signers.json) and the audit entry, in one rename.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar

from tasklens.analyzer import decisions as dec
from tasklens.analyzer import exceptionmarks, signers
from tasklens.analyzer.loaders import Loaded, detect_format, load, store_events
from tasklens.analyzer.outputs import check_out, write_all
from tasklens.analyzer.pipeline import Params, Progress, analyze
from tasklens.analyzer.result import AnalysisResult
from tasklens.errors import BundleError, InputFormatError, TasklensError
from tasklens.events import SAME_EVENT
from tasklens.wording import plural

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from tasklens.events import Event, RawEvent
    from tasklens.signing import Roster
    from tasklens.storekey import Key

log = logging.getLogger(__name__)


class Cancelled(TasklensError):
    """The person who started the run cancelled it; nothing was written."""


class Masking(Protocol):
    """What masks imported events (tasklens.privacy.masker.Masker)."""

    def mask_many(self, raws: list[RawEvent]) -> list[Event]: ...

    def sharing(self) -> AbstractContextManager[None]: ...

    def ahead(self, strings: list[str]) -> None: ...


WARM_FROM = 16 << 20   # bytes of imports from which the masking workers start before the files are read


def _big_import(inputs: Inputs) -> bool:
    """Whether `inputs` are imports (not stores or bundles: those are masked) large enough that masking
    will share its work, so its workers may start while the files are still read."""
    try:
        if sum(p.stat().st_size for p in inputs.paths) < WARM_FROM:   # most runs: no file is read twice
            return False
        imports = [p for p in inputs.paths if (inputs.fmt or detect_format(p)) not in ("store", "bundle")]
        return sum(p.stat().st_size for p in imports) >= WARM_FROM
    except (TasklensError, OSError):   # loading says what is wrong, in its own words
        return False


@dataclass
class Inputs:
    """What to analyse and how to open it: the paths (files, not folders) and the options of each kind."""

    paths: Sequence[Path]
    fmt: str | None = None                          # force a format instead of detecting it
    skip_bad_rows: bool = False
    unsegment: bool = False                         # XES: segment the traces' events anew
    tz: tzinfo = timezone.utc                       # of imported times that carry none
    users: Callable[[str], str] = str               # imported user id -> what the analysis shows (pseudonym)
    private: X25519PrivateKey | None = None         # the analyst's key, for bundles
    roster: Roster | None = None                    # the enrolled signers, for bundles
    store_key: Key | None = None                    # opens stores (else the environment's key or the keyring)
    audit_as: str = ""                              # audit each store read under this action (e.g. "dashboard.analyze")
    params: Params = field(default_factory=Params)


@dataclass
class Run:
    """What one run did: the result, the files written and what the person running it should hear."""

    result: AnalysisResult
    files: dict[str, Path]
    inputs: int
    refused: list[str]                 # one line per input refused (a bundle that cannot be opened)
    skipped_rows: int
    duplicates: int                    # events an earlier input already held, counted once
    decisions: int                     # analyst decisions kept in the folder and honoured

    @property
    def notes(self) -> list[str]:
        """The run's sentences, then the result's."""
        return [n for n in (f"skipped {self.skipped_rows} malformed rows" if self.skipped_rows else "",
                            f"{plural(len(self.refused), 'input')} refused" if self.refused else "",
                            f"{self.duplicates} duplicate events counted once" if self.duplicates else "",
                            f"honoured {self.decisions} analyst decisions" if self.decisions else "") if n] \
            + self.result.summary.notes


def dedupe(events: list[Event]) -> tuple[list[Event], int]:
    """Drop events that an earlier input already held (same person, time and content)."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    same = attrgetter("user", *SAME_EVENT)
    for e in events:
        key = same(e)
        if key not in seen:
            seen.add(key)
            kept.append(e)
    return kept, len(events) - len(kept)


def _load(path: Path, i: Inputs, ahead: Callable[[list[str]], None] | None = None) -> Loaded:
    if i.fmt in (None, "store") and (i.store_key is not None or i.audit_as):
        if (i.fmt or detect_format(path)) == "store":
            from tasklens.store import Store
            with (Store(path, i.store_key, create=False) if i.store_key is not None
                  else Store.open(path, create=False)) as store:
                events = store_events(store)
                if i.audit_as:
                    store.audit(i.audit_as, f"events={len(events)}")
            return Loaded(path, "store", events=events)
    return load(path, i.fmt, skip_bad_rows=i.skip_bad_rows, unsegment=i.unsegment, private=i.private,
                roster=i.roster, tz=i.tz, users=i.users, ahead=ahead)


P = ParamSpec("P")
R = TypeVar("R")


def _no_cycle_collection(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` with Python's cycle collector paused while it runs. The collector walks every live object each
    time their number grows by a quarter: as a million events were read, masked and labelled, ~3 s in the
    loader and ~1.5 s building events alone. Events, strings and arrays hold no cycles; reference counting
    frees them as ever, and what cycles a run makes are collected after it. Only a run on the main thread
    (the CLI's) pauses it: the collector is the process's, and a dashboard analysing on a worker thread goes
    on making its own cycles meanwhile."""
    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if threading.current_thread() is not threading.main_thread():
            return fn(*args, **kwargs)
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return paused


@_no_cycle_collection
def run_analysis(inputs: Inputs, out: Path, *, masker: Callable[[], Masking] | None,
                 decisions: dec.Decisions | None = None, progress: Progress | None = None,
                 cancel: Callable[[], bool] | None = None, on_refused: Callable[[str], None] | None = None) -> Run:
    """Analyse `inputs` into the folder `out` (replaced whole; refused before any work if it cannot be).

    `masker` makes the masker the first import needs (None: imports are refused, stores and bundles are
    masked already); `decisions` default to those kept in `out`; `progress(stage, done, total)` hears of
    each stage; `cancel()` true stops the run at the next stage with `Cancelled`, writing nothing. A bundle
    that cannot be opened is refused in one line (told to `on_refused` at once) and the others still load.
    """
    def report(stage: str, done: int, total: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled("analysis cancelled")
        if progress is not None:
            progress(stage, done, total)

    check_out(out)   # a folder that cannot be written is refused before the work, not after
    kept = dec.load(out) if decisions is None else decisions
    events: list[Event] = []
    cases: list[str] = []
    refused: list[str] = []
    skipped, all_cases = 0, True
    mask: Masking | None = None
    signed: set[str] = set()     # users proven by enrolled signers' bundles (their roster labels)
    unsigned: set[str] = set()   # users from inputs that prove nobody (CSV, XES, stores)
    ahead: Callable[[list[str]], None] | None = None
    with ExitStack() as workers:
        if masker is not None and _big_import(inputs):
            mask = masker()
            workers.enter_context(mask.sharing())
            ahead = mask.ahead   # the workers begin on the titles as the files are read
        for n, path in enumerate(inputs.paths, 1):
            report("loading", n - 1, len(inputs.paths))
            try:
                loaded = _load(path, inputs, ahead)
            except BundleError as e:   # one bad bundle must not stop a merge of many
                refused.append(str(e))
                (on_refused or log.warning)(str(e))
                continue
            skipped += len(loaded.bad_rows)
            batch = loaded.events
            if loaded.raws:
                if masker is None:
                    raise InputFormatError(f"{path}: imported events need masking and this run has no masker; "
                                           "give a store or bundle, or run `tasklens analyze`")
                mask = mask or masker()
                batch = mask.mask_many(loaded.raws)
                loaded.raws = []   # unmasked text is done with, not held through the analysis (~200 MB at a million)
            (signed if loaded.fmt == "bundle" else unsigned).update(e.user for e in batch)
            all_cases &= loaded.cases is not None
            if all_cases and loaded.cases:   # else no input's cases are used: an import of a million, no strings
                cases.extend(f"{path}:{c}" for c in loaded.cases)
            events.extend(batch)
    report("loading", len(inputs.paths), len(inputs.paths))
    if not events:
        raise InputFormatError(f"no events to analyse: {len(refused)} input(s) refused, the rest empty")
    duplicates = 0
    if len(inputs.paths) > 1 and not all_cases:
        events, duplicates = dedupe(events)
    analysis = analyze(events, inputs.params, progress=report, cases=cases if all_cases and cases else None,
                       decisions=kept, marks=exceptionmarks.load(out))
    report("writing outputs", 0, 1)
    files = write_all(analysis, out, audit_detail=f"inputs={len(inputs.paths)} events={len(analysis.events)} "
                                                  f"refused={len(refused)} duplicates={duplicates}",
                      also=lambda folder: signers.write(folder, signed - unsigned))   # in the same rename
    if progress is not None:
        progress("writing outputs", 1, 1)
    return Run(analysis.result, files, len(inputs.paths), refused, skipped, duplicates, kept.count())
