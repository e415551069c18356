"""The masker with real Presidio: each entity's positives and near misses, gates, caching, fail-closed."""

from __future__ import annotations

import pytest

from tasklens.config import Config, Recognizer
from tasklens.events import Action, Event, RawEvent
from tasklens.privacy.masker import REDACTED, Masker, get_masker

CONFIG = Config(person_names=("Maria Keller", "Jonas Okafor", "Li Wei"),
                recognizers=(Recognizer("CUSTOMER_ID", r"\bCUST-\d{6}\b"),
                             Recognizer("TICKET_ID", r"\b\d{7}\b", ("ticket", "case"), 0.3)))


@pytest.fixture(scope="module")
def masker() -> Masker:
    return get_masker(CONFIG)


# (text, the substring that must be replaced, its placeholder)
POSITIVES = [
    ("Inbox - maria.keller@example.com - Thunderbird", "maria.keller@example.com", "<EMAIL_ADDRESS>"),
    ("reset?email=a.b@example.org&x=1", "a.b@example.org", "<EMAIL_ADDRESS>"),
    ("Inbox - maria.keller@globex.test - Mail", "maria.keller@globex.test", "<EMAIL_ADDRESS>"),  # no public suffix
    ("Call +49 170 1234567 - Calendar", "+49 170 1234567", "<PHONE_NUMBER>"),
    ("Contact (212) 555-0198 today", "(212) 555-0198", "<PHONE_NUMBER>"),
    ("Call +49 155 1234567 - Calendar", "+49 155 1234567", "<PHONE_NUMBER>"),   # outside the numbering plan
    ("Card 4111 1111 1111 1111 ok", "4111 1111 1111 1111", "<CREDIT_CARD>"),
    ("Pay to DE89 3704 0044 0532 0130 00 now", "DE89 3704 0044 0532 0130 00", "<IBAN_CODE>"),
    ("Mistyped DE12 4567 1234 9876 5432 11 - Bank", "DE12 4567 1234 9876 5432 11", "<IBAN_CODE>"),
    ("Ping 10.0.3.195 failed", "10.0.3.195", "<IP_ADDRESS>"),
    ("Host fe80::1ff:fe23:4567:890a up", "fe80::1ff:fe23:4567:890a", "<IP_ADDRESS>"),
    ("Employee SSN 536-22-8417 - Workday", "536-22-8417", "<US_SSN>"),
    ("https://crm.example.com/orders?customer=C12345 - Firefox", "C12345", "<URL_QUERY>"),
    ("https://x.example.com/track#AbC123token", "AbC123token", "<URL_QUERY>"),
    ("/home/jdoe/Documents/a.txt - gedit", "jdoe", "<USERNAME>"),
    ("C:\\Users\\john.murphy\\Documents\\README.md - Notepad", "john.murphy", "<USERNAME>"),
    ("C:\\Users\\John Smith\\Desktop\\a.txt", "John Smith", "<USERNAME>"),
    ("/Users/anna/Desktop/x.png - Preview", "anna", "<USERNAME>"),
    ("ssh ahmed@10.0.3.195", "ahmed", "<USERNAME>"),
    ("https://bob:hunter2@git.example.com/repo", "bob:hunter2", "<USERNAME>"),
    ("Slack | @kim.tran mentioned you", "@kim.tran", "<USERNAME>"),
    ("Lunch? - Maria Keller - Thunderbird", "Maria Keller", "<PERSON>"),
    ("notes_maria_keller.odt - Writer", "maria_keller", "<PERSON>"),
    ("Call Jonas about it", "Jonas", "<PERSON>"),
    ("Order - Gwen Ashdown <gwen@example.com> - Mail", "Gwen Ashdown", "<PERSON>"),
    ('"Ashdown, Gwen" <gwen@example.com>', "Ashdown, Gwen", "<PERSON>"),
    ("Customer CUST-884211 - CRM", "CUST-884211", "<CUSTOMER_ID>"),
    ("Support ticket 4471234 - Zendesk", "4471234", "<TICKET_ID>"),
]

# Near misses: nothing here is personal data, so nothing may change.
NEGATIVES = [
    "README.md - Visual Studio Code",
    "C:\\Users\\Public\\Documents\\invoices.xlsx - Excel",
    "Invoice INV-12345 from Acme GmbH",
    "Where is my order 123456? - Thunderbird",
    "Budget 2026 Q3 v12.xlsx - Excel",
    "Python 3.11.7 documentation",
    "Version +3.11.7, temperature +20 C",
    "Meeting 10:30-11:00, Room 4.12",
    "ISO 9001:2015 checklist",
    "Page 12 of 400 - Acrobat",
    "Slack | #general | Example Corp",
    "Build 4471234 passed",                                 # TICKET_ID needs its context word
    "Card 4111 1111 1111 1112 declined",                    # fails the Luhn check
    "https://docs.python.org/3/library/re.html - Firefox",
    "the keller door and the wei river",                    # a listed name's parts alone need a capital
]


@pytest.mark.parametrize(("text", "secret", "placeholder"), POSITIVES)
def test_each_entity_is_replaced_by_its_placeholder(masker: Masker, text: str, secret: str, placeholder: str) -> None:
    out = masker.mask_text(text)
    assert secret not in out
    assert placeholder in out
    assert out.replace(placeholder, "") != ""


