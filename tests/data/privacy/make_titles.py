"""Build the labelled window-title set (`titles.jsonl`) the masker is measured on.

Titles come from hand-written templates of what an office desktop shows: mail subjects, chat
windows, CRM records, file paths, URLs, banking and admin tools, plus titles full of numbers that are
NOT personal data (versions, dates, invoice and room numbers) to measure precision. Each template is
a list of pieces, `(text, entity)`, so every label's span is exact. Values are synthetic: e-mail
domains are example.*, card numbers are Luhn-valid test numbers, IBANs have valid checksums
(some are deliberately mistyped), US SSNs are in valid ranges.

Run `python tests/data/privacy/make_titles.py` to regenerate (seeded, so the file only changes when
templates do). Each line: {"text": ..., "spans": [[start, end, ENTITY], ...], "kind": ...}.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("titles.jsonl")
# Names the organisation's list holds (the bench passes them as config.person_names) ...
LISTED_FIRST = ["Maria", "Jonas", "Aisha", "Pieter", "Sofia", "Ahmed", "Ingrid", "Tomasz"]
LISTED_LAST = ["Keller", "Okafor", "Novak", "Jansen", "Rossi", "Haddad", "Lund", "Wojcik"]
# ... and names it does not: labelled PERSON_UNLISTED, reported apart (no NER can find them here).
UNLISTED = ["Gwendolyn Ashdown", "Ravi Subramaniam", "Lucia Ferreira", "Bram de Wit"]
CUSTOMER_REGEX = r"\bCUST-\d{6}\b"   # the organisation recognizer the bench configures

CARDS = ["4111 1111 1111 1111", "5500 0000 0000 0004", "4012888888881881", "3782 822463 10005",
         "6011 1111 1111 1117", "5105-1051-0510-5100"]


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def _iban(rng: random.Random, valid: bool = True) -> str:
    bban = f"{rng.randint(10000000, 99999999)}{rng.randint(1000000000, 9999999999)}"
    check = 98 - int(bban + "131400") % 97          # DE = 13 14, then 00
    if not valid:
        check = (check + rng.randint(1, 50)) % 97 + 2
    s = f"DE{check:02d}{bban}"
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def _ssn(rng: random.Random) -> str:
    area = rng.choice([123, 219, 536, 401, 772]) + rng.randint(0, 20)
    return f"{area}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def _phone(rng: random.Random) -> str:
    return rng.choice([
        f"+49 {rng.choice([151, 160, 170, 171, 176])} {rng.randint(1000000, 9999999)}",
        f"+44 20 {rng.randint(7000, 8999)} {rng.randint(1000, 9999)}",
        f"({rng.choice([212, 415, 617])}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}",
        f"+1 415 {rng.randint(200, 989)} {rng.randint(1000, 9999)}",
        f"030 {rng.randint(2000000, 8999999)}",
    ])


def _ip(rng: random.Random) -> str:
    return rng.choice([f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"fe80::{rng.randint(4096, 65535):x}:{rng.randint(4096, 65535):x}:{rng.randint(4096, 65535):x}"])


def _fields(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(LISTED_FIRST), rng.choice(LISTED_LAST)
    login = rng.choice([first.lower(), f"{first[0].lower()}{last.lower()}", f"{first.lower()}.{last.lower()}"])
    return {
        "name": f"{first} {last}", "first": first, "unlisted": rng.choice(UNLISTED), "login": login,
        "email": f"{first.lower()}.{last.lower()}@"
                 f"{rng.choice(['example.com', 'mail.example.org', 'corp.example.net'])}",
        "phone": _phone(rng), "card": rng.choice(CARDS), "iban": _iban(rng), "bad_iban": _iban(rng, valid=False),
        "ip": _ip(rng), "ssn": _ssn(rng), "cust": f"CUST-{rng.randint(100000, 999999)}",
        "inv": f"INV-{rng.randint(10000, 99999)}", "order": str(rng.randint(100000, 999999)),
        "qid": f"{rng.randint(10000, 99999)}", "token": "".join(rng.choice("abcdefXYZ0123456789") for _ in range(16)),
        "ver": f"{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}", "year": str(rng.randint(2019, 2027)),
        "room": f"{rng.randint(1, 5)}.{rng.randint(10, 40)}", "num": str(rng.randint(2, 400)),
        "ip4": f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "intranet": f"{first.lower()}.{last.lower()}@{rng.choice(['corp.internal', 'hq.local', 'globex.test'])}",
        "madeup_phone": f"+49 {rng.choice([150, 154, 158, 165])} {rng.randint(1000000, 9999999)}",
        "lower_name": f"{first} {last}".lower(),
        "intl_phone": rng.choice([f"0049 89 {rng.randint(1000000, 99999999)}", f"0044 20 {rng.randint(7000, 8999)} "
                                  f"{rng.randint(1000, 9999)}", f"+1-415-{rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
                                  f"(089) {rng.randint(1000000, 9999999)}"]),
        "bare_phone": str(rng.randint(2000000000, 9899999999)),
        "lower_iban": _iban(rng).lower(), "doc": str(rng.randint(5100000000, 5199999999)),
        "ip6": f"fe80::{rng.randint(4096, 65535):x}:{rng.randint(4096, 65535):x}",
    }


P = tuple[str, str | None]   # a piece: text or {field}, entity label or None
TEMPLATES: dict[str, list[list[P]]] = {
    "mail": [
        [("Invoice {inv} from Acme GmbH - ", None), ("{email}", "EMAIL_ADDRESS"), (" - Mozilla Thunderbird", None)],
        [("Where is my order {order}? - ", None), ("{name}", "PERSON"), (" <", None), ("{email}", "EMAIL_ADDRESS"),
         ("> - Mozilla Thunderbird", None)],
        [("Re: Call me back on ", None), ("{phone}", "PHONE_NUMBER"), (" - Inbox - Outlook", None)],
        [("Inbox - ", None), ("{email}", "EMAIL_ADDRESS"), (" - Mozilla Thunderbird", None)],
        [("Lunch on Friday? - ", None), ("{name}", "PERSON"), (" - Mozilla Thunderbird", None)],
        [("FW: Refund to ", None), ("{iban}", "IBAN_CODE"), (" for ", None), ("{cust}", "CUSTOMER_ID"),
         (" - Message (HTML) - Outlook", None)],
        [("Meeting notes Q3 {year} - ", None), ("{unlisted}", "PERSON_UNLISTED"), (" - Outlook", None)],
        [("Payment card update ", None), ("{card}", "CREDIT_CARD"), (" - Message - Outlook", None)],
        [("Re: Newsletter {year} - Mozilla Thunderbird", None)],
    ],
    "chat": [
        [("Slack | ", None), ("{name}", "PERSON"), (" | direct message", None)],
        [("Slack | #general | Example Corp", None)],
        [("Microsoft Teams - Chat with ", None), ("{name}", "PERSON")],
        [("", None), ("{first}", "PERSON"), (": can you check ", None), ("{ip}", "IP_ADDRESS"), ("? - Slack", None)],
        [("Teams | Call with ", None), ("{unlisted}", "PERSON_UNLISTED"), (" | 00:{num}", None)],
        [("Signal - ", None), ("{phone}", "PHONE_NUMBER")],
        [("#it-support | server ", None), ("{ip}", "IP_ADDRESS"), (" down since 10:30 | Slack", None)],
    ],
    "crm": [
        [("Customer ", None), ("{cust}", "CUSTOMER_ID"), (" - ", None), ("{name}", "PERSON"),
         (" - Salesforce - Google Chrome", None)],
        [("Order {order} - ", None), ("{name}", "PERSON"), (" - CRM - Mozilla Firefox", None)],
        [("Contact: ", None), ("{name}", "PERSON"), (", ", None), ("{phone}", "PHONE_NUMBER"), (" - HubSpot", None)],
        [("Employee record SSN ", None), ("{ssn}", "US_SSN"), (" - Workday", None)],
        [("Payroll - ", None), ("{unlisted}", "PERSON_UNLISTED"), (" - IBAN ", None), ("{iban}", "IBAN_CODE"),
         (" - SAP", None)],
        [("Online Banking - IBAN ", None), ("{bad_iban}", "IBAN_CODE"), (" - Mozilla Firefox", None)],
        [("Case 00{qid} | Card ending ", None), ("{card}", "CREDIT_CARD"), (" | Zendesk", None)],
        [("Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", None)],
        [("Document 51{order}0 was posted in company code 1000 - SAP Easy Access", None)],
        [("Tax ID form W-9 - SSN ", None), ("{ssn}", "US_SSN"), (" - Adobe Acrobat", None)],
    ],
    "path": [
        [("/home/", None), ("{login}", "USERNAME"), ("/Documents/notes ", None), ("{name}", "PERSON"),
         (".odt - LibreOffice Writer", None)],
        [("C:\\Users\\", None), ("{login}", "USERNAME"), ("\\Documents\\README.md - Notepad++", None)],
        [("Attach document /home/", None), ("{login}", "USERNAME"), ("/Downloads/{inv}.pdf - SAP", None)],
        [("", None), ("{login}", "USERNAME"), ("@build-01: ~/src/app - ssh", None)],
        [("ssh ", None), ("{login}", "USERNAME"), ("@", None), ("{ip}", "IP_ADDRESS"), (" - xterm", None)],
        [("/Users/", None), ("{login}", "USERNAME"), ("/Desktop/Budget {year} v{num}.xlsx - Excel", None)],
        [("C:\\Users\\Public\\Documents\\invoices_{year}.xlsx - Excel", None)],
        [("budget_{year}_Q3_v{num}.xlsx - Excel", None)],
        [("report-{year}-11.pdf - Adobe Acrobat Reader", None)],
    ],
    "url": [
        [("Orders - CRM - https://crm.example.com/orders?customer=", None), ("{qid}", "URL_QUERY"),
         (" - Mozilla Firefox", None)],
        [("Reset password - https://login.example.com/reset?email=", None), ("{email}", "EMAIL_ADDRESS"),
         ("&token=", None), ("{token}", "URL_QUERY"), (" - Google Chrome", None)],
        [("https://intranet.example.com/people/profile?id=", None), ("{qid}", "URL_QUERY"), ("&tab=", None),
         ("contact", "URL_QUERY"), (" - Chromium", None)],
        [("Python {ver} documentation - https://docs.python.org/3/library/re.html - Firefox", None)],
        [("GitHub - example/tasklens: release v{ver} - Google Chrome", None)],
        [("Router admin - http://", None), ("{ip}", "IP_ADDRESS"), ("/status - Firefox", None)],
        [("Room {room} booking - https://rooms.example.com/book - Edge", None)],
        [("Tracking - https://parcel.example.com/track#", None), ("{token}", "URL_QUERY"), (" - Firefox", None)],
    ],
    "hard": [   # cases that tripped earlier versions or that pattern recognizers often get wrong
        [("Inbox - ", None), ("{intranet}", "EMAIL_ADDRESS"), (" - Outlook", None)],
        [("Missed call ", None), ("{madeup_phone}", "PHONE_NUMBER"), (" - Teams", None)],
        [("Call ", None), ("{name}", "PERSON"), (" back: ", None), ("{phone}", "PHONE_NUMBER"), (", re ", None),
         ("{cust}", "CUSTOMER_ID"), (" / ", None), ("{email}", "EMAIL_ADDRESS"), (" - Outlook", None)],
        [("scp report.pdf ", None), ("{login}", "USERNAME"), ("@", None), ("{ip4}", "IP_ADDRESS"),
         (":/tmp - Terminal", None)],
        [("ssh -6 ", None), ("{login}", "USERNAME"), ("@[", None), ("{ip}", "IP_ADDRESS"), ("] - xterm", None)],
        [("", None), ("{lower_name}", "PERSON"), (" - WhatsApp", None)],
        [("Firmware 10.0.19045.{num} update - Settings", None)],
        [("Order #{order} shipped - Shop admin", None)],
        [("Sprint {num} board | Jira | https://jira.example.com/secure/RapidBoard.jspa?rapidView=", None),
         ("{num}", "URL_QUERY")],
        [("Quote Q-{year}-{qid} total 1,249.00 EUR - Excel", None)],
        # issue 12 item 5: shapes that were missed
        [("Call back ", None), ("{intl_phone}", "PHONE_NUMBER"), (" - Teams", None)],
        [("Tel. ", None), ("{bare_phone}", "PHONE_NUMBER"), (" - Outlook", None)],
        [("Refund to ", None), ("{lower_iban}", "IBAN_CODE"), (" - Bank", None)],
        [("link:https://portal.example.com/?token=", None), ("{token}", "URL_QUERY"), (" - Slack", None)],
        [("Open (https://crm.example.com/c?id=", None), ("{qid}", "URL_QUERY"), (") - Chrome", None)],
        [("host:", None), ("{ip6}", "IP_ADDRESS"), (" unreachable - Nagios", None)],
        [("cd ~", None), ("{login}", "USERNAME"), ("/reports - bash", None)],
        # issue 11 item 3: order and document numbers are not phone numbers
        [("Where is my order {bare_phone}? - Mozilla Thunderbird", None)],
        [("Document {doc} was posted in company code 1000 - SAP Easy Access", None)],
        [("SWIFT transfer ", None), ("{iban}", "IBAN_CODE"), (" 2,500.00 EUR ref ", None), ("{inv}", None),
         (" - Bank", None)],
    ],
    "other": [
        [("Page {num} of 400 - Adobe Acrobat Reader", None)],
        [("Meeting 10:30-11:00, Room {room} - Calendar", None)],
        [("ISO 9001:2015 audit checklist v{ver}.docx - Word", None)],
        [("Calculator", None)],
        [("Terminal - top - load 0.{num}", None)],
        [("Visual Studio Code - tasklens - main.py", None)],
    ],
}


def _render(pieces: list[P], fields: dict[str, str]) -> dict[str, object]:
    text, spans = "", []
    for raw, entity in pieces:
        piece = raw.format(**fields)
        if entity:
            spans.append([len(text), len(text) + len(piece), entity])
        text += piece
    return {"text": text, "spans": spans}


def build(seed: int = 20261122, per_template: int = 6) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for kind, templates in TEMPLATES.items():
        for pieces in templates:
            seen: set[str] = set()
            for _ in range(per_template):
                row = _render(pieces, _fields(rng)) | {"kind": kind}
                if row["text"] not in seen:
                    seen.add(str(row["text"]))
                    rows.append(row)
    assert all(_luhn_ok(c) for c in CARDS)
    return rows


if __name__ == "__main__":
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} titles to {OUT}")
