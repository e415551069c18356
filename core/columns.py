"""Masked events as Arrow columns: how bundles are parsed and datasets are read without a Python object per
event until a caller asks for `Event`s."""

from __future__ import annotations

import pyarrow as pa

from tasklens.events import ACTION_BY_VALUE, Event

EVENT = pa.schema([   # an `Event`'s fields, in its order; action as its value
    ("ts", pa.float64()), ("user", pa.string()), ("app", pa.string()), ("title", pa.string()),
    ("action", pa.string()), ("target", pa.string()), ("value", pa.string()), ("duration", pa.float64()),
    ("count", pa.int64()), ("source_row", pa.int64()), ("id", pa.int64()), ("element_path", pa.string()),
])


def events_of(table: pa.Table) -> list[Event]:
    """`Event`s back from a table holding `EVENT`'s columns (others are ignored)."""
    c = {n: table.column(n).to_pylist() for n in EVENT.names}
    return [Event(ts, user, app, title, ACTION_BY_VALUE[action], target, value, duration, count, source_row, ident,
                  path)
            for ts, user, app, title, action, target, value, duration, count, source_row, ident, path
            in zip(c["ts"], c["user"], c["app"], c["title"], c["action"], c["target"], c["value"], c["duration"],
                   c["count"], c["source_row"], c["id"], c["element_path"])]
