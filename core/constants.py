"""Figures several floors must agree on, kept once so the analyzer, the admin report and the dashboard
cannot drift apart (they did: the same gap was written down twice)."""

from __future__ import annotations

ACTIVE_GAP = 300.0   # seconds; a longer pause between one person's two events does not count as time in the app
MIN_USERS = 5        # the admin report shows a figure only if at least this many distinct employees contribute
MIN_USERS_FLOOR = 2  # below this a figure would describe one person, so no report may use a smaller threshold
