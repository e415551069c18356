"""Presidio set up to run offline: a blank spaCy tokenizer, pattern recognizers only, no downloads.

Presidio's default English set-up loads `en_core_web_lg`, which cannot be fetched here. A blank English
pipeline made at run time (`spacy.blank("en")`) needs no files, so it works in a PyInstaller bundle too;
it gives the tokens that context words ("customer", "phone") need. No NER runs: person names come from
organisation lists (see `NameListRecognizer`), which the README says plainly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import cast

import spacy
import tldextract.tldextract
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    UsSsnRecognizer,
)
from spacy.tokens import Doc

from tasklens.config import Config
from tasklens.privacy.recognizers import (
    DisplayNameRecognizer,
    IbanShapeRecognizer,
    LabelledIpRecognizer,
    NameListRecognizer,
    OrgRecognizer,
    PathUserRecognizer,
    RunPhoneRecognizer,
    UrlEmailRecognizer,
    UrlQueryRecognizer,
    card_digits,
    iban_start,
    org_recognizers,
)

LANGUAGE = "en"
# Phone scores 0.4 without a context word; SSN's weak patterns (bare 9 digits) need one.
SCORE_THRESHOLD = 0.4

# Necessary conditions for a recognizer to find anything (its gate): a string that fails every gate of an
# entity's recognizers is not analysed for that entity, and one that fails all entities' gates never
# reaches Presidio, whose per-call cost is most of masking (tests prove gated and ungated analysis agree).
# the SSN patterns themselves, as one: any run of 9+ digits used to open it (every ERP order number), and
# then the text was tokenized for SSN's context words
_SSN_DIGITS = re.compile(r"\b(?:[0-9]{5}-[0-9]{4}|[0-9]{3}-[0-9]{6}|[0-9]{9}|[0-9]{3}[- .][0-9]{2}[- .][0-9]{4})\b")
# 4 numbers; or what every IPv6 pattern holds: "::" or eight groups (a time, 10:32, is neither)
_IPV4_OR_V6 = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d|::|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]")
_PATH_OR_AT = re.compile(r"[@/\\~]")   # home folders, ~user, logins, URL user info, @mentions


# A query or fragment inside a URL: every URL start the recognizer accepts (scheme://, www., host.tld)
# holds a "." or ":" before the "?" or "#" in the same token (a ticket #4711 beside notes.docx has none)
_URL_QUERY = re.compile(r"[.:][^ \t]*[?#]")


def _url_query(s: str) -> bool:
    return _URL_QUERY.search(s) is not None


_GATE_OF_CLASS: dict[type[EntityRecognizer], Callable[[str], bool]] = {
    UrlEmailRecognizer: lambda s: "@" in s,
    CreditCardRecognizer: card_digits,
    IbanRecognizer: iban_start,          # one gate for both: the entity's is asked once
    IbanShapeRecognizer: iban_start,
    LabelledIpRecognizer: lambda s: _IPV4_OR_V6.search(s) is not None,
    UsSsnRecognizer: lambda s: _SSN_DIGITS.search(s) is not None,
    PathUserRecognizer: lambda s: _PATH_OR_AT.search(s) is not None,
    UrlQueryRecognizer: _url_query,
    DisplayNameRecognizer: lambda s: "@" in s and "<" in s,
}


def _gate(r: EntityRecognizer) -> Callable[[str], bool] | None:
    """`r`'s gate, or None where nothing is cheaper than asking it."""
    if isinstance(r, RunPhoneRecognizer):
        return r.may_find                 # phonenumbers is its cost; the runs' shapes are cheap
    if isinstance(r, NameListRecognizer):
        return r.may_match
    if isinstance(r, OrgRecognizer):
        # the organisation's regex alone, without Presidio's engine around it; context only raises a score
        return lambda s: bool(r.analyze(s, r.supported_entities, None))
    return _GATE_OF_CLASS.get(type(r))


