"""Recall and precision per entity on the labelled title set (tests/data/privacy/titles.jsonl)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tasklens.config import Config, Recognizer
from tasklens.privacy.evaluation import Score, evaluate
from tasklens.privacy.masker import get_masker

DATA = Path(__file__).parent / "data" / "privacy"
sys.path.insert(0, str(DATA))   # the labelled-title generator lives beside its data
import make_titles  # noqa: E402

PATTERN_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN",
                    "URL_QUERY", "USERNAME", "CUSTOMER_ID")


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    config = Config(person_names=tuple(f"{f} {last}" for f in make_titles.LISTED_FIRST for last in make_titles.LISTED_LAST),
                    recognizers=(Recognizer("CUSTOMER_ID", make_titles.CUSTOMER_REGEX),))
    rows = [json.loads(line) for line in (DATA / "titles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 200
    return evaluate(rows, get_masker(config).spans)


def test_data_file_matches_its_generator() -> None:
    rows = [json.loads(line) for line in (DATA / "titles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == make_titles.build()


@pytest.mark.parametrize("entity", PATTERN_ENTITIES)
def test_pattern_entity_targets(scores: dict[str, Score], entity: str) -> None:
    s = scores[entity]
    assert s.labelled >= 8
    assert s.recall >= 0.95, (entity, s)
    assert s.precision >= 0.9, (entity, s)
    assert s.leaked_chars == 0, (entity, s)


def test_listed_person_names_are_found(scores: dict[str, Score]) -> None:
    assert scores["PERSON"].recall >= 0.95 and scores["PERSON"].precision >= 0.9


def test_unlisted_names_are_not_found_as_documented(scores: dict[str, Score]) -> None:
    # no offline NER here: a name in no list and beside no e-mail address stays (README says so)
    assert scores["PERSON_UNLISTED"].labelled > 0 and scores["PERSON_UNLISTED"].recall < 0.5
