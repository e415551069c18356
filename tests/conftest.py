"""Shared fixtures: every test runs with its own key, home and (absent) config, never the real ones."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh TASKLENS_HOME, a random store key and no user or organisation config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TASKLENS_HOME", str(home))
    monkeypatch.setenv("TASKLENS_KEY", secrets.token_hex(32))
    monkeypatch.setenv("TASKLENS_CONFIG", str(tmp_path / "no-user-config.toml"))
    monkeypatch.delenv("TASKLENS_ORG_CONFIG", raising=False)
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    yield home


@pytest.fixture
def store_path(isolated_env: Path) -> Path:
    return isolated_env / "events.db"
