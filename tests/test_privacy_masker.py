"""The masker with real Presidio: each entity's positives and near misses, gates, caching, fail-closed."""

from __future__ import annotations

from collections.abc import Callable

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
    "Shift 0900-1700 - Rota",                               # digit groups that are no phone by shape
    "Budget (2026) 2500 EUR - Excel",
    "Date 01.02.2026 - Calendar",
    # a date with the time after it, and a year-numbered document: python-phonenumbers read each as a phone
    "Meeting notes 03.12.2026 14:00 - Word",
    "Export 2026-12-03 09:15 - Excel",
    "Due 12/31/2026 17:30 - Outlook",
    "Invoice INV-2026-000123 from Acme GmbH - Outlook",
    "Minutes 4 (1000882) - Word",
]

# Issue 12 item 5: shapes the recognizers used to miss (text, the substring that must go, its placeholder)
PATTERN_MISSES = [
    ("link:https://x.example.com/?token=s3cr3t", "s3cr3t", "<URL_QUERY>"),
    ("Open (https://x.example.com/a?token=s3cr3t) now", "s3cr3t", "<URL_QUERY>"),
    ("Open <https://x.example.com/a?token=s3cr3t> now", "s3cr3t", "<URL_QUERY>"),
    ('href="https://x.example.com/a?token=s3cr3t" - Firefox', "s3cr3t", "<URL_QUERY>"),
    ("url=https://x.example.com/a?id=C12345&tab=2", "C12345", "<URL_QUERY>"),
    ("Call 0049 89 87654321 - Teams", "87654321", "<PHONE_NUMBER>"),
    ("Call 0044 20 7946 0958 - Teams", "7946 0958", "<PHONE_NUMBER>"),
    ("Call +44 20 7946 0958 - Teams", "7946 0958", "<PHONE_NUMBER>"),
    ("Call (089) 1234567 - Teams", "1234567", "<PHONE_NUMBER>"),
    ("Call +1-555-123-4567 - Teams", "123-4567", "<PHONE_NUMBER>"),
    ("Call +1 (415) 555-0198 - Teams", "555-0198", "<PHONE_NUMBER>"),
    ("Ring 0176 12345678 - Teams", "12345678", "<PHONE_NUMBER>"),
    ("IBAN de89 3704 0044 0532 0130 00 - Bank", "0532 0130", "<IBAN_CODE>"),
    ("IBAN de89370400440532013000 - Bank", "0532013000", "<IBAN_CODE>"),
    ("Mistyped de12 4567 1234 9876 5432 11 - Bank", "9876 5432", "<IBAN_CODE>"),
    ("Pay gb82 west 1234 5698 7654 32 today", "5698 7654", "<IBAN_CODE>"),
    ("host:fe80::1ff:fe23:4567:890a up", "fe80::1ff:fe23:4567:890a", "<IP_ADDRESS>"),
    ("ipv6:2001:db8::8a2e:370:7334 - ping", "8a2e:370:7334", "<IP_ADDRESS>"),
    # made up or unassigned, but written as only phone numbers are written
    ("Open (328) 400-8808 today", "400-8808", "<PHONE_NUMBER>"),
    ("Notes 100-993-6713", "993-6713", "<PHONE_NUMBER>"),
    ("Office 070/9537120 - Outlook", "9537120", "<PHONE_NUMBER>"),
    ("page 2 0049 10 1000000 - Teams", "1000000", "<PHONE_NUMBER>"),   # after another number
    # beside a date, a time, an identifier or a bracketed number, a phone number is still one
    ("Meeting 03.12.2026 +49 30 1234567 - Outlook", "1234567", "<PHONE_NUMBER>"),
    ("Notes 2026-12-03 (030) 1234567 - Word", "1234567", "<PHONE_NUMBER>"),
    ("Due 03.12.2026 0171 1234567", "1234567", "<PHONE_NUMBER>"),
    ("INV-2026-000123 +49 176 5550917", "5550917", "<PHONE_NUMBER>"),
    ("Ref (4711) 555-123-4567", "123-4567", "<PHONE_NUMBER>"),
    ("ID-0176 12345678 - CRM", "12345678", "<PHONE_NUMBER>"),
    ("cd ~erin/projects - bash", "erin", "<USERNAME>"),
    ("~erin/notes.txt - gedit", "erin", "<USERNAME>"),
]

