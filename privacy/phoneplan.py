"""What the numbering plan rules out before phonenumbers is asked to match a number.

phonenumbers' matcher costs ~0.1-2 ms a call, and zero-padded references (`Case 00131453`) are shaped
like an international number after 00, so a log full of them asked it a million times, each time to
hear no. A number written as + (or 00) and digits alone is read as a country calling code and a
national number; no region of that code has a valid number shorter than its plan's shortest possible
length, so a shorter one can be refused here with the same answer.
"""

from __future__ import annotations

from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_LONGEST_CODE = 3
_NON_GEOGRAPHIC = "001"


@cache
def _shortest(code: int) -> int:
    """The fewest national digits any region of calling code `code` may have (local-only lengths too)."""
    shortest = None
    for region in COUNTRY_CODE_TO_REGION_CODE[code]:
        meta = (PhoneMetadata.metadata_for_nongeo_region(code) if region == _NON_GEOGRAPHIC
                else PhoneMetadata.metadata_for_region(region))
        desc = None if meta is None else meta.general_desc
        if desc is None or not desc.possible_length:
            return 0   # a region without lengths bounds nothing
        least = min((*desc.possible_length, *desc.possible_length_local_only))
        shortest = least if shortest is None else min(shortest, least)
    return shortest or 0


def too_short_international(number: str) -> bool:
    """True when `number` (the digits after + or 00, ASCII digits only) cannot be a valid phone number:
    no calling code starts it, or fewer digits than its plan's shortest follow the code. The code is
    read as phonenumbers reads it: the first 1-3 digit prefix that is a calling code. Anything else
    (separators, other digits) is False: phonenumbers must decide."""
    if not (number.isascii() and number.isdigit()):
        return False
    if number[:1] == "0":
        return True   # no calling code starts with 0: phonenumbers refuses it
    for k in range(1, min(len(number), _LONGEST_CODE) + 1):
        code = int(number[:k])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return len(number) - k < _shortest(code)
    return True
