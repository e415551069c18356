"""Store schema, versioned: migration N takes a store from version N-1 to N.

A store records its version in `meta.schema_version`. Opening an older store migrates it in one
transaction; a newer one is refused (its events stay untouched) and the user is told to upgrade.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: events and meta only (tasklens 0.0.x pre-releases)
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, user TEXT NOT NULL, app TEXT NOT NULL,
        title TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
        value TEXT NOT NULL DEFAULT '', source_row INTEGER);
    CREATE INDEX events_ts ON events (ts);
    """,
    # 2: typing/scroll size and duration, consent, audit trail, agent state
    """
    ALTER TABLE events ADD COLUMN duration REAL NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE consent (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, user TEXT NOT NULL,
        notice_version TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('accept', 'withdraw')));
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY, ts REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '');
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 3: the UI element's path (ancestors' role and name) from the accessibility API
    """
    ALTER TABLE events ADD COLUMN element_path TEXT NOT NULL DEFAULT '';
    """,
)

LATEST = len(MIGRATIONS)