# Issue 11 item 3: bare digit runs (order, document, material numbers) are not phone numbers; each of
# these digit runs was masked as <PHONE_NUMBER> by python-phonenumbers alone, others of the same length not
BARE_NUMBERS = [
    "Where is my order 1688742? - Thunderbird",
    "Document 8502708466 was posted in company code 1000 - SAP Easy Access",
    "Order 87945995162 - CRM",
    "Invoice 441673771266",
    "Delivery 49783826 created",
    "Material 164622177",
    "Order 239567 1000 pcs",          # a 6-digit first group is no area code
    "Ticket 0012345678 - Zendesk",    # a leading 00 without grouping is a padded number
]

# ... but a bare digit run next to a phone word is one, whatever its digits
PHONE_CONTEXT = [
    ("Phone 4155550198", "4155550198"),
    ("Tel. 8502708466 - Outlook", "8502708466"),
    ("mobile: 01701234567", "01701234567"),
    ("Fax 0891234567 - Fax service", "0891234567"),
    ("Missed call 5100001234 - Teams", "5100001234"),
    ("WhatsApp 1688742", "1688742"),
    ("Tel-0301234567 - Outlook", "0301234567"),      # a run glued to a word by a hyphen is no phone by shape
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


@pytest.mark.parametrize(("text", "secret", "placeholder"), PATTERN_MISSES)
def test_shapes_that_were_missed_are_replaced(masker: Masker, text: str, secret: str, placeholder: str) -> None:
    out = masker.mask_text(text)
    assert secret not in out, out
    assert placeholder in out, out


@pytest.mark.parametrize("text", BARE_NUMBERS)
def test_a_bare_digit_run_is_not_a_phone_number(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


@pytest.mark.parametrize(("text", "digits"), PHONE_CONTEXT)
def test_a_bare_digit_run_beside_a_phone_word_is_one(masker: Masker, text: str, digits: str) -> None:
    out = masker.mask_text(text)
    assert digits not in out and "<PHONE_NUMBER>" in out, out


def test_a_phone_field_makes_its_bare_value_a_phone_number(masker: Masker) -> None:
    """An imported form field named for a phone gives the context a bare value lacks."""
    phone = masker.mask(RawEvent(0.0, "u", "Chrome", "Form", Action.EDIT, "q7_phoneNumber[phone]", "4155550198"))
    order = masker.mask(RawEvent(0.0, "u", "Chrome", "Form", Action.EDIT, "q3_orderNumber", "4155550198"))
    assert phone.value == "<PHONE_NUMBER>"
    assert order.value == "4155550198"


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
                   duration=1.5, count=3, source_row=7, exe="/usr/bin/thunderbird",
                   element_path='frame "Write: Jonas Okafor" > entry "To"')
    e = masker.mask(raw)
    assert type(e) is Event
    assert (e.ts, e.user, e.app, e.action, e.duration, e.count, e.source_row) == \
        (raw.ts, raw.user, raw.app, raw.action, raw.duration, raw.count, raw.source_row)
    assert e.title == "Inbox - <EMAIL_ADDRESS>"
    assert e.target == "To: <EMAIL_ADDRESS>"
    assert e.value == "IBAN <IBAN_CODE>"
    assert e.element_path == 'frame "Write: <PERSON>" > entry "To"'
    assert masker.mask_many([raw]) == [e]


# Issue 12 item 4: an imported app column can hold anything; (app value, what must go, placeholder)
APP_VALUES = [
    ("Maria Keller Tool", "Maria Keller", "<PERSON>"),
    ("/home/zed/bin/tool", "zed", "<USERNAME>"),
    ("Call +49 170 1234567", "1234567", "<PHONE_NUMBER>"),
    ("DE89 3704 0044 0532 0130 00", "0532 0130", "<IBAN_CODE>"),
    ("4111 1111 1111 1111", "4111 1111", "<CREDIT_CARD>"),
    ("10.0.3.195", "10.0.3.195", "<IP_ADDRESS>"),
    ("CUST-884211", "CUST-884211", "<CUSTOMER_ID>"),
    ("SSN 536-22-8417", "536-22-8417", "<US_SSN>"),
    ("maria@example.com", "maria@example.com", "<EMAIL_ADDRESS>"),
]

# What collectors and importers see as app names (process names, executables, display names): these must
# come through unchanged, with a name list and org recognizers configured, or the analysis loses them.
COMMON_APPS = [
    "SAP Logon", "saplogon.exe", "SAP GUI 7.70", "chrome.exe", "Google Chrome", "Chrome", "msedge.exe",
    "Microsoft Edge", "firefox", "firefox.exe", "Mozilla Firefox", "Safari", "Microsoft Excel", "EXCEL.EXE",
    "Excel", "Microsoft Word", "WINWORD.EXE", "Microsoft Outlook", "OUTLOOK.EXE", "Microsoft PowerPoint",
    "POWERPNT.EXE", "OneNote", "Microsoft Teams", "ms-teams.exe", "Teams.exe", "Zoom", "zoom.us", "Slack",
    "slack", "thunderbird", "Mozilla Thunderbird", "explorer.exe", "Finder", "notepad.exe", "Notepad++",
    "Calculator", "CalculatorApp.exe", "AcroRd32.exe", "Acrobat.exe", "Adobe Acrobat Reader DC", "code",
    "Code.exe", "Visual Studio Code", "devenv.exe", "idea64.exe", "pycharm64.exe", "Postman", "DBeaver",
    "Ssms.exe", "putty.exe", "WinSCP.exe", "mstsc.exe", "wfica32.exe", "Citrix Workspace", "javaw.exe",
    "java", "python3.11", "cmd.exe", "powershell.exe", "WindowsTerminal.exe", "gnome-terminal-server",
    "xterm", "org.gnome.Nautilus", "nautilus", "soffice.bin", "libreoffice-calc", "LibreOffice Writer",
    "evince", "gedit", "Salesforce", "ServiceNow", "Jira", "WhatsApp", "Telegram Desktop", "Signal",
    "Spotify.exe", "OS-Clipboard", "7zFM.exe", "Windows PowerShell", "Microsoft 365", "Excel 2016",
]


@pytest.mark.parametrize(("app", "secret", "placeholder"), APP_VALUES)
def test_app_field_is_masked_like_every_text_field(masker: Masker, app: str, secret: str, placeholder: str) -> None:
    raw = RawEvent(0.0, "u", app, "", Action.FOCUS)
    for event in (masker.mask(raw), masker.mask_many([raw])[0]):
        assert secret not in event.app and placeholder in event.app, event.app


def test_common_app_names_survive_unchanged() -> None:
    """With a 100-name directory and org recognizers configured, no common app name is touched."""
    from tasklens.simulate import directory
    m = get_masker(Config(person_names=CONFIG.person_names + directory(), recognizers=CONFIG.recognizers))
    raws = [RawEvent(0.0, "u", app, "", Action.FOCUS) for app in COMMON_APPS]
    changed = {r.app: e.app for r, e in zip(raws, m.mask_many(raws)) if e.app != r.app}
    assert changed == {}


def test_mask_many_equals_mask_and_dedupes(masker: Masker) -> None:
    raws = [RawEvent(float(i), "u", "app", f"Call +49 170 12345{i % 3}{i % 2} - Calendar", Action.FOCUS)
            for i in range(30)]
    before = masker.stats()["batch_duplicates"]
    assert masker.mask_many(raws) == [masker.mask(r) for r in raws]
    assert masker.stats()["batch_duplicates"] - before >= 3 * 30 - 6 - 2


def _varied_raws() -> list[RawEvent]:
    """Every test string of this file, each made distinct twice over, as titles, targets and values."""
    texts = [t for t, _, _ in POSITIVES + PATTERN_MISSES] + NEGATIVES + BARE_NUMBERS + [t for t, _ in PHONE_CONTEXT]
    return [RawEvent(float(i), "u", "app", f"{t} {i}", Action.TYPE, target=t, value=f"{i} {t}")
            for i, t in enumerate(texts * 2)]


def _shared_slowly(m: Masker, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`m` shares batches of 10 strings on, in pieces of 4, and masks slowly, so that a worker gets pieces;
    returns what `m` itself masked."""
    import time

    from tasklens.privacy import masker as masking
    here: list[str] = []

    def slow(text: str, mask: Callable[[str], str] = m.mask_text) -> str:
        here.append(text)
        time.sleep(0.05)
        return mask(text)

    monkeypatch.setattr(m, "mask_text", slow)
    monkeypatch.setattr(masking, "SHARE_FROM", 10)
    monkeypatch.setattr(masking, "_SHARE_CHUNK", 4)
    return here


def test_mask_many_shares_big_batches_with_a_worker_and_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Masked by this process and a spawned worker: the same events, in order, as one by one."""
    raws = _varied_raws()
    expected = [get_masker(CONFIG).mask(r) for r in raws]
    m = Masker(CONFIG)
    here = _shared_slowly(m, monkeypatch)
    assert m.mask_many(raws) == expected
    strings = {s for r in raws for s in (r.app, r.title, r.target, r.value)}
    assert 0 < len(here) < len(strings)                           # both processes masked some
    assert m.stats()["strings"] == len(strings) - ("" in strings)   # the worker's count comes back


def test_workers_started_by_sharing_mask_the_batch_and_stop_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import's masking workers start before its file is read (`sharing`), serve `mask_many` inside
    the block, and are gone after it."""
    from tasklens.privacy import masker as masking
    raws = _varied_raws()
    expected = [get_masker(CONFIG).mask(r) for r in raws]
    m = Masker(CONFIG)
    here = _shared_slowly(m, monkeypatch)
    started: list[object] = []
    new_pool = masking._new_pool
    monkeypatch.setattr(masking, "_new_pool", lambda *a: started.append(new_pool(*a)) or started[-1])
    with m.sharing():
        assert len(started) == 1
        assert m.mask_many(raws) == expected
        assert m.mask_many(raws[:3]) == expected[:3]
    assert len(started) == 1                                   # one pool, started before the batches
    strings = {s for r in raws for s in (r.app, r.title, r.target, r.value)}
    assert 0 < len(here) < len(strings)                        # its worker masked some
    with pytest.raises(RuntimeError):                          # and it was shut down on leaving
        started[0].submit(int)  # type: ignore[attr-defined]


def test_titles_handed_ahead_are_masked_by_the_workers_and_taken_by_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import's titles go to the workers while its file is read (`ahead`); `mask_many` takes their answers
    instead of masking those strings again, and gives the same events as one by one."""
    raws = _varied_raws()
    expected = [get_masker(CONFIG).mask(r) for r in raws]
    m = Masker(CONFIG)
    here = _shared_slowly(m, monkeypatch)
    titles = list(dict.fromkeys(r.title for r in raws))
    with m.sharing():
        m.ahead(titles[:4])
        m.ahead(titles[4:8])
        m._early[0][1].result(timeout=120)   # a worker has masked the first piece (and loaded its Presidio)
        assert m.mask_many(raws) == expected
        assert not m._early                  # taken by the batch
    assert not set(titles[:4]) & set(here)


def test_small_batches_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from tasklens.privacy import masker as masking

    def refuse(*a: object, **kw: object) -> None:
        raise AssertionError("no worker process for a small batch")

    monkeypatch.setattr(masking, "_new_pool", refuse)
    raws = _varied_raws()
    assert Masker(CONFIG).mask_many(raws) == [get_masker(CONFIG).mask(r) for r in raws]


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
    letterless = ["363,442", "12@10.0.0.1", "4111 1111 1111 1111", "+49 170 1234567", "536-22-8417", "(((", ""]
    # every shape of Presidio's SSN and card patterns (the gates look for their digit groups)
    letterless += ["SSN 53622-8417", "536-228417 x", "536 22 8417", "536.22.8417", "id 536228417", "4111-1111-1111-1111",
                   "card 4111111111111111", "5500 0000 0000 0004", "3400 000000 00009", "6011-0009-9013-9424 ok"]
    # SSN's patterns need word boundaries; every IP pattern a dotted quad, "::" or eight groups (a time has none)
    letterless += ["Order 4500001872", "a536228417", "536228417b", "x536-22-8417", "10:32", "12:30:45",
                   "fe80::1", "::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:10.0.0.1", "::ffff:10.0.0.1", "a:b:c:d:e:f:1:2"]
    # a URL query needs a "." or ":" before its "?" or "#" in the same token
    letterless += ["Ticket #4711 notes.docx", "a.b #x", "see x.y?z=1", "localhost:8080/?x=1", "v1.2 ? what",
                   "https://a.b/c#frag", "www.x.org?q=1", "x.org\t?q=1", "mailto:a?subject=hi", "file.txt#L12"]
    texts = [t for t, _, _ in POSITIVES + PATTERN_MISSES] + NEGATIVES + BARE_NUMBERS + letterless + \
        [str(r["text"]) for r in rows]
    for t in texts:
        assert masker.spans(t) == ungated.spans(t), t


def test_get_masker_makes_one_per_config() -> None:
    assert get_masker(CONFIG) is get_masker(CONFIG)
