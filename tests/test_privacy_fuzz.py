"""Fuzzing the masker (hypothesis, real Presidio): a canary of every kind, in many shapes, set in random
text and in every text field of an event, never comes out unmasked; and no input makes it raise.

A canary is (text as a person would write it, needles): the needles are the parts that identify
someone and must not survive (the digits of a phone, the local part of an address, a token). Canaries
are joined to the random text by a boundary a title or form could have (a space, a bracket, a colon, a
quote, a title separator), so the random text cannot turn the canary into something else.
"""

from __future__ import annotations

import re
import string
from dataclasses import fields

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tasklens.config import Config, Recognizer
from tasklens.errors import TasklensError
from tasklens.events import Action, Event, RawEvent
from tasklens.privacy.masker import get_masker

LISTED = ("Ottilie Vandersteen", "Bartholomew Quennell", "Marisol Ekwueme")
CONFIG = Config(person_names=LISTED, recognizers=(Recognizer("CUSTOMER_ID", r"\bCUST-\d{6}\b"),))
MASKER = get_masker(CONFIG)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Canary = tuple[str, tuple[str, ...]]
DIGIT = st.sampled_from(string.digits)
NONZERO = st.sampled_from("123456789")


def digits(n: int, first: st.SearchStrategy[str] = DIGIT) -> st.SearchStrategy[str]:
    return st.tuples(first, *[DIGIT] * (n - 1)).map("".join)


def word(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase, min_size=low, max_size=high)


LOGIN = st.one_of(word(4, 10), st.tuples(word(3, 8), word(3, 8)).map(".".join))


@st.composite
def emails(draw: st.DrawFn) -> Canary:
    local = draw(LOGIN)
    domain = draw(st.sampled_from(["example.com", "mail.example.org", "corp.example.net", "hq.internal",
                                   "globex.test"]))
    return f"{local}@{domain}", (local,)


@st.composite
def phones(draw: st.DrawFn) -> Canary:
    a, b, c = draw(digits(3, NONZERO)), draw(digits(3, NONZERO)), draw(digits(4))
    area, sub = draw(digits(2, NONZERO)), draw(digits(7, NONZERO))
    text, needle = draw(st.sampled_from([   # (as written, the part that must go)
        (f"+49 1{area} {sub}", sub), (f"+49{area}{sub}", sub), (f"0049 {area} {sub}", sub),
        (f"+44 20 {b}{c[0]} {c}", f"{b}{c[0]} {c}"), (f"0044 20 {b}{c[0]} {c}", f"{b}{c[0]} {c}"),
        (f"({a}) {b}-{c}", f"{b}-{c}"), (f"+1 ({a}) {b}-{c}", f"{b}-{c}"), (f"+1-{a}-{b}-{c}", f"{b}-{c}"),
        (f"{a}-{b}-{c}", f"{b}-{c}"), (f"{a}.{b}.{c}", f"{b}.{c}"), (f"0{area} {sub}", sub),
        (f"0{area}/{sub}", sub), (f"(0{area}) {sub}", sub), (f"01{area} {sub}", sub),
        (f"Tel. {a}{b}{c}", f"{b}{c}"), (f"phone: {a}{b}{c}", f"{b}{c}"), (f"mobile {a}{b}{c}", f"{b}{c}"),
        (f"Call {a}{b}{c}", f"{b}{c}"),
    ]))
    return text, (needle,)


def _iban_check(country: str, bban: str) -> str:
    number = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(number) % 97:02d}"


@st.composite
def ibans(draw: st.DrawFn) -> Canary:
    if draw(st.booleans()):
        country, bban = "DE", draw(digits(18))
    else:
        country, bban = "GB", draw(st.text(string.ascii_uppercase, min_size=4, max_size=4)) + draw(digits(14))
    check = _iban_check(country, bban)
    if draw(st.booleans()):        # a typo: the checksum fails, the shape stays
        check = f"{(int(check) + draw(st.integers(1, 90))) % 97 + 2:02d}"
    compact = country + check + bban
    text = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) if draw(st.booleans()) else compact
    text = text.lower() if draw(st.booleans()) else text
    return text, (text[-9:], text[4:13])


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
    return body + str(-total % 10)


