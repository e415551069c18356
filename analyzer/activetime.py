"""Time that counts: the one rule for summing a person's time, wherever it is summed.

An instance's duration (`pipeline.instance_seconds`, in memory, streamed and on Spark), the dashboard's
hours by application and by day (`selection.event_seconds`) and the admin report's application hours
(`aggregate.user_usage`) all credit the time from one of a person's events to their next one, and all
through `counted`: a pause longer than `ACTIVE_GAP` (away from the desk, a meeting, a coffee) counts
none, so a 20-minute break inside an order look-up is not 20 minutes of order look-up, and the hours
of one screen add up with another's. Time that runs backwards (recordings stitched together) counts none
either.
"""

from __future__ import annotations

import numpy as np

from tasklens.constants import ACTIVE_GAP

RULE = f"a pause of more than {ACTIVE_GAP / 60:g} min between two of a person's events counts no time"


def counted(gaps: np.ndarray) -> np.ndarray:
    """The seconds each gap between a person's consecutive events adds: itself if 0..ACTIVE_GAP, else 0."""
    gaps = np.asarray(gaps, dtype=float)
    return np.where((gaps >= 0.0) & (gaps <= ACTIVE_GAP), gaps, 0.0)
