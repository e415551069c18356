"""The numbering-plan shortcut refuses only what phonenumbers itself would not read as a phone number,
and spares it the zero-padded references that were most of its calls."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from tasklens.config import Config
from tasklens.privacy.masker import Masker
from tasklens.privacy.phoneplan import too_short_international


def _valid(international: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + international, None))
    except phonenumbers.NumberParseException:
        return False


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(sorted(COUNTRY_CODE_TO_REGION_CODE)), st.text("0123456789", max_size=12))
def test_a_number_refused_as_too_short_is_never_valid(code: int, rest: str) -> None:
    number = f"{code}{rest}"
    if too_short_international(number):
        assert not _valid(number)


@pytest.mark.parametrize("region", ["US", "DE", "GB", "SH", "NU", "TK", "AT", "SB"])   # the shortest plans too
def test_valid_international_numbers_are_left_to_phonenumbers(region: str) -> None:
    example = phonenumbers.example_number(region)
    assert example is not None
    number = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
    assert _valid(number)
    assert not too_short_international(number)


@pytest.mark.parametrize("number", ["131453", "881389", "686332", "0123456", "4989 87654321"])
def test_what_is_refused_and_what_is_left_to_phonenumbers(number: str) -> None:
    assert too_short_international(number) is (" " not in number)


def test_zero_padded_case_numbers_stay_and_phones_after_00_are_masked() -> None:
    masker = Masker(Config())
    before = masker.stats()["presidio_calls"]
    assert masker.mask_text("New claim Case 00131453 - ClaimsPro") == "New claim Case 00131453 - ClaimsPro"
    assert masker.stats()["presidio_calls"] == before   # decided without Presidio (and phonenumbers)
    assert "<PHONE_NUMBER>" in masker.mask_text("Callback 004989876543210 - CRM")
    assert "<PHONE_NUMBER>" in masker.mask_text("Customer 0014155550198 - CRM")
