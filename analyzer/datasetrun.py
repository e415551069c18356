"""The merged dataset as `tasklens merge` and `tasklens analyze DATASET` use it: what loads an input on a
merge worker, and the analysis of a dataset into an analysis folder by an engine chosen by name.

A merge loads inputs on worker processes (`dataset.merge`), so what loads one must travel to them: the
analyst key as raw bytes, the roster as its path, the masker as a factory each worker calls once.

An analysis of a dataset writes the files of `tasklens analyze` that are about the result: report.json,
report.html, signers.json, and usage.json (each application's use, which the admin report reads instead
of events.csv). It writes no events.csv or log.xes: at organisation scale the per-event file is the
dataset itself, and a 10M-row CSV nobody opens would cost minutes and gigabytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tasklens.analyzer import decisions as dec
from tasklens.analyzer import exceptionmarks, signers
from tasklens.analyzer.aggregate import write_usage
from tasklens.analyzer.dataset import Dataset, Events
from tasklens.analyzer.outputs import check_out, write_result
from tasklens.analyzer.pipeline import Params, Progress
from tasklens.errors import BundleError, InputFormatError

if TYPE_CHECKING:
    from tasklens.analyzer.run import Masking
    from tasklens.analyzer.stream import Streamed


class Engine(Protocol):
    """What analyses a dataset (`stream.analyze_dataset`, embedded; `spark_engine`, on Spark)."""

    def __call__(self, ds: Dataset, params: Params | None = None, progress: Progress | None = None,
                 decisions: dec.Decisions | None = None, marks: Mapping[str, str] | None = None,
                 cancel: Callable[[], bool] | None = None) -> Streamed: ...


_masker: Masking | None = None   # one per merge worker process, made at its first import to mask


@dataclass(frozen=True)
class InputLoader:
    """Loads and masks one input on a merge worker: (format, masked events, bad rows), or why it was refused."""

    fmt: str | None = None                   # force a format instead of detecting it
    skip_bad_rows: bool = False
    tz: tzinfo = timezone.utc                # of imported times that carry none
    users: Callable[[str], str] = str        # imported user id -> pseudonym (picklable)
    private: bytes | None = None             # the analyst's X25519 key, raw, for bundles
    roster: Path | None = None               # the enrolled signers, for bundles
    masker: Callable[[], Masking] | None = field(default=None, compare=False)   # picklable factory

    def __call__(self, path: Path) -> tuple[str, Events, int] | str:
        global _masker
        from tasklens.analyzer.loaders import load
        from tasklens.signing import load_roster

        private = None
        if self.private is not None:
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
            private = X25519PrivateKey.from_private_bytes(self.private)
        try:
            loaded = load(path, self.fmt, skip_bad_rows=self.skip_bad_rows, unsegment=True, private=private,
                          roster=load_roster(self.roster) if self.roster is not None else None, tz=self.tz,
                          users=self.users, columns=True)
        except BundleError as e:   # one bad bundle must not stop a merge of many
            return str(e)
        if loaded.table is not None:   # a bundle: its columns, written as they are
            return loaded.fmt, loaded.table, len(loaded.bad_rows)
        events = loaded.events
        if loaded.raws:
            if self.masker is None:
                raise InputFormatError(f"{path}: imported events need masking and this merge has no masker")
            _masker = _masker or self.masker()
            events = _masker.mask_many(loaded.raws)
        return loaded.fmt, events, len(loaded.bad_rows)


@dataclass(frozen=True)
class Analysed:
    """What an analysis of a dataset did: its result and what the person running it should hear."""

    streamed: Streamed
    files: dict[str, Path]
    decisions: int

    @property
    def notes(self) -> list[str]:
        s = self.streamed
        return ([f"{s.duplicates} duplicate events counted once"] if s.duplicates else []) \
            + ([f"honoured {self.decisions} analyst decisions"] if self.decisions else []) + s.result.summary.notes


def analyze_merged(folder: Path, out: Path, engine: Engine, params: Params | None = None,
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> Analysed:
    """Analyse the dataset in `folder` with `engine` into the analysis folder `out` (replaced whole, refused
    before any work if it cannot be), honouring the decisions and exception marks kept there."""
    check_out(out)
    ds = Dataset(folder)
    if not ds.inputs:
        raise InputFormatError(f"{folder}: the dataset is empty: merge inputs into it first (tasklens merge)")
    kept = dec.load(out)
    done = engine(ds, params or Params(), progress, kept, exceptionmarks.load(out), cancel)
    if progress is not None:
        progress("writing outputs", 0, 1)

    def also(tmp: Path) -> None:
        signers.write(tmp, done.signed)
        write_usage(tmp, done.usage)

    s = done.result.summary
    files = write_result(done.result, out, f"dataset={Path(folder).resolve()} inputs={len(ds.inputs)} "
                                            f"events={s.events} duplicates={done.duplicates}", None, also)
    if progress is not None:
        progress("writing outputs", 1, 1)
    return Analysed(done, files, kept.count())
