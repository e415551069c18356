"""What is never recorded: denied applications (globs), applications outside an allow list, titles
matching an exclusion pattern. The collector asks before it reads anything else about a window."""

from __future__ import annotations

import fnmatch
import functools
import re
from pathlib import PureWindowsPath

from tasklens.config import Config


def _globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex for a list of globs (None for an empty list)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns))


@functools.lru_cache(maxsize=256)
def _names(app: str, exe: str) -> tuple[str, ...]:
    """The strings a glob is tried on: app name and executable path, base name, without `.exe`. Cached:
    the writer asks for every event, and a person's applications are few."""
    out: list[str] = []
    for text in (app, exe):
        if not text:
            continue
        full = text.replace("\\", "/").lower()
        base = PureWindowsPath(text).name.lower()   # splits on both / and \
        out += [full, base, base.removesuffix(".exe")]
    return tuple(out)


class Exclusions:
    """`excluded(app, exe, title)`: deny globs win, then the allow list (if any), then title patterns."""

    def __init__(self, config: Config) -> None:
        self._deny = _globs(config.app_deny)
        self._allow = _globs(config.app_allow)
        self._titles = [re.compile(p) for p in config.title_exclude]

    def excluded(self, app: str, exe: str, title: str) -> bool:
        names = _names(app or "", exe or "")
        if self._deny is not None and any(self._deny.fullmatch(n) for n in names):
            return True
        if self._allow is not None and not any(self._allow.fullmatch(n) for n in names):
            return True
        return any(p.search(title or "") for p in self._titles)