@pytest.mark.parametrize("text", NEGATIVES)
def test_near_misses_stay_as_they_are(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


def test_known_invalid_ssn_is_not_called_one(masker: Masker) -> None:
    # 078-05-1120 (the Woolworth wallet card) is rejected as an SSN; phone-shaped, it may still be masked
    assert "<US_SSN>" not in masker.mask_text("SSN 078-05-1120 is the famous invalid one")


def test_structure_around_placeholders_is_kept(masker: Masker) -> None:
    out = masker.mask_text("Orders - CRM - https://crm.example.com/orders?customer=C12345&tab=2 - Mozilla Firefox")
    assert out == ("Orders - CRM - https://crm.example.com/orders?customer=<URL_QUERY>&tab=<URL_QUERY> "
                   "- Mozilla Firefox")


def test_mask_event_masks_title_value_target_and_copies_the_rest(masker: Masker) -> None:
    raw = RawEvent(1700000000.5, "emp-1", "thunderbird", "Inbox - maria.keller@example.com", Action.PASTE,
                   target="To: jonas.okafor@example.com", value="IBAN DE89 3704 0044 0532 0130 00",
                   duration=1.5, count=3, source_row=7, exe="/usr/bin/thunderbird")
    e = masker.mask(raw)
    assert type(e) is Event
    assert (e.ts, e.user, e.app, e.action, e.duration, e.count, e.source_row) == \
        (raw.ts, raw.user, raw.app, raw.action, raw.duration, raw.count, raw.source_row)
    assert e.title == "Inbox - <EMAIL_ADDRESS>"
    assert e.target == "To: <EMAIL_ADDRESS>"
    assert e.value == "IBAN <IBAN_CODE>"


def test_app_is_masked_only_when_it_looks_like_a_path(masker: Masker) -> None:
    plain = masker.mask(RawEvent(0.0, "u", "Maria Keller Tool", "", Action.FOCUS))
    path = masker.mask(RawEvent(0.0, "u", "/home/zed/bin/tool", "", Action.FOCUS))
    assert plain.app == "Maria Keller Tool"   # process names stay: they are what the analyzer groups by
    assert path.app == "/home/<USERNAME>/bin/tool"


def test_mask_many_equals_mask_and_dedupes(masker: Masker) -> None:
    raws = [RawEvent(float(i), "u", "app", f"Call +49 170 12345{i % 3}{i % 2} - Calendar", Action.FOCUS)
            for i in range(30)]
    before = masker.stats()["batch_duplicates"]
    assert masker.mask_many(raws) == [masker.mask(r) for r in raws]
    assert masker.stats()["batch_duplicates"] - before >= 3 * 30 - 6 - 2


def test_repeated_strings_hit_the_cache(masker: Masker) -> None:
    text = "Cache me - maria.keller@example.com - unique 91733"
    masker.mask_text(text)
    hits = masker.stats()["cache_hits"]
    for _ in range(5):
        masker.mask_text(text)
    assert masker.stats()["cache_hits"] == hits + 5


def test_bad_strings_fail_closed_never_raise(masker: Masker) -> None:
    before = masker.stats()["failures_redacted"]
    assert masker.mask_text(None) == ""                    # type: ignore[arg-type]
    assert masker.mask_text(12345) == REDACTED             # type: ignore[arg-type]
    assert masker.mask_text("x" * 20_000) == REDACTED
    e = masker.mask(RawEvent(0.0, "u", "app", b"bytes title", Action.FOCUS))  # type: ignore[arg-type]
    assert e.title == REDACTED
    assert masker.stats()["failures_redacted"] == before + 3


def test_presidio_failure_on_one_string_redacts_only_that_string(masker: Masker,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = masker._analyzer.analyze

    def flaky(text: str, **kw: object) -> list:  # type: ignore[type-arg]
        if "BOOM" in text:
            raise RuntimeError(f"analyzer broke on {text}")
        return real(text, **kw)

    monkeypatch.setattr(masker._analyzer, "analyze", flaky)
    before = masker.stats()["failures_redacted"]
    raw = RawEvent(0.0, "u", "app", "BOOM 4111 1111 1111 1111 - canary", Action.FOCUS,
                   value="fine value 10.0.9.9 x9")
    e = masker.mask(raw)
    assert e.title == REDACTED
    assert e.value == "fine value <IP_ADDRESS> x9"
    assert masker.stats()["failures_redacted"] == before + 1


def test_leak_check_redacts_when_anonymizer_misses_a_span(masker: Masker, monkeypatch: pytest.MonkeyPatch) -> None:
    class Identity:
        def anonymize(self, text: str, *a: object, **kw: object) -> object:
            return type("R", (), {"text": text})()

    monkeypatch.setattr(masker, "_anonymizer", Identity())
    before = masker.stats()
    assert masker.mask_text("Leak check 10.0.77.1 here") == REDACTED
    after = masker.stats()
    assert after["leak_check_redacted"] == before["leak_check_redacted"] + 1
    assert after["failures_redacted"] == before["failures_redacted"] + 1


def test_gates_do_not_change_what_is_found(masker: Masker) -> None:
    """The per-entity gates only skip work: ungated analysis finds the same on every test string."""
    import json
    from pathlib import Path
    ungated = Masker(CONFIG)
    ungated._always, ungated._gated = ungated.entities, []
    rows = [json.loads(line) for line in
            (Path(__file__).parent / "data" / "privacy" / "titles.jsonl").read_text().splitlines()]
    texts = [t for t, _, _ in POSITIVES] + NEGATIVES + [str(r["text"]) for r in rows]
    for t in texts:
        assert masker.spans(t) == ungated.spans(t), t


def test_get_masker_makes_one_per_config() -> None:
    assert get_masker(CONFIG) is get_masker(CONFIG)
