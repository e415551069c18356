"""Planted canaries for every entity never reach the store (rows, file bytes, WAL), logs or exports."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasklens.config import Config, Recognizer
from tasklens.events import Action, RawEvent
from tasklens.identity import store_pseudonym
from tasklens.privacy.masker import REDACTED, Masker, get_masker
from tasklens.store import Store

CONFIG = Config(person_names=("Ottilie Vandersteen",),
                recognizers=(Recognizer("CUSTOMER_ID", r"\bCUST-\d{6}\b"),))

# entity -> (text a source could see, the canaries in it)
CANARIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "EMAIL_ADDRESS": ("Inbox - ottilie.canary@example.org - Thunderbird", ("ottilie.canary",)),
    "EMAIL_INTRANET": ("Inbox - hedda.quist@corp.internal - Thunderbird", ("hedda.quist", "quist@corp")),
    "PHONE_NUMBER": ("Call back +49 176 5550917 - Calendar", ("5550917",)),
    "PHONE_MADE_UP": ("Call back +49 155 7712093 - Calendar", ("7712093",)),
    "CREDIT_CARD": ("Card 4012 8888 8888 1881 - Checkout", ("8888 1881", "4012 8888")),
    "IBAN_CODE": ("Refund DE44 5001 0517 5407 3249 31 - Bank", ("5407 3249", "DE44 5001")),
    "IBAN_MISTYPED": ("Refund DE45 5001 0517 5407 3249 31 - Bank", ("DE45 5001",)),
    "IP_ADDRESS": ("ssh admin@10.77.31.204 - xterm", ("10.77.31.204",)),
    "US_SSN": ("Employee SSN 536-87-4412 - Workday", ("536-87-4412",)),
    "URL_QUERY": ("Orders - https://crm.example.com/o?customer=QZX77813&token=s3kr1tT0k3n - Firefox",
                  ("QZX77813", "s3kr1tT0k3n")),
    "USERNAME_POSIX": ("/home/zoltanq/Downloads/payslip.pdf - Evince", ("zoltanq",)),
    "USERNAME_WINDOWS": ("C:\\Users\\yrsa.beaumont\\Documents\\cv.docx - Word", ("yrsa.beaumont",)),
    "USERNAME_SSH": ("ssh quillon@build-07 - xterm", ("quillon",)),
    "PERSON": ("Lunch? - Ottilie Vandersteen - Thunderbird", ("Ottilie", "Vandersteen")),
    "PERSON_DISPLAY": ("Re: order - Wendeline Marchetti <wm@example.com> - Mail", ("Wendeline", "Marchetti")),
    "CUSTOMER_ID": ("Customer CUST-884211 - CRM", ("CUST-884211",)),
}
ALL = [c for _, cs in CANARIES.values() for c in cs]


@pytest.fixture(scope="module")
def masker() -> Masker:
    return get_masker(CONFIG)


def _raw_events(user: str) -> list[RawEvent]:
    raws = []
    for i, (text, _) in enumerate(CANARIES.values()):
        # every text field carries the canary: an imported app column can hold anything (issue 12)
        raws.append(RawEvent(1_790_000_000.0 + i, user, text, text, Action.FOCUS, target=text, value=text,
                             element_path=text))
    # one string the masker cannot handle (too long) must be redacted whole, not stored as it is
    raws.append(RawEvent(1_790_000_100.0, user, "app", "x" * 20_000 + " ottilie.canary@example.org", Action.FOCUS))
    return raws


def _assert_clean(blob: str | bytes, where: str) -> None:
    for canary in ALL:
        needle = canary.encode() if isinstance(blob, bytes) else canary
        assert needle not in blob, f"canary {canary!r} found in {where}"


def test_canaries_are_really_planted() -> None:
    text = "\n".join(t for t, _ in CANARIES.values())
    assert all(c in text for c in ALL)


def test_no_canary_in_store_rows_file_bytes_or_wal(masker: Masker, store_path: Path) -> None:
    with Store.open(store_path) as store:
        user = store_pseudonym(store)
        events = masker.mask_many(_raw_events(user))
        assert events[-1].title == REDACTED
        store.append(events)
        store.append([masker.mask(r) for r in _raw_events(user)])   # the one-by-one path too
        rows = [json.dumps(e.as_dict()) for e in store.events()]
        assert len(rows) == 2 * len(events)
        _assert_clean("\n".join(rows), "decrypted rows")
        for suffix in ("", "-wal", "-shm"):
            f = Path(f"{store_path}{suffix}")
            if f.exists():
                _assert_clean(f.read_bytes(), f.name)
        assert Path(f"{store_path}-wal").exists()   # the WAL was really looked at while open
    _assert_clean(store_path.read_bytes(), "db file after close")


def test_no_canary_in_debug_logs_even_when_masking_fails(masker: Masker, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    real = masker._analyzer.analyze

    def failing(text: str, **kw: object) -> list:  # type: ignore[type-arg]
        if "Workday" in text:
            raise ValueError(f"cannot analyse {text!r}")   # an exception that carries the text
        return real(text, **kw)

    try:
        for name in ("presidio-analyzer", "presidio-anonymizer"):   # Presidio's own debug output too
            logging.getLogger(name).setLevel(logging.DEBUG)
        monkeypatch.setattr(masker._analyzer, "analyze", failing)
        with Store.open(store_path) as store:
            store.append(masker.mask_many([RawEvent(r.ts, r.user, r.app, r.title + " (log run)", r.action,
                                                    r.target, r.value) for r in _raw_events("emp-log")]))
            list(store.events())
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    text = log_file.read_text(encoding="utf-8")
    assert "redacted" in text          # the failure was logged ...
    _assert_clean(text, "debug log")   # ... without the string


def test_no_canary_in_cli_export_or_show(masker: Masker, store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as store:
        user = store_pseudonym(store)
        store.append(masker.mask_many(_raw_events(user)))
    out = tmp_path / "mine.jsonl"
    env = os.environ.copy()
    cli = [sys.executable, "-m", "tasklens.cli.main"]
    done = subprocess.run(cli + ["store", "export-my-data", "--store", str(store_path), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = out.read_text(encoding="utf-8")
    assert exported.count('"record": "event"') == len(CANARIES) + 1
    _assert_clean(exported, "export-my-data file")
    shown = subprocess.run(cli + ["store", "show", "--json", "--store", str(store_path)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "<EMAIL_ADDRESS>" in shown.stdout
    _assert_clean(shown.stdout + shown.stderr + done.stdout + done.stderr, "CLI output")
