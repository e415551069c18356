"""The masker: the one place a `RawEvent` becomes a storable `Event`, with personal data replaced.

Every text field is masked: app, title, target, value and the UI element's path. An app column of an import can hold
anything (a phone number, a name, a path), and a process name costs one cached look-up; common app
names come through unchanged (tests/test_privacy_masker.py measures a list of them).

Titles are split on window-title separators (" - ", " | ", ...) and each part is analysed on its own:
parts like "Mozilla Thunderbird" repeat endlessly and hit the cache, and a pattern cannot run across
two parts (the `README.md` / `john.murphy` URL false positives). Whole strings and parts both sit in
LRU caches. Any failure on one string fails closed: the field becomes `<REDACTED>` and is counted.

An import whose titles are mostly distinct (a reference in every one) has hundreds of thousands of
strings to analyse; `mask_many` then masks them on another process beside this one (see `_share`).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import TYPE_CHECKING

from tasklens.config import Config
from tasklens.errors import MaskingError
from tasklens.events import Event, RawEvent

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult

log = logging.getLogger(__name__)

REDACTED = "<REDACTED>"
MAX_LENGTH = 10_000          # longer strings are redacted whole: no title is that long
CACHE_SIZE = 65_536
_SEPARATOR = re.compile(r"(?<!\d)( - | \| | — | – | · )(?!\d)")
_MIN_CHECKED = 4             # spans this long must not survive masking (a belt-and-braces check)
SHARE_FROM = 50_000          # distinct strings in one batch from which other processes mask some of them
_SHARE_CHUNK = 5_000         # strings per piece of work handed out


class _Unsafe(Exception):
    """A string that must be redacted whole; the message names why, never the text."""


class Masker:
    """Replace personal data in event fields with typed placeholders (`<EMAIL_ADDRESS>`, `<PERSON>`, ...)."""

    def __init__(self, config: Config) -> None:
        try:
            from presidio_anonymizer import AnonymizerEngine
            from presidio_anonymizer.entities import ConflictResolutionStrategy

            from tasklens.privacy.engine import LANGUAGE, build_analyzer, context_entities, entity_gates, no_tokens
            from tasklens.privacy.recognizers import has_phone_word, mask_bare_phone_runs
            self._phone_field = lru_cache(maxsize=4096)(has_phone_word)   # targets repeat endlessly
            self._bare_phones = mask_bare_phone_runs
            self._analyzer = build_analyzer(config)
            self._no_tokens = no_tokens(self._analyzer)
            self._context = context_entities(config)
            self._anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]  # Presidio's __init__ has no annotations
        except Exception as e:  # noqa: BLE001 - any set-up failure is one clear error
            raise MaskingError(f"cannot set up the masker ({type(e).__name__}: {e}); "
                               "reinstall tasklens with its presidio and spacy dependencies") from None
        self._strategy = ConflictResolutionStrategy.REMOVE_INTERSECTIONS
        self._language = LANGUAGE
        entities = sorted({e for r in self._analyzer.registry.recognizers for e in r.supported_entities})
        gates = entity_gates(self._analyzer)
        self._gated = [(e, gates[e]) for e in entities if e in gates]
        self._always = [e for e in entities if e not in gates]
        self._config = config
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._text = lru_cache(maxsize=CACHE_SIZE)(self._mask_uncached)
        self._segment = lru_cache(maxsize=CACHE_SIZE)(self._mask_segment)
        self._pool: ProcessPoolExecutor | None = None   # workers kept by `sharing`
        self._early: list[tuple[list[str], Future[tuple[list[str], Counter[str]]]]] = []   # `ahead`'s pieces

    @property
    def entities(self) -> list[str]:
        """Every entity type this masker replaces."""
        return sorted(self._always + [e for e, _ in self._gated])

    # -- public ---------------------------------------------------------------------------------
    def mask(self, raw: RawEvent) -> Event:
        """The masked event; never raises for a bad string (that field becomes `<REDACTED>`)."""
        return self._event(raw, self.mask_text)

    def mask_many(self, raws: Sequence[RawEvent]) -> list[Event]:
        """Mask a batch, each distinct string once (importers: titles repeat across rows)."""
        try:
            distinct = dict.fromkeys(s for r in raws for s in (r.app, r.title, r.target, r.value, r.element_path))
        except TypeError:   # an unhashable field: one by one, each field failing closed on its own
            return [self.mask(r) for r in raws]
        strings = list(distinct)
        masked = self._share(strings) if len(strings) >= SHARE_FROM or self._early else \
            dict(zip(strings, map(self.mask_text, strings)))
        self._counts["batch_duplicates"] += 5 * len(raws) - len(distinct)
        return [self._event(r, masked.__getitem__) for r in raws]

    def mask_text(self, text: str) -> str:
        """`text` with every recognised entity replaced by `<ENTITY_TYPE>`; `<REDACTED>` if that fails."""
        if text is None or text == "":
            return ""
        self._counts["strings"] += 1
        try:
            if not isinstance(text, str):
                raise _Unsafe("not a string")
            if len(text) > MAX_LENGTH:
                raise _Unsafe("too long")
            return self._text(text)
        except Exception as e:  # noqa: BLE001 - fail closed on anything
            self._counts["failures_redacted"] += 1
            why = str(e) if isinstance(e, _Unsafe) else type(e).__name__   # never the text itself
            log.warning("masking failed (%s); the string was redacted whole", why)
            return REDACTED

    def ahead(self, strings: list[str]) -> None:
        """Begin masking `strings` (an import's titles, read so far) on the workers of `sharing`, while the rest
        of the file is still read: the next `mask_many` takes their answers. Nothing without workers."""
        if self._pool is not None and strings:
            self._early.append((strings, self._pool.submit(_mask_piece, strings)))

    @contextmanager
    def sharing(self) -> Iterator[None]:
        """Start the masking workers now and keep them for this block: an import still parsing its file
        overlaps their start (each loads its own Presidio, 1-3 s), and `mask_many` of a big batch inside
        uses them. Stopped on leaving, whatever happened."""
        workers = _workers()
        if workers < 1 or self._pool is not None:
            yield
            return
        self._pool = _new_pool(workers, self._config)
        self._pool.submit(int)   # the workers start (and load their Presidio) at the first job
        try:
            yield
        finally:
            pool, self._pool, self._early = self._pool, None, []
            pool.shutdown(cancel_futures=True)

    def clear_cache(self) -> None:
        """Forget cached strings (benchmarks measure cold runs with it)."""
        self._text.cache_clear()
        self._segment.cache_clear()

    def stats(self) -> dict[str, int]:
        """Counters: strings masked, cache hits, distinct strings and parts analysed, failures redacted."""
        text, seg = self._text.cache_info(), self._segment.cache_info()
        out = {k: 0 for k in ("strings", "failures_redacted", "leak_check_redacted", "presidio_calls",
                              "batch_duplicates")}
        out.update(self._counts)   # with what workers counted (`_share`), their caches' figures too
        for key, n in (("cache_hits", text.hits), ("distinct_strings", text.misses),
                       ("segment_cache_hits", seg.hits), ("distinct_segments", seg.misses)):
            out[key] = out.get(key, 0) + n
        return out

    # -- inside ---------------------------------------------------------------------------------
    def _share(self, strings: list[str]) -> dict[str, str]:
        """`strings` masked, by this process and `os.cpu_count() - 1` spawned ones (at most 3), with the pieces
        `ahead` gave them first.

        Analysis of a distinct string costs ~50 us to ~2 ms, so a million of them are worth another core.
        The pieces are queued for the workers; this process takes them from the end, each not yet begun,
        while the workers load their own Presidio (1-3 s), unless `sharing` started them earlier. A worker
        that fails leaves its pieces to this process; each string fails closed on its own either way."""
        from concurrent.futures.process import BrokenProcessPool

        early, self._early = self._early, []
        begun = dict.fromkeys(s for piece, _ in early for s in piece)
        rest = [s for s in strings if s not in begun]
        pieces = [piece for piece, _ in early] + [rest[i:i + _SHARE_CHUNK] for i in range(0, len(rest), _SHARE_CHUNK)]
        workers = _workers()
        if workers < 1 or len(pieces) < 2:
            return {s: self.mask_text(s) for s in strings}
        done: list[list[str] | None] = [None] * len(pieces)
        with nullcontext(self._pool) if self._pool is not None else _new_pool(workers, self._config) as pool:
            try:
                futures = [f for _, f in early] + [pool.submit(_mask_piece, p) for p in pieces[len(early):]]
            except BrokenProcessPool:   # a started worker that failed: this process masks it all
                log.warning("the masking workers stopped; this process masks their strings")
                return {s: self.mask_text(s) for s in strings}
            for k in reversed(range(len(pieces))):
                if futures[k].cancel():     # not begun by a worker: this process masks it
                    done[k] = [self.mask_text(s) for s in pieces[k]]
            for k, future in enumerate(futures):
                if done[k] is None:
                    try:
                        done[k], counts = future.result()
                    except BrokenProcessPool:
                        log.warning("a masking worker stopped; this process masks its strings")
                        done[k] = [self.mask_text(s) for s in pieces[k]]
                    else:
                        self._counts.update(counts)
        return {s: m for piece, out in zip(pieces, done) if out is not None for s, m in zip(piece, out)}

    def _event(self, raw: RawEvent, mask: Callable[[str], str]) -> Event:
        value = mask(raw.value)
        if value and isinstance(raw.target, str) and self._phone_field(raw.target):
            value = self._bare_phones(value)   # a phone field's bare digits: the field name is the context
        # by position: keywords cost a quarter more, and an import of a million builds a million
        return Event(raw.ts, raw.user, mask(raw.app), mask(raw.title), raw.action, mask(raw.target), value,
                     raw.duration, raw.count, raw.source_row, None, mask(raw.element_path))

    def _mask_uncached(self, text: str) -> str:
        parts = _SEPARATOR.split(text)
        # odd indexes are the separators themselves
        return "".join(p if i % 2 else self._segment(p) for i, p in enumerate(parts))

    def _results(self, segment: str) -> list[RecognizerResult]:
        """Presidio's findings in one part, each entity asked for only if its gate lets it through."""
        entities = self._always + [e for e, gate in self._gated if gate(segment)]
        if not entities:    # every gate shut (Presidio would read an empty list as "all entities")
            return []
        # tokens only matter for context words; most parts need none, so skip spaCy for them
        tokens = None if self._context.intersection(entities) else self._no_tokens
        with self._lock:
            self._counts["presidio_calls"] += 1
            return self._analyzer.analyze(segment, language=self._language, entities=entities,
                                          nlp_artifacts=tokens)

    def _mask_segment(self, segment: str) -> str:
        if not segment.strip():
            return segment
        results = self._results(segment)
        if not results:
            return segment
        with self._lock:
            out = self._anonymizer.anonymize(
                segment, results,  # type: ignore[arg-type]  # the anonymizer duck-types the analyzer's results
                conflict_resolution=self._strategy).text
        for r in results:
            found = segment[r.start:r.end]
            if len(found) >= _MIN_CHECKED and found in out:
                self._counts["leak_check_redacted"] += 1
                raise _Unsafe(f"a detected {r.entity_type} survived anonymisation")
        return out

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity) of what `mask_text` replaces, in `text`'s coordinates; a finding inside a
        stronger one is left out. For measuring recall and precision and for showing why."""
        out: list[tuple[int, int, str]] = []
        offset = 0
        for i, part in enumerate(_SEPARATOR.split(text)):
            if i % 2 == 0 and part.strip():
                kept: list[RecognizerResult] = []
                for r in sorted(self._results(part), key=lambda r: (-r.score, r.start - r.end)):
                    if not any(k.start <= r.start and r.end <= k.end for k in kept):
                        kept.append(r)
                out += [(offset + r.start, offset + r.end, r.entity_type) for r in kept]
            offset += len(part)
        return sorted(out)


_WORKER: list[Masker] = []   # a masking worker's own masker


def _workers() -> int:
    """Masking processes besides this one: every other core, at most 3."""
    return min(3, (os.cpu_count() or 1) - 1)


def _new_pool(workers: int, config: Config) -> ProcessPoolExecutor:
    """Spawn, not fork: the dashboard runs analyses from a Qt thread."""
    import multiprocessing
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(config,))


def _start_worker(config: Config) -> None:
    """A masking worker: its masker, and Ctrl-C left to the process that started it."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER.append(Masker(config))


def _mask_piece(strings: list[str]) -> tuple[list[str], Counter[str]]:
    """In a worker: `strings` masked, and what it counted doing so."""
    masker = _WORKER[0]
    before = Counter(masker.stats())
    out = [masker.mask_text(s) for s in strings]
    counts = Counter(masker.stats())
    counts.subtract(before)
    return out, +counts


_MASKERS: dict[Config, Masker] = {}
_MASKERS_LOCK = threading.Lock()


def get_masker(config: Config) -> Masker:
    """One `Masker` per configuration per process (set-up takes a second or more)."""
    with _MASKERS_LOCK:
        if config not in _MASKERS:
            _MASKERS[config] = Masker(config)
        return _MASKERS[config]