@st.composite
def cards(draw: st.DrawFn) -> Canary:
    prefix = draw(st.sampled_from(["4", "51", "52", "55"]))
    number = _luhn_complete(prefix + draw(digits(15 - len(prefix))))
    sep = draw(st.sampled_from([" ", "-", ""]))
    text = sep.join(number[i:i + 4] for i in range(0, 16, 4))
    return text, (sep.join([number[4:8], number[8:12]]),)


@st.composite
def ips(draw: st.DrawFn) -> Canary:
    if draw(st.booleans()):
        octets = draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))
        text = ".".join(map(str, [draw(st.integers(1, 223)), *octets[1:]]))
        return text, (text,)
    groups = draw(st.lists(st.integers(0x1000, 0xFFFF).map(lambda n: f"{n:x}"), min_size=8, max_size=8))
    text = ":".join(groups) if draw(st.booleans()) else f"{groups[0]}::{':'.join(groups[5:])}"
    return text, (text,)


@st.composite
def urls(draw: st.DrawFn) -> Canary:
    token = draw(st.text(string.ascii_letters + string.digits, min_size=8, max_size=20))
    assume(any(c.isdigit() for c in token) and any(c.isalpha() for c in token))
    host = draw(st.sampled_from(["https://crm.example.com/orders", "http://x/", "www.example.org/a/b",
                                 "https://login.example.com/reset", "intranet.example.net/p"]))
    query = draw(st.sampled_from([f"?token={token}", f"?id={token}&tab=2", f"#{token}", f"?a=1&sid={token}"]))
    return host + query, (token,)


@st.composite
def ssns(draw: st.DrawFn) -> Canary:
    area = draw(st.integers(1, 665).filter(lambda n: n != 666))
    text = f"{area:03d}-{draw(st.integers(1, 99)):02d}-{draw(st.integers(1, 9999)):04d}"
    assume(len(set(text.replace("-", ""))) > 1 and text.replace("-", "") not in ("123456789", "987654321"))
    return text, (text,)


@st.composite
def names(draw: st.DrawFn) -> Canary:
    name = draw(st.sampled_from(LISTED))
    first, last = name.split()
    text = draw(st.sampled_from([name, name.upper(), name.lower(), f"{first.lower()}_{last.lower()}",
                                 f"{last}, {first}", first, last]))
    return text, tuple(w for w in (first, last) if w.casefold() in text.casefold())


@st.composite
def homes(draw: st.DrawFn) -> Canary:
    login = draw(LOGIN)
    assume(login.casefold() not in {"public", "default", "shared", "guest"})
    text = draw(st.sampled_from([f"/home/{login}/Documents/a.txt", f"C:\\Users\\{login}\\Desktop\\b.xlsx",
                                 f"/Users/{login}/Downloads", f"~{login}/notes.md", f"ssh {login}@build-07"]))
    return text, (login,)


@st.composite
def org_ids(draw: st.DrawFn) -> Canary:
    text = f"CUST-{draw(digits(6))}"
    return text, (text,)


CANARIES = st.one_of(emails(), phones(), ibans(), cards(), ips(), urls(), ssns(), names(), homes(), org_ids())
# What a title, a form or a log line can hold around a canary: words, numbers, punctuation, other scripts
NOISE = st.text(st.sampled_from(string.ascii_letters + string.digits + " .,;!?-_/()[]<>\"'#&=+|" + "äöüßéçøñ€中文"),
                max_size=40)
BEFORE = st.sampled_from([" ", " (", "(", ": ", " host:", " link:", " url=", "=", " <", "<", ' "', "'", "\t",
                          ", ", "[", " - ", " | ", "\n", " — "])
AFTER = st.sampled_from([" ", ") ", ")", ". ", ",", "> ", ">", '" ', "'", "\t", "]", " - ", " | ", "\n", "; "])


