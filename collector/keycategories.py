"""Keys as categories, never content: what one key press means for task mining.

Pure logic, so it is tested without a display. An input hook calls `classify` with the key's name (for
named keys) or character (for printable ones) and the modifiers held; it gets back an action and a
target that hold no typed content: a printable key is only `type` (the run merger counts them).
"""

from __future__ import annotations

from tasklens.events import Action

# pynput names of modifier keys: held, they make chords; pressed alone, they are no action.
# AltGr types characters, so it is no modifier.
_MODIFIER_KEYS = frozenset({"ctrl", "ctrl_l", "ctrl_r", "alt", "alt_l", "alt_r", "shift", "shift_l", "shift_r",
                            "cmd", "cmd_l", "cmd_r"})
_CHORD_ORDER = ("ctrl", "alt", "shift", "super")
_SHORTCUT_MODS = frozenset({"ctrl", "alt", "super"})
_RENAME = {"esc": "escape", "print_screen": "print"}
# Keys that only change state; they are not an action of their own.
_SILENT = frozenset({"caps_lock", "num_lock", "scroll_lock", "alt_gr"})
_COPY = frozenset({"ctrl+c", "ctrl+x", "ctrl+insert", "ctrl+shift+c", "ctrl+shift+x"})
_PASTE = frozenset({"ctrl+v", "shift+insert", "ctrl+shift+v"})


def classify(name: str | None, char: str | None, mods: frozenset[str] | set[str]) -> tuple[Action, str] | None:
    """(action, target) for one key press, or None for a modifier or state key.

    `name` is a named key (pynput `Key.<name>`), `char` the character of a printable key; `mods` the
    chord names of the modifiers held ("ctrl", "alt", "shift", "super").
    """
    if name in _MODIFIER_KEYS or name in _SILENT:
        return None
    if name == "space":
        name, char = None, " "
    key = _RENAME.get(name, name) if name else (char.lower() if char and char.isprintable() else None)
    if key is None:
        return None if char is None else (Action.KEY, "other")
    if mods & _SHORTCUT_MODS or (name == "insert" and "shift" in mods):
        chord = "+".join([m for m in _CHORD_ORDER if m in mods] + [key])
        if chord in _COPY:
            return Action.COPY, chord
        if chord in _PASTE:
            return Action.PASTE, chord
        return Action.SHORTCUT, chord
    if name is None:
        return Action.TYPE, ""
    return Action.KEY, ("shift+" + key if "shift" in mods else key)