def entity_gates(analyzer: AnalyzerEngine) -> dict[str, Callable[[str], bool]]:
    """Per entity whose every recognizer has a gate: whether any of them may find something."""
    by_entity: dict[str, list[Callable[[str], bool] | None]] = {}
    for r in analyzer.registry.recognizers:
        for e in r.supported_entities:
            by_entity.setdefault(e, []).append(_gate(r))
    gates: dict[str, Callable[[str], bool]] = {}
    for e, found in by_entity.items():
        if None not in found:
            known = [g for g in dict.fromkeys(found) if g is not None]   # a gate two recognizers share, once
            gates[e] = known[0] if len(known) == 1 else _any(known)
    return gates


def _any(gates: list[Callable[[str], bool]]) -> Callable[[str], bool]:
    return lambda s: any(g(s) for g in gates)


class _WithheldFilter(logging.Filter):
    """Presidio logs candidate values (e.g. an IBAN that failed validation): keep the event, not the text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"{record.name}: a {record.levelname.lower()} message was withheld (it may hold unmasked text)"
        record.args = ()
        return record.levelno >= logging.WARNING


def offline_tldextract() -> None:
    """The e-mail recognizer's domain check uses tldextract's shared extractor: make it use the list
    shipped inside the package and never the network, even if tldextract was imported before us."""
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def quiet_presidio() -> None:
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WithheldFilter) for f in logger.filters):
            logger.addFilter(_WithheldFilter())


class BlankSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on a blank English pipeline: tokens and stop words, no model files."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank:en"}])

    def load(self) -> None:
        self.nlp = {LANGUAGE: spacy.blank(LANGUAGE)}  # type: ignore[assignment]  # Presidio declares it None until load()

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        # a blank pipeline has no lemmatizer: the lower-cased token stands in for the lemma
        return NlpArtifacts(entities=[], tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lower_ for t in doc], nlp_engine=self, language=language, scores=[])


class TokenAwareEnhancer(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, skipped when there are no tokens and no context words to use: it
    deep-copies every result list first, which cost ~15 % of masking for nothing."""

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None
                              ) -> list[RecognizerResult]:
        if not context and (nlp_artifacts is None or len(nlp_artifacts.tokens) == 0):
            return raw_results
        return super().enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)


def context_entities(config: Config) -> set[str]:
    """Entities whose findings can fall below the threshold without a context word: only for these
    does the text need tokenizing (US SSN's weak patterns, organisation recognizers with context)."""
    return {"US_SSN"} | {r.entity for r in config.recognizers if r.context}


def no_tokens(analyzer: AnalyzerEngine) -> NlpArtifacts:
    """Empty NLP artifacts, passed when no context word can change the outcome."""
    engine = analyzer.nlp_engine
    if not isinstance(engine, SpacyNlpEngine):
        raise TypeError(f"expected the spaCy NLP engine, got {type(engine).__name__}")
    nlp = cast("dict[str, spacy.language.Language] | None", engine.nlp)   # Presidio declares it None until load()
    if nlp is None:
        raise TypeError("the spaCy NLP engine is not loaded")
    return NlpArtifacts(entities=[], tokens=Doc(nlp[LANGUAGE].vocab, words=[]), tokens_indices=[],
                        lemmas=[], nlp_engine=engine, language=LANGUAGE, scores=[])


def recognizers(config: Config) -> list[EntityRecognizer]:
    """The recognizers the masker runs: Presidio's pattern ones we need, ours, the organisation's."""
    found: list[EntityRecognizer] = [
        UrlEmailRecognizer(), RunPhoneRecognizer(), CreditCardRecognizer(), IbanRecognizer(),
        IbanShapeRecognizer(), LabelledIpRecognizer(), UsSsnRecognizer(), PathUserRecognizer(), UrlQueryRecognizer(),
        DisplayNameRecognizer(),
    ]
    if config.person_names:
        found.append(NameListRecognizer(config.person_names))
    found.extend(org_recognizers(config.recognizers))
    return found


def build_analyzer(config: Config) -> AnalyzerEngine:
    """An `AnalyzerEngine` that never touches the network. Takes ~1-3 s; build it once per process."""
    offline_tldextract()
    quiet_presidio()
    nlp = BlankSpacyEngine()
    nlp.load()
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for r in recognizers(config):
        registry.add_recognizer(r)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=[LANGUAGE],
                          context_aware_enhancer=TokenAwareEnhancer(),
                          default_score_threshold=SCORE_THRESHOLD)
