"""The private parts of libraries tasklens relies on are still there and still used the way we use them.

pyproject.toml pins these libraries below their next minor (or major) release; when a pin is raised,
this file says which private API moved, by name, instead of a capture that silently records nothing or
a masker that silently calls the network. Each check reads what we touch and nothing more.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from pathlib import Path

import pytest


def _source(dist: str, module: str) -> str:
    """A module's source, read from the installed distribution without importing anything: pynput's
    packages import their X backend, which needs a display."""
    path = Path(str(importlib.metadata.distribution(dist).locate_file(module.replace(".", "/") + ".py")))
    if not path.is_file():
        pytest.fail(f"private API moved: module {module} is gone from {dist}")
    return path.read_text(encoding="utf-8")


def test_pynput_xorg_listeners_and_their_record_context() -> None:
    """collector/x11/input.py builds on pynput's X listeners and disables their RECORD context itself."""
    for module in ("pynput.keyboard._xorg", "pynput.mouse._xorg"):
        assert "class Listener(" in _source("pynput", module), f"private API moved: {module}.Listener"
    mixin = _source("pynput", "pynput._util.xorg")
    assert "class ListenerMixin" in mixin, "private API moved: pynput._util.xorg.ListenerMixin"
    assert "self._context = dm.record_create_context(" in mixin, (
        "private API moved: pynput's X listener no longer keeps its RECORD context in `_context` "
        "(collector/x11/input.py stop() disables `lst._context`)")


def test_presidio_doc_to_nlp_artifact() -> None:
    """privacy/engine.py BlankSpacyEngine overrides it so a blank spaCy pipeline needs no lemmatizer."""
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    method = getattr(SpacyNlpEngine, "_doc_to_nlp_artifact", None)
    assert method is not None, "private API moved: presidio SpacyNlpEngine._doc_to_nlp_artifact is gone"
    assert list(inspect.signature(method).parameters) == ["self", "doc", "language"], (
        "private API moved: presidio SpacyNlpEngine._doc_to_nlp_artifact(doc, language) changed its parameters")
    assert "self._doc_to_nlp_artifact(" in inspect.getsource(SpacyNlpEngine.process_text), (
        "private API moved: presidio SpacyNlpEngine.process_text no longer calls _doc_to_nlp_artifact")


def test_presidio_iban_patterns_by_country() -> None:
    """privacy/recognizers.py builds its IBAN shape from the country codes of this private module."""
    try:
        from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country
    except ImportError:
        pytest.fail("private API moved: presidio_analyzer.predefined_recognizers.generic.iban_patterns."
                    "regex_per_country cannot be imported")
    assert isinstance(regex_per_country, dict) and "DE" in regex_per_country and "GB" in regex_per_country, (
        "private API moved: iban_patterns.regex_per_country is no longer a dict keyed by country code")
    assert all(len(code) == 2 and code.isupper() for code in regex_per_country), (
        "private API moved: iban_patterns.regex_per_country keys are no longer two-letter country codes")


def test_tldextract_shared_extractor_is_what_extract_uses() -> None:
    """privacy/engine.py offline_tldextract replaces tldextract's module-level TLD_EXTRACTOR, which
    Presidio's e-mail recognizer reaches through `tldextract.extract`; if `extract` stopped reading that
    global, the masker would fetch the public suffix list from the network."""
    import tldextract
    import tldextract.tldextract as impl

    assert hasattr(impl, "TLD_EXTRACTOR"), "private API moved: tldextract.tldextract.TLD_EXTRACTOR is gone"
    params = inspect.signature(impl.TLDExtract).parameters
    for name in ("cache_dir", "suffix_list_urls", "fallback_to_snapshot"):
        assert name in params, f"private API moved: tldextract.TLDExtract has no `{name}` parameter"
    seen: list[str] = []
    saved = impl.TLD_EXTRACTOR

    class Probe:
        def __call__(self, url: str, *args: object, **kwargs: object) -> object:
            seen.append(url)
            return saved(url)

    impl.TLD_EXTRACTOR = Probe()
    try:
        tldextract.extract("mail.example.com")
    finally:
        impl.TLD_EXTRACTOR = saved
    assert seen == ["mail.example.com"], (
        "private API moved: tldextract.extract no longer calls the module-level TLD_EXTRACTOR that "
        "privacy/engine.py offline_tldextract replaces")
    email = _source("presidio-analyzer", "presidio_analyzer.predefined_recognizers.generic.email_recognizer")
    assert "tldextract.extract(" in email, (
        "private API moved: Presidio's e-mail recognizer no longer calls tldextract.extract")
