"""Writing XES (IEEE 1849), the event-log format process-mining tools read: one trace per task instance.

Both the analysis folder's `log.xes` and the dashboard's filtered export go through `write_log`, so
they stay one dialect. Text may hold characters XML 1.0 forbids (control characters from a window
title, lone surrogates): they are dropped, or no XML reader, tasklens' own included, could read the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tasklens.events import iso
from tasklens.files import atomic_open

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xes.features="nested-attributes">\n'
          '  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
          '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
          '  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n')

Row = tuple[int, Mapping[str, object], Mapping[str, object]]
"""(case id, the case's attributes, one event's attributes); `time:timestamp` is epoch seconds, or their
`iso` text where the writer has it already."""

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 does not allow (its `Char` production)."""
    return _NOT_XML.sub("", text)


def _attr(key: str, value: object) -> str:
    if key == "time:timestamp":
        return f'<date key="{key}" value="{value if isinstance(value, str) else iso(float(value))}"/>'   # type: ignore[arg-type]
    if isinstance(value, int):   # digits need no quoting, and a million row numbers would flush the cache
        return f'<int key="{key}" value="{value}"/>'
    return f'<string key="{key}" value={_quoted(str(value))}/>'


@lru_cache(maxsize=1 << 16)
def _quoted(text: str) -> str:
    """`text` as an XML attribute value; kept, since a log repeats its labels, users and apps on every event."""
    return quoteattr(xml_text(text))


def write_log(path: Path, name: str, rows: Iterable[Row]) -> Path:
    """Write `rows`, grouped by case id in the order given (sort by case, then time, before); the file
    (mode 0600) appears whole or not at all."""
    with atomic_open(path) as f:
        f.write(HEADER + f"  {_attr('concept:name', name)}\n")
        current: int | None = None
        for case, case_attrs, event in rows:
            if case != current:
                if current is not None:
                    f.write("  </trace>\n")
                f.write(f"  <trace>\n    {_attr('concept:name', str(case))}\n"
                        + "".join(f"    {_attr(k, v)}\n" for k, v in case_attrs.items()))
                current = case
            f.write("    <event>" + "".join(_attr(k, v) for k, v in event.items()) + "</event>\n")
        if current is not None:
            f.write("  </trace>\n")
        f.write("</log>\n")
    return path
