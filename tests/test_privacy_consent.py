"""Consent, retention and exclusions against a real encrypted store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tasklens.config import Config
from tasklens.errors import ConsentError
from tasklens.events import Action, Event
from tasklens.privacy import consent
from tasklens.privacy.retention import DAY, purge_expired, purge_if_due
from tasklens.privacy.rules import Exclusions
from tasklens.store import Store


def _events(user: str, *ages_days: float, now: float) -> list[Event]:
    return [Event(now - a * DAY, user, "app", f"t{i}", Action.FOCUS) for i, a in enumerate(ages_days)]


def test_consent_lifecycle(store_path: Path) -> None:
    v1, v2 = Config(notice_version="1"), Config(notice_version="2")
    with Store.open(store_path) as store:
        assert not consent.has_consent(store, "emp-a", v1)
        with pytest.raises(ConsentError, match="tasklens consent accept.*--accept-notice"):
            consent.require(store, "emp-a", v1)
        consent.accept(store, "emp-a", v1)
        consent.require(store, "emp-a", v1)
        assert consent.has_consent(store, "emp-a", v1)
        assert not consent.has_consent(store, "emp-b", v1)           # consent is per user
        with pytest.raises(ConsentError, match="notice changed"):
            consent.require(store, "emp-a", v2)                       # a new notice asks again
        consent.accept(store, "emp-a", v2)
        consent.require(store, "emp-a", v2)
        assert consent.withdraw(store, "emp-a", v2) == 0
        with pytest.raises(ConsentError, match="withdrawn"):
            consent.require(store, "emp-a", v2)
        actions = [a.action for a in store.audit_trail()]
    assert actions.count("consent.accept") == 2 and actions.count("consent.withdraw") == 1


def test_consent_error_is_one_line(store_path: Path) -> None:
    with Store.open(store_path) as store, pytest.raises(ConsentError) as err:
        consent.require(store, "emp-a", Config())
    assert "\n" not in str(err.value)


def test_notice_shows_version_and_text() -> None:
    cfg = Config(notice_version="2026-11", notice_text="We record window titles, masked.")
    text = consent.notice(cfg)
    assert "2026-11" in text and "We record window titles, masked." in text


def test_withdraw_with_delete_erases_only_that_user(store_path: Path) -> None:
    now = 1_790_000_000.0
    with Store.open(store_path) as store:
        store.append(_events("emp-a", 1, 2, 3, now=now) + _events("emp-b", 1, now=now))
        consent.accept(store, "emp-a", Config())
        assert consent.withdraw(store, "emp-a", Config(), delete=True) == 3
        assert store.count(user="emp-a") == 0 and store.count(user="emp-b") == 1
        assert not consent.has_consent(store, "emp-a", Config())
        assert any(a.action == "consent.withdraw.delete" and "3 events" in a.detail for a in store.audit_trail())


def test_retention_purges_old_events_keeps_recent_and_audits(store_path: Path) -> None:
    now = 1_790_000_000.0
    with Store.open(store_path) as store:
        store.append(_events("emp-a", 45, 31, 29, 1, now=now))
        assert purge_expired(store, Config(), now=now) == 2          # default: 30 days
        assert sorted(e.title for e in store.events()) == ["t2", "t3"]
        assert purge_expired(store, replace(Config(), retention_days=7), now=now) == 1
        assert [e.title for e in store.events()] == ["t3"]
        purges = [a for a in store.audit_trail() if a.action == "retention.purge"]
    assert len(purges) == 2 and "deleted=2" in purges[0].detail


def test_purge_if_due_runs_at_most_once_per_interval(store_path: Path) -> None:
    now = 1_790_000_000.0
    with Store.open(store_path) as store:
        store.append(_events("emp-a", 40, now=now))
        assert purge_if_due(store, Config(), now=now) == 1
        store.append(_events("emp-a", 40, now=now))
        assert purge_if_due(store, Config(), now=now + 60) == 0       # too soon
        assert purge_if_due(store, Config(), now=now + 3700) == 1


@pytest.mark.parametrize(("app", "exe", "title", "excluded"), [
    ("keepassxc", "/usr/bin/keepassxc", "Passwords.kdbx - KeePassXC", True),
    ("", "/usr/bin/keepassxc", "whatever", True),                                   # by executable path
    ("KeePass", "C:\\Program Files\\KeePass Password Safe 2\\KeePass.exe", "db", True),  # Windows, any case
    ("1Password.exe", "", "1Password", True),
    ("pass", "/usr/bin/pass", "", True),
    ("passport-app", "/opt/passport-app", "Passport photos", False),                # "pass" is exact, no glob
    ("firefox", "/usr/lib/firefox/firefox", "News - Mozilla Firefox", False),
    ("firefox", "/usr/lib/firefox/firefox", "Mozilla Firefox Private Browsing", True),
    ("msedge", "", "New tab - InPrivate - Microsoft Edge", True),
    ("chrome", "", "New Incognito tab", True),
])
def test_builtin_exclusions(app: str, exe: str, title: str, excluded: bool) -> None:
    assert Exclusions(Config()).excluded(app, exe, title) is excluded


def test_allow_list_and_deny_wins() -> None:
    cfg = replace(Config(), app_allow=("excel*", "*/sap/*"), app_deny=Config().app_deny + ("excel-secret*",),
                  title_exclude=Config().title_exclude + (r"(?i)\bpayroll\b",))
    rules = Exclusions(cfg)
    assert not rules.excluded("EXCEL.EXE", "C:\\Office\\EXCEL.EXE", "Book1 - Excel")
    assert not rules.excluded("saplogon", "/opt/sap/bin/saplogon", "SAP Easy Access")
    assert rules.excluded("firefox", "/usr/bin/firefox", "News")                   # not on the allow list
    assert rules.excluded("excel-secret", "", "Book1")                             # deny beats allow
    assert rules.excluded("excel", "", "Payroll November - Excel")                 # title pattern


def test_the_built_in_notice_says_what_is_recorded_about_ui_elements(store_path: Path) -> None:
    """The element capture is in the text, with what is never taken; who accepted the notice before it
    said so (version 1) is asked again."""
    text = consent.notice(Config())
    for said in ("button, field or link", "its label", "never the text inside a field", "password fields",
                 "query values masked"):
        assert said in text
    with Store.open(store_path) as store:
        consent.accept(store, "emp-a", Config(notice_version="1"))
        with pytest.raises(ConsentError, match="notice changed"):
            consent.require(store, "emp-a", Config())
