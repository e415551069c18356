"""Progress of long steps on stderr: a tqdm bar on a terminal, a plain line every few seconds elsewhere.

Analyses and merges run for minutes under ssh, nohup and CI, where a redrawn bar is invisible: there
each stage prints a line every `every` seconds while it runs and one when it ends, with counts,
elapsed time and an estimate of what is left (none when it starts: an input refused at once is one
error line). The pipeline only calls `bar(stage, done, total)`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from tqdm import tqdm


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Bar:
    """Callable as a pipeline `Progress`: `bar(stage, done, total)`; `close()` ends the last stage."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, every: float = 5.0) -> None:
        self.enabled, self.every = enabled, every
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self._stage = ""
        self._bar: tqdm[Any] | None = None
        self._started = self._last = 0.0
        self._done = self._total = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self._end_stage()
            now = time.monotonic()
            self._stage, self._started, self._last = stage, now, now
            if self.terminal:
                self._bar = tqdm(total=total, desc=f"{stage:<14}", file=self.stream, leave=True,
                                 unit="step", dynamic_ncols=True, mininterval=0.2)
        self._done, self._total = done, total
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(done - self._bar.n)
        elif time.monotonic() - self._last >= self.every and done < total:
            self._line()

    def _line(self) -> None:
        now = time.monotonic()
        elapsed = now - self._started
        left = elapsed / self._done * (self._total - self._done) if self._done else 0.0
        eta = f", about {_clock(left)} left" if 0 < self._done < self._total else ""
        pct = f" ({100 * self._done / self._total:.0f} %)" if self._total else ""
        self.stream.write(f"tasklens: {self._stage}: {self._done:,}/{self._total:,}{pct}, "
                          f"{_clock(elapsed)} elapsed{eta}\n")
        self.stream.flush()
        self._last = now

    def _end_stage(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._stage:
            self._line()

    def close(self) -> None:
        """End the current stage (its final line or bar); call once the work is done."""
        if self.enabled:
            self._end_stage()
            self._stage = ""
