"""TASKLENS_KEY: a raw key is exactly 64 hex digits; a near miss is a typo, not a passphrase; a
passphrase is long enough to resist guessing."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens import storekey
from tasklens.errors import KeyUnavailableError


def test_64_hex_digits_are_a_raw_key() -> None:
    key = storekey.from_text("Ab" * 32, "TASKLENS_KEY")
    assert key.raw and key.pragma() == "\"x'" + "ab" * 32 + "'\""


@pytest.mark.parametrize("digits", [63, 65, 48, 128])
def test_a_hex_key_of_the_wrong_length_is_refused_with_a_hint(digits: int) -> None:
    text = secrets.token_hex(64)[:digits]
    with pytest.raises(KeyUnavailableError) as e:
        storekey.from_text(text, "TASKLENS_KEY")
    assert f"looks like a hex key with {digits} digits; a raw key has 64" in str(e.value)
    assert text not in str(e.value)   # the secret is never echoed


@pytest.mark.parametrize("short", ["a", "hunter2", "eleven-char"])
def test_a_short_passphrase_is_refused(short: str) -> None:
    with pytest.raises(KeyUnavailableError, match=f"has {len(short)} characters: a passphrase needs 12 or more"):
        storekey.from_text(short, "TASKLENS_KEY")


def test_a_passphrase_of_12_characters_is_accepted() -> None:
    key = storekey.from_text("twelve chars", "TASKLENS_KEY")
    assert not key.raw and key.pragma() == "'twelve chars'"


def test_the_cli_refuses_a_63_digit_key_and_creates_nothing(store_path: Path) -> None:
    r = run_cli("consent", "accept", "--store", str(store_path), env={"TASKLENS_KEY": secrets.token_hex(32)[:63]})
    assert r.returncode == 2
    assert r.stderr.startswith("tasklens: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "looks like a hex key with 63 digits; a raw key has 64" in r.stderr
    assert not store_path.exists()


def test_the_cli_refuses_the_passphrase_a(store_path: Path) -> None:
    r = run_cli("consent", "accept", "--store", str(store_path), env={"TASKLENS_KEY": "a"})
    assert r.returncode == 2 and "12 or more characters" in r.stderr
    assert not store_path.exists()
