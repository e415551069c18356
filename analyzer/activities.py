"""Step 1: label events with activities, so the same step in different instances gets one label.

A label is `app | action | target | title template`: ids, numbers (whether the masker took them or
not) and URL query values are generalised, so "Order 482913 - <PERSON> - CRM", "Order 771020 - <PERSON>
- CRM" and "Order <PHONE_NUMBER> - <PERSON> - CRM" are the same step. Labels are cached per distinct
(app, action, target, title, element path): masked logs repeat
strings heavily, so a million events cost a few thousand regex passes.

Where the collector named the UI element (`push button "Post"`, with its path of named ancestors), the
target is the element: its role, its name and the nearest named thing holding it (`entry "Search" in
form "Find orders"`, or the web page's address), so two "OK" buttons in different dialogs are two steps
and one field is one step however the window title changes. Names that are records, not controls (a
list of customers, an inbox's subjects), are generalised like title parts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from tasklens.events import Event

_URL = re.compile(r"(https?://[^/\s?#]+)([^\s?#]*)(\?[^\s#]*)?(#\S*)?")
_QUERY_VALUE = re.compile(r"=([^&\s]*)")
_MARKS = re.compile(r"<+(<[A-Z_]*>)>+")   # "<<EMAIL_ADDRESS>>" (a masked "<addr>") -> "<EMAIL_ADDRESS>"
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_ID = re.compile(r"\b(?=[A-Za-z_-]*\d)[A-Za-z_-]*\d[\w./:-]*\b")   # any token holding a digit
_CELL = re.compile(r"^([A-Z]{1,3})\d+(?::([A-Z]{1,3})\d+)?$")
_PATH_TAIL = re.compile(r"(?<![/:])([/\\])[^/\\\s]+(?=\.\w{1,5}\b)")
_LONG_NUMBER = re.compile(r"\d{3,}")
_PLACEHOLDER = re.compile(r"<+([A-Z_]+)>+")
# Placeholders that stand for words, not numbers: they are structure ("Invoice from <EMAIL_ADDRESS>").
# Any other (<PHONE_NUMBER>, <CREDIT_CARD>, <IBAN_CODE>, an organisation's <CUSTOMER_ID>) stood for a
# number or id the masker took, and the same title with the number left in must get the same label.
WORD_PLACEHOLDERS = frozenset({"EMAIL_ADDRESS", "PERSON", "USERNAME", "URL_QUERY", "URL", "LOCATION", "NRP",
                               "REDACTED"})


def _numbers_back(text: str) -> str:
    """Masked numbers become a digit again, so they generalise exactly as an unmasked number does."""
    return _PLACEHOLDER.sub(lambda m: f"<{m.group(1)}>" if m.group(1) in WORD_PLACEHOLDERS else "000", text)


def _url(m: re.Match[str]) -> str:
    path = _ID.sub("#", m.group(2) or "")
    query = _QUERY_VALUE.sub("=*", m.group(3) or "")
    return m.group(1) + path + query


def template(text: str) -> str:
    """Generalise a title, URL or target: what differs between instances of one step becomes a mark."""
    if not text:
        return ""
    # each pass only where its pattern can match: a million distinct titles are a million calls
    t = _numbers_back(text) if "<" in text else text
    if "://" in t:
        t = _URL.sub(_url, t)
    if "@" in t:
        t = _EMAIL.sub("<EMAIL_ADDRESS>", t)
    if "<<" in t:
        t = _MARKS.sub(r"\1", t)   # typed placeholders stay: they are structure
    if "/" in t or "\\" in t:
        t = _PATH_TAIL.sub(r"\1*", t)
    return " ".join(_ID.sub("#", t).split())   # the same whitespace as `\s`, collapsed and stripped


def target_template(target: str) -> str:
    """Softer than `template`: element ids (q3_name) name the step; cells keep their column (A2 -> A#)."""
    kind, _, element = _numbers_back(target).partition(":")
    if not element:
        return _soft(kind)
    m = _CELL.match(element.strip())
    if m:
        return f"{kind}:{m.group(1)}#" + (f":{m.group(2)}#" if m.group(2) else "")
    return f"{kind}:{_soft(element)}"


def _soft(text: str) -> str:
    return _MARKS.sub(r"\1", _LONG_NUMBER.sub("#", _numbers_back(text))).strip()


_ELEMENT = re.compile(r'^([a-z][a-z ]*) "(.*)"$')   # what the collector writes for a UI element
_STEP = re.compile(r'^([a-z][a-z ]*)(?: "(.*)")?(?: (\S+://\S*))?$')   # one ancestor: role "name" [url]
# Roles whose names are records (customers, subjects, order lines) rather than the controls of a screen
DATA_ROLES = frozenset({"list item", "table cell", "tree item", "table row", "cell", "row header"})
DOCUMENT_ROLES = frozenset({"document web", "document frame"})


def element_context(path: str) -> str:
    """The nearest named ancestor in an element path (`form "Find orders"`), generalised; for an element
    right inside a web page, the page's address without ids and query values."""
    for part in reversed(path.split(" > ")):
        m = _STEP.match(part.strip())
        if m is None:
            continue
        role, name, url = m.group(1), m.group(2), m.group(3)
        if role in DOCUMENT_ROLES:
            return template(url) if url else (f'{role} "{template(name)}"' if name else "")
        if name:
            return f'{role} "{template(name)}"'
    return ""


def element_parts(target: str, path: str) -> tuple[str, str, str] | None:
    """(role, name, context) of an element target, or None for a key, a chord, a button or an imported target."""
    m = _ELEMENT.match(target)
    if m is not None:
        return m.group(1), _soft(m.group(2)), element_context(path)
    if path and '"' not in target and _ELEMENT.match(f'{target} ""'):   # an unnamed element: its role alone
        return target, "", element_context(path)
    return None


_SEPARATOR = re.compile(r"( - | \| | — | – | · )")
VARIABLE_PART_MIN = 6      # a title part with this many values in one context is data, not a step
# Name-like: one to three capitalised words, perhaps joined by "&" ("Kern & Sohn GmbH", "AT&T Inc") and
# followed by a placeholder ("Maria Keller <EMAIL_ADDRESS>"): what the masker may have missed. Only such
# parts are generalised, never screen names ("Enter vendor invoice").
_NAME = re.compile(r"^[A-Z][\w'&.-]*( (?:& )?[A-Z][\w'&.-]*){0,2}( ?<[A-Z_]*>)?$")
_NAME_WORDS = 5            # the most words a name-like tail can have (three names and two "&")
VARIABLE_TAIL_MIN = 3      # ... or this many values after the same first two words ("Invoice # from *")


def generalise_parts(titles: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Per (app, title template): the template with its variable parts (names the masker may have
    missed, subjects, document names) replaced by `*`. A part is variable when, with the rest of the
    title fixed, it takes many values: "Order # - Ingrid Lund - CRM" and "Order # - Jonas Li - CRM"."""
    split = {key: _SEPARATOR.split(key[1]) for key in titles}
    values: dict[tuple[str, int, tuple[str, ...]], set[str]] = defaultdict(set)
    for (app, _), parts in split.items():
        for i in range(0, len(parts), 2):
            values[(app, i, tuple(parts[:i] + ["*"] + parts[i + 1:]))].add(parts[i])
    out = {}
    # per context, once (not once per title in it: that was quadratic in a context's values)
    stats: dict[tuple[str, int, tuple[str, ...]], tuple[Counter[str], int]] = {}
    for (app, title), parts in split.items():
        parts = list(parts)
        for i in range(0, len(parts), 2):
            context = (app, i, tuple(parts[:i] + ["*"] + parts[i + 1:]))
            if context not in stats:
                seen = values[context]
                heads = Counter(_head(v) for v in seen)
                kinds = {f"{_head(v)} *" if heads[_head(v)] >= VARIABLE_TAIL_MIN and _head(v) else v for v in seen}
                stats[context] = heads, sum(1 for k in kinds if _NAME.match(k))
            heads, names = stats[context]
            head = _head(parts[i])
            if _NAME.match(parts[i]) and names >= VARIABLE_PART_MIN:
                parts[i] = "*"
            elif head and heads[head] >= VARIABLE_TAIL_MIN:
                parts[i] = head + " *"
        out[(app, title)] = "".join(parts)
    return out


def _head(part: str) -> str:
    """The part before a name-like tail ("Invoice # from" in "Invoice # from Acme GmbH"), the id before a
    record's subject ("#" in "# Export button greyed out": a ticket, a case), or ""."""
    words = part.split(" ")
    if len(words) > 1 and words[0] == "#":
        return "#"
    if _NAME.match(part):
        return ""
    for k in range(max(1, len(words) - _NAME_WORDS), len(words)):
        if _NAME.match(" ".join(words[k:])):
            return " ".join(words[:k])
    return ""


Key = tuple[str, str, str, str, str]    # (app, action, target, title, element path): one event's label inputs
# What a label is made of, after the templates (app, action, target part, title template, context): many
# keys (every order number in a title) share one part, so the organisation's distinct parts stay few while
# its distinct keys grow with its events. The target part is `target_template(target)` with context "t",
# or for a UI element `role + ELEMENT + name` with context "e:" + the element's context.
Part = tuple[str, str, str, str, str]
ELEMENT = "\x1f"   # a role matches [a-z ]+, so it never holds this


def parts_of(keys: Iterable[Key]) -> dict[Key, Part]:
    """The part of each distinct key; each title and each (target, element path) templated once: one title
    comes with many actions and targets, one target with many titles."""
    of_title: dict[str, str] = {}
    of_target: dict[tuple[str, str], tuple[str, str]] = {}
    out: dict[Key, Part] = {}
    for key in keys:
        app, action, target, title, path = key
        t = of_title.get(title)
        if t is None:
            t = of_title[title] = template(title)
        tp = of_target.get((target, path))
        if tp is None:
            e = element_parts(target, path)
            tp = of_target[(target, path)] = (target_template(target), "t") if e is None else \
                (e[0] + ELEMENT + e[1], "e:" + e[2])
        out[key] = (app, action, tp[0], t, tp[1])
    return out


def label_parts(parts: Iterable[Part]) -> dict[Part, str]:
    """The label of each distinct part: title parts and record names that take many values generalised
    over all the parts given (so every part of the analysis must be given at once)."""
    parts = list(dict.fromkeys(parts))
    general = generalise_parts({(p[0], p[3]) for p in parts})
    elements = {p: (*p[2].split(ELEMENT, 1), p[4][2:]) for p in parts if p[4] != "t"}
    records = {(f"{app}|{action}|{role}|{context}", name) for (app, action, *_), (role, name, context) in elements.items()
               if role in DATA_ROLES and name}
    names = generalise_parts(records)
    out = {}
    for p in parts:
        app, action, target, title, _ = p
        if p in elements:
            role, name, context = elements[p]
            name = names.get((f"{app}|{action}|{role}|{context}", name), name)
            target = (f'{role} "{name}"' if name else role) + (f" in {context}" if context else "")
        out[p] = " | ".join(x for x in (app or "?", action, target, general[(app, title)]) if x)
    return out


def label_all(events: Sequence[Event]) -> tuple[np.ndarray, list[str]]:
    """Activity ids (int32, one per event) and the label of each id, cached per distinct input. Ids follow
    the labels' sorted order, not the order events come in (people sorted by pseudonyms drawn afresh for
    each analysis): segmentation breaks ties by id, and the same log must give the same instances."""
    keys: dict[Key, int] = {}
    key_of = np.fromiter((keys.setdefault((e.app, e.action.value, e.target, e.title, e.element_path), len(keys))
                          for e in events), np.int64, len(events))
    part_of = parts_of(keys)
    label_of = label_parts(part_of.values())
    names = sorted(set(label_of.values()))
    id_of = {name: k for k, name in enumerate(names)}
    act_of_key = np.fromiter((id_of[label_of[part_of[k]]] for k in keys), np.int32, len(keys))
    return act_of_key[key_of], names
