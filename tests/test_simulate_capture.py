"""The simulator emits what the collector can record: elements with accessibility on, button and
position clicks with it off; the same work either way."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.events import Action
from tasklens.simulate import simulate

ELEMENT = re.compile(r'^[a-z ]+ "[^"]+"$')
POSITION = re.compile(r"^\d+,\d+$")


def test_the_two_captures_differ_only_in_what_names_a_click_typing_or_paste() -> None:
    elements = list(itertools.islice(simulate(3, 1, seed=5, capture="elements"), 3000))
    positions = list(itertools.islice(simulate(3, 1, seed=5, capture="positions"), 3000))
    assert [(e.ts, e.action, e.title, t) for e, t in elements] == [(e.ts, e.action, e.title, t) for e, t in positions]
    named = [e for e, t in elements if t.routine and e.action in (Action.CLICK, Action.TYPE, Action.PASTE)]
    assert named and all(ELEMENT.match(e.target) for e in named)
    assert any(e.element_path.startswith('document web "Orders - CRM" https://') for e in named)
    for e, _ in positions:
        assert not e.element_path and '"' not in e.target
        if e.action is Action.CLICK:
            assert e.target == "left" and POSITION.match(e.value)
        if e.action is Action.PASTE:
            assert e.target == "ctrl+v"


def test_an_unknown_capture_is_refused() -> None:
    with pytest.raises(ValueError, match="elements, positions"):
        next(simulate(capture="everything"))


def test_demo_says_which_capture_mode_it_shows(tmp_path: Path) -> None:
    """The demo shows only what the collector can record, and names the mode (issue 13 item 5)."""
    for mode, words in (("elements", "UI elements"), ("positions", "positions only")):
        r = run_cli("demo", "--employees", "2", "--days", "1", "--capture", mode, "--out", str(tmp_path / mode),
                    env={"HOME": str(tmp_path)}, timeout=300)
        assert r.returncode == 0, r.stderr
        assert f"capture mode: {words}" in r.stdout