BOUNDED_BEFORE = re.compile(r"(?:^|\s)(?:[A-Za-z]+[:=])?[^\w\s]*$")
BOUNDED_AFTER = re.compile(r"[^\w\s]*(?:\s|$)")


@st.composite
def embedded(draw: st.DrawFn) -> Canary:
    text, needles = draw(CANARIES)
    before, after = draw(NOISE) + draw(BEFORE), draw(AFTER) + draw(NOISE)
    # the boundary must really bound it: a space (or the end), then maybe a label or punctuation; noise
    # glued to the canary (`x0`, `)0`) would make it another string, not hide it
    assume(BOUNDED_BEFORE.search(before) and BOUNDED_AFTER.match(after))
    whole = (before + text + after).casefold()
    assume(all(whole.count(n.casefold()) == 1 for n in needles))   # the secret, and only it, holds the needle
    return before + text + after, needles


PLACEHOLDER = re.compile(r"<[A-Z_]+>")


def _assert_masked(out: str, needles: tuple[str, ...], where: str) -> None:
    rest = PLACEHOLDER.sub("", out).casefold()
    for needle in needles:
        assert needle.casefold() not in rest, f"{needle!r} survived in {where}: {out!r}"


def test_canary_generators_make_what_they_say() -> None:
    """The generators plant their needles (a test that could not fail otherwise is no test)."""
    @given(CANARIES)
    @settings(max_examples=200, deadline=None)
    def planted(canary: Canary) -> None:
        text, needles = canary
        assert needles and all(len(n) >= 3 and n.casefold() in text.casefold() for n in needles)
    planted()


@FUZZ
@given(embedded())
def test_no_canary_survives_in_random_text(canary: Canary) -> None:
    text, needles = canary
    _assert_masked(MASKER.mask_text(text), needles, "mask_text")


TEXT_FIELDS = ("app", "title", "target", "value", "element_path")


@FUZZ
@given(st.lists(embedded(), min_size=len(TEXT_FIELDS), max_size=len(TEXT_FIELDS)))
def test_no_canary_survives_in_any_field_of_an_event(canaries: list[Canary]) -> None:
    texts = dict(zip(TEXT_FIELDS, (t for t, _ in canaries)))
    raw = RawEvent(1_790_000_000.0, "emp-1", texts["app"], texts["title"], Action.PASTE, texts["target"],
                   texts["value"], element_path=texts["element_path"])
    assert {f.name for f in fields(Event) if f.type == "str"} - {"user"} == set(TEXT_FIELDS), \
        "an Event text field is not fuzzed here: add it"
    for how, event in (("mask", MASKER.mask(raw)), ("mask_many", MASKER.mask_many([raw])[0])):
        for name, (_, needles) in zip(TEXT_FIELDS, canaries):
            _assert_masked(getattr(event, name), needles, f"{how} {name}")


ANYTHING = st.one_of(st.text(), st.text(st.characters(), max_size=200), st.none(), st.integers(), st.binary(),
                     st.floats(), st.lists(st.text(), max_size=2))


@FUZZ
@given(st.text(st.characters(codec="utf-8"), max_size=300))
def test_any_string_masks_without_raising(text: str) -> None:
    out = MASKER.mask_text(text)
    assert isinstance(out, str)


@FUZZ
@given(st.tuples(*[ANYTHING] * len(TEXT_FIELDS)))
def test_any_field_values_mask_or_fail_closed(values: tuple[object, ...]) -> None:
    """Whatever a broken importer puts in an event, masking returns an Event or raises our own error."""
    raw = RawEvent(0.0, "u", *values[:2], Action.FOCUS, *values[2:4], element_path=values[4])  # type: ignore[arg-type]
    try:
        for event in (MASKER.mask(raw), *MASKER.mask_many([raw])):
            assert all(isinstance(getattr(event, n), str) for n in TEXT_FIELDS)
    except TasklensError:
        pass
