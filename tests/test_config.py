"""Configuration: merging organisation and user files, and one clear line for every bad value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.config import BUILTIN_APP_DENY, load_config
from tasklens.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_files(tmp_path: Path) -> None:
    c = load_config(tmp_path / "none.toml")
    assert c.retention_days == 30 and c.idle_seconds == 60 and not c.record_typed_text
    assert "keepassxc*" in c.app_deny


def test_user_may_only_tighten_the_organisation_policy(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", '[consent]\nnotice_version = "2026-11"\nnotice_text = "We record X."\n'
                '[retention]\ndays = 14\n[capture]\napp_deny = ["slack"]\n')
    user = write(tmp_path / "user.toml", '[retention]\ndays = 90\n[capture]\napp_deny = ["spotify"]\n'
                 'title_exclude = ["(?i)payslip"]\n')
    c = load_config(user, org)
    assert c.notice_version == "2026-11" and c.retention_days == 14
    assert {"slack", "spotify", *BUILTIN_APP_DENY} <= set(c.app_deny)
    assert "(?i)payslip" in c.title_exclude and any("incognito" in p for p in c.title_exclude)


@pytest.mark.parametrize(("text", "needle"), [
    ('[capture]\nidle_secs = 5\n', "capture.idle_secs: unknown key; allowed: app_allow, app_deny"),
    ('[capture]\nidle_seconds = -5\n', "capture.idle_seconds: must be a number > 0, got -5"),
    ('[retention]\ndays = "thirty"\n', "retention.days: must be a whole number of days"),
    ('[capture]\ntitle_exclude = ["(unclosed"]\n', "capture.title_exclude: must be valid regular expressions"),
    ('[sharing]\nx = 1\n', "sharing: unknown section; allowed: consent, capture"),
    ('[consent]\nnotice_version = "9"\n', "consent.notice_version: only the organisation file may set this"),
    ('capture = [\n', "not valid TOML"),
])
def test_bad_user_config_names_file_key_and_what_is_allowed(tmp_path: Path, text: str, needle: str) -> None:
    bad = write(tmp_path / "user.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert str(err.value).startswith(f"bad config {bad}") and needle in str(err.value)


def test_bad_org_recognizer_is_reported(tmp_path: Path) -> None:
    org = write(tmp_path / "org.toml", '[[privacy.recognizers]]\nentity = "customer id"\nregex = "C\\\\d+"\n')
    with pytest.raises(ConfigError, match="privacy.recognizers: must be a list of tables with entity"):
        load_config(tmp_path / "none.toml", org)


def test_cli_reports_bad_config_in_one_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "org.toml", '[retention]\ndays = 0\n')
    r = run_cli("--org-config", str(bad), "consent", "show")
    assert r.returncode == 2
    want = f"bad config {bad}: retention.days: must be a whole number of days from 1 to 3650, got 0"
    assert r.stderr == f"tasklens: error: {want}\n"


@pytest.mark.parametrize(("org_days", "user_days", "applies", "refused"), [
    (30, 60, 30, True),      # looser than the organisation: named, not silently dropped
    (30, 14, 14, False),     # tighter: applies
    (None, 60, 30, True),    # looser than the built-in default
])
def test_a_loosening_that_cannot_apply_is_reported(tmp_path: Path, org_days: int | None, user_days: int,
                                                   applies: int, refused: bool) -> None:
    user = write(tmp_path / "user.toml", f"[retention]\ndays = {user_days}\n")
    org = write(tmp_path / "org.toml", f"[retention]\ndays = {org_days}\n") if org_days else None
    args = ["--config", str(user)] + (["--org-config", str(org)] if org else [])
    show = run_cli("config", "show", "--json", *args)
    assert show.returncode == 0
    data = json.loads(show.stdout)
    assert data["settings"]["retention.days"]["value"] == applies
    assert data["settings"]["retention.days"]["from"] == (str(user) if not refused else str(org) if org
                                                          else "built-in default")
    check = run_cli("config", "check", *args)
    assert check.returncode == (1 if refused else 0)
    assert ("retention.days = 60 cannot apply" in check.stdout) == refused


def test_config_show_names_the_origin_of_each_value(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", '[capture]\napp_deny = ["slack*"]\nidle_seconds = 30\n')
    out = run_cli("config", "show", "--config", str(user)).stdout
    assert f"capture.idle_seconds       = 30   # {user}" in out
    assert f"# built-in default + {user}" in out and "retention.days             = 30   # built-in default" in out
