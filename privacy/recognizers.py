"""Recognizers Presidio lacks or that needed adapting to window titles.

New: user names in paths and logins, URL query values, person-name lists, display names beside an
address, IBAN-shaped strings with a bad checksum, the organisation's own patterns. Adapted: e-mail
(inside URLs, intranet domains), phone (run only on digit runs; international numbers outside the
numbering plan). Each is a Presidio recognizer, so the analyzer scores, enhances and merges its
results like its own. Entity names follow Presidio's where it has one; new ones are USERNAME and
URL_QUERY.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)
from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country

from tasklens.config import Recognizer
from tasklens.privacy.phoneplan import too_short_international

_CASE_SENSITIVE = re.DOTALL | re.MULTILINE

# Home folders that belong to nobody in particular.
_SHARED_HOMES = r"(?!(?:Public|Default|Default User|All Users|Shared|Guest)(?:[\\/]|$))"
# A path component that is a user name: without spaces, or with spaces when a separator follows.
_WIN_NAME = r"(?:[^\\/:*?\"<>|\r\n]+?(?=[\\/])|[^\\/\s:*?\"<>|]+)"
_POSIX_NAME = r"(?:[^/\0\r\n]+?(?=/)|[^/\s\0:*?\"<>|]+)"


class PathUserRecognizer(PatternRecognizer):
    """User names inside home-folder paths, `ssh user@host` logins, URL user info and @mentions."""

    ENTITY = "USERNAME"
    PATTERNS = (
        # 0.9: above a listed name (0.85), so `/home/maria.keller` reads <USERNAME>, below an e-mail (1.0)
        Pattern("windows home", rf"(?i:(?<=\\Users\\)|(?<=[A-Za-z]:/Users/)|(?<=Documents and Settings\\))"
                rf"{_SHARED_HOMES}{_WIN_NAME}", 0.9),
        Pattern("posix home", rf"(?<=/home/){_SHARED_HOMES}{_POSIX_NAME}|(?<=/Users/){_SHARED_HOMES}{_POSIX_NAME}",
                0.9),
        # ~erin/ (a tilde that does not follow a word or a path: not ~/ nor backup~); 0.9 like a home folder
        Pattern("tilde user", r"(?<=(?<![\w/~])~)[A-Za-z_][\w.-]*(?=[/\\]|$)", 0.9),
        # the local part of user@host: an e-mail address is replaced as a whole by its own recognizer
        Pattern("login", r"(?<![\w.+-])[A-Za-z0-9_][\w.+-]*(?=@[A-Za-z0-9\[][\w.\-:\]]*)", 0.9),
        Pattern("url user info", r"(?<=://)[^/?#@\s]+(?=@)", 0.9),
        Pattern("mention", r"(?<![\w.@])@(?!(?:here|channel|everyone|all)\b)[A-Za-z][\w.-]*[\w]", 0.9),
    )

    def __init__(self) -> None:
        super().__init__(supported_entity=self.ENTITY, name="PathUserRecognizer", patterns=list(self.PATTERNS),
                         global_regex_flags=_CASE_SENSITIVE)


_IPV4_DOMAIN = re.compile(r"[\d.]+")


def _local_cut(address: str) -> int:
    """Where the real local part of `address` starts after URL punctuation (`reset?email=a@b.org`)."""
    local = address[:address.find("@")]
    return max(local.rfind(c) for c in "/?=&:#") + 1


class UrlEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer, with the local part cut at URL punctuation (in
    `site.com/reset?email=a@b.com` the address is `a@b.com`), and addresses at intranet domains kept."""

    SCORE = 0.95   # above a login's local part (0.9), so the whole address reads <EMAIL_ADDRESS>

    def validate_result(self, pattern_text: str) -> bool | None:
        # A domain without a public suffix (.local, .internal, .test) still makes an address: keep it;
        # user@10.0.3.195 is a login at a host (USERNAME and IP_ADDRESS), not an address.
        address = pattern_text[_local_cut(pattern_text):]
        if _IPV4_DOMAIN.fullmatch(address.rpartition("@")[2]):
            return False
        return super().validate_result(address) or None

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for r in results:
            r.start += _local_cut(text[r.start:r.end])
            r.score = max(r.score, self.SCORE)
        return results


class UrlQueryRecognizer(PatternRecognizer):
    """Values in a URL's query string and fragment: ids, e-mails, tokens. The keys stay for structure."""

    ENTITY = "URL_QUERY"
    # a value runs to the next delimiter, less closing brackets, quotes and full stops right before it:
    # in (https://x/?t=abc). the value is abc
    _END = r"(?=[)\]}>\"'.,!?]*(?:[&#;\s?]|$))"
    PATTERNS = (
        # a value after key= inside ?... or #...
        Pattern("query value", rf"(?<=[?&#;][^=&#\s?]{{1,64}}=)[^&#;\s]+?{_END}", 0.9),
        # a query or fragment part without key= (e.g. ?C12345 or #token)
        Pattern("bare query", rf"(?<=[?&#])(?![^&#;\s=)\]}}>\"']*=)[^&#;\s?]+?{_END}", 0.5),
    )

    def __init__(self) -> None:
        super().__init__(supported_entity=self.ENTITY, name="UrlQueryRecognizer", patterns=list(self.PATTERNS),
                         global_regex_flags=_CASE_SENSITIVE)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        # only inside something that is a URL: scheme://, www. or a host/path followed by ?
        return [r for r in super().analyze(text, entities, nlp_artifacts, regex_flags)
                if _inside_url(text, r.start)]


# A URL begins at the start of a token or after punctuation that is not part of a host name:
# link:https://..., (https://..., <https://..., "https://..., url=https://...
_URL_START = re.compile(r"(?<![\w+.-])(?:(?:[A-Za-z][\w+.-]*://|www\.)[^\s]*$|[\w-]+(?:\.[\w-]+)+/[^\s]*$"
                        r"|[\w-]+(?:\.[\w-]+)+$)")


def _inside_url(text: str, start: int) -> bool:
    """True when the query part at `start` belongs to a URL-like token (scheme://, www., host.tld/...)."""
    token_start = max(text.rfind(" ", 0, start), text.rfind("\t", 0, start)) + 1
    head = text[token_start:start]
    return any(c in "?#" and _URL_START.search(head[:q]) for q, c in enumerate(head))


class DisplayNameRecognizer(PatternRecognizer):
    """The display name beside an e-mail address: `Maria Keller <maria@x.org>`, `"Keller, Maria" <...>`."""

    ENTITY = "PERSON"
    PATTERNS = (
        Pattern("quoted name", r"(?<=\")[^\"<>@\r\n]{1,80}(?=\"\s*<[^<>\s@]+@[^<>\s]+>)", 0.85),
        Pattern("name before address",
                r"(?<![\w'’.-])(?:[A-Z][\w'’.-]*,?\s+){0,3}[A-Z][\w'’.-]*(?=\s*<[^<>\s@]+@[^<>\s]+>)", 0.7),
    )

    def __init__(self) -> None:
        super().__init__(supported_entity=self.ENTITY, name="DisplayNameRecognizer", patterns=list(self.PATTERNS),
                         global_regex_flags=_CASE_SENSITIVE)


_WORD = re.compile(r"[^\W_]+")


class NameListRecognizer(LocalRecognizer):
    """Person names from organisation lists (directory exports), found by word, not by a giant regex.

    A whole listed name matches in any case ("maria keller", "MARIA_KELLER"); a single part of a listed
    full name (a first or last name alone) matches only when written with a capital, to spare common
    words. Lookup is by word n-grams in a set, so a 100,000-name directory costs no more per string.
    """

    ENTITY = "PERSON"
    MAX_GAP = 3   # characters between the words of one name (" ", ". ", "_", ", ")

    def __init__(self, names: Iterable[str]) -> None:
        self.full: set[tuple[str, ...]] = set()
        self.parts: set[str] = set()
        for name in names:
            words = tuple(w.casefold() for w in _WORD.findall(name))
            if not words:
                continue
            self.full.add(words)
            if len(words) > 1:
                self.parts.update(w for w in words if len(w) >= 2)
        self.longest = max((len(w) for w in self.full), default=0)
        self.first = {w[0] for w in self.full} | self.parts   # a word a finding can begin with
        super().__init__(supported_entities=[self.ENTITY], name="NameListRecognizer")

    def may_match(self, text: str) -> bool:
        """Whether `analyze` can find anything: a word of `text` begins a listed name (its gate)."""
        return any(m.group().casefold() in self.first for m in _WORD.finditer(text))

    def load(self) -> None:
        """Nothing to load: the lists come from the config."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        words = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text)]
        results: list[RecognizerResult] = []
        i = 0
        while i < len(words):
            n = self._match_at(text, words, i)
            if n:
                results.append(RecognizerResult(self.ENTITY, words[i][0], words[i + n - 1][1], 0.85))
                i += n
            else:
                i += 1
        return results

    def _match_at(self, text: str, words: Sequence[tuple[int, int, str]], i: int) -> int:
        """How many words from `i` form a listed name (longest first), 0 if none."""
        for n in range(min(self.longest, len(words) - i), 0, -1):
            span = words[i:i + n]
            if any(span[k + 1][0] - span[k][1] > self.MAX_GAP for k in range(n - 1)):
                continue
            if tuple(w for _, _, w in span) in self.full:
                return n
        start, _, word = words[i]
        return 1 if word in self.parts and text[start].isupper() else 0


def _iban_checksum_ok(compact: str) -> bool:
    """ISO 13616 mod-97 check of an upper-case IBAN without spaces."""
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


class IbanShapeRecognizer(PatternRecognizer):
    """An IBAN-shaped string whose checksum fails (a typo, test data) is still an account number.

    Presidio's IBAN recognizer drops those, and it reads upper case only; this one keeps them (lower
    score, same entity), so a mistyped or lower-case IBAN is masked too. The shape is strict: an IBAN
    country code, two check digits and four-character groups, which ordinary titles do not contain.
    Written in lower or mixed case (`de89 3704 ...`) it must also pass the checksum or be mostly
    digits, so words that happen to come in fours (`at10 some text here`) are left alone.
    """

    ENTITY = "IBAN_CODE"
    COUNTRIES = "|".join(sorted(regex_per_country))

    def __init__(self) -> None:
        shape = rf"\b(?i:{self.COUNTRIES})\d{{2}}(?:[ ]?[A-Za-z0-9]{{4}}){{2,7}}(?:[ ]?[A-Za-z0-9]{{1,3}})?\b"
        super().__init__(supported_entity=self.ENTITY, name="IbanShapeRecognizer",
                         patterns=[Pattern("iban shape", shape, 0.6)], global_regex_flags=_CASE_SENSITIVE)

    def validate_result(self, pattern_text: str) -> bool | None:
        if pattern_text == pattern_text.upper():
            return None                    # the shape alone, as before
        compact = pattern_text.replace(" ", "").upper()
        if _iban_checksum_ok(compact):
            return True
        bban = compact[4:]
        return None if sum(c.isdigit() for c in bban) >= 0.75 * len(bban) else False


class LabelledIpRecognizer(IpRecognizer):
    """Presidio's IP recognizer, which also finds an address right after a label: `host:fe80::1`.

    Presidio's IPv6 patterns refuse a colon before the address (so as not to start inside one), which
    let every `field:address` through. Each such pattern gets a twin that accepts `label:` or a lone
    `:` before it, where the label starts with a letter and follows no word character or colon.
    """

    _NO_COLON_BEFORE = r"(?<![\w:])"
    _LABEL_BEFORE = r"(?<=(?<![\w:])(?:[A-Za-z][\w.-]{0,31})?:)"

    def __init__(self) -> None:
        twins = [Pattern(f"{p.name} after a label", self._LABEL_BEFORE + p.regex[len(self._NO_COLON_BEFORE):],
                         p.score)
                 for p in self.PATTERNS if p.regex.startswith(self._NO_COLON_BEFORE)]
        super().__init__(patterns=[*self.PATTERNS, *twins])


# Digits joined by phone punctuation (one space, "/" only between digits), maybe after + or 00.
_PHONE_RUN = re.compile(r"(?:\+|(?<!\d)00)?[\d(](?:[\d().\-]|/(?=\d)|\s(?=[\d(]))*\d")
_DIGIT_GROUP = re.compile(r"\d+")
_NEXT_GROUP = re.compile(r"\s(?=[\d(])")
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 15                      # E.164
_AREA_CODE_DIGITS = 5                       # the longest first group of a grouped number (03322 1234)
# Words that make a bare digit run a phone number, as titles and form fields write them (English and
# German; `phoneNumber`, `q7_phone`, `Tel.-Nr.`). Not `cell` (spreadsheets), not `number` (orders).
_PHONE_WORD = re.compile(
    r"(?<![A-Za-z])(?i:tel|telephone|telefon|phone|call|called|calling|callback|mobile|mobil|cellphone|fax|sms"
    r"|whatsapp|dial|hotline|voicemail|rufnummer|durchwahl|anruf|handy|contact)(?i:number|nummer|nr|no|num|s)?"
    r"(?![a-z])")
_BARE_RUN = re.compile(rf"(?<![\w+])\d{{{_MIN_PHONE_DIGITS},{_MAX_PHONE_DIGITS}}}(?!\w)")


# What every word of `_PHONE_WORD` holds: ASCII text (most) without one of these needs no regex search,
# the slowest of the masker's gates. Not for other text: case folding matches `ſ` to `s`, `K` to `k`.
_PHONE_STEMS = ("tel", "phone", "call", "mobil", "fax", "sms", "whatsapp", "dial", "hotline", "voicemail",
                "rufnummer", "durchwahl", "anruf", "handy", "contact")


def has_phone_word(text: str) -> bool:
    """True when `text` names a phone (`Call`, `Tel.`, `mobile:`, a `phoneNumber` field)."""
    if text.isascii():
        low = text.lower()
        if not any(stem in low for stem in _PHONE_STEMS):
            return False
    return _PHONE_WORD.search(text) is not None


def mask_bare_phone_runs(text: str, placeholder: str = "<PHONE_NUMBER>") -> str:
    """`text` with every bare run of 7-15 digits replaced: for a value whose field is a phone field."""
    return _BARE_RUN.sub(placeholder, text)


_INTERNATIONAL_00 = re.compile(r"00[1-9]")
# Necessary for the shapes whose digits are blanked before phones are looked for: an IBAN shape begins
# with a country code (any letters: case-insensitive matching folds some non-ASCII ones) and two digits;
# every pattern of Presidio's card recognizer holds these digit groups, separators optional. The masker's
# gates for IBANs and cards are these too.
IBAN_START = re.compile(r"[^\W\d_]{2}\d{2}")
CARD_DIGITS = re.compile(r"\d{4}[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}")


# Each is asked twice of one text, as the masker's gate and by the phone recognizer's blanking: the second
# answer is remembered (a cached look-up costs a tenth of the search).
@lru_cache(maxsize=4)
def iban_start(text: str) -> bool:
    return IBAN_START.search(text) is not None


@lru_cache(maxsize=4)
def card_digits(text: str) -> bool:
    return CARD_DIGITS.search(text) is not None


# Written so only a phone number is written, whether or not the numbering plan knows it (made up,
# mistyped, a new area code): +CC ..., 00CC and groups, (0area) or (3 digits) ..., 0area 12345...,
# 0area/12345..., US 3-3-4. A subscriber part has 5 digits or more, so `0900 1700` (a shift), `(2026) 2500`
# and `0815-2026` are not phone numbers by shape (phonenumbers may still read them as one).
_SUBSCRIBER = r"(?=(?:\D*\d){5})\d[\d -]*\d"
_SURE_SHAPES = (
    ("+ and a country code", re.compile(r"\+.*")),
    ("00, a country code and groups", re.compile(r"00[1-9]\d*[ /-]\S.*")),
    ("an area code in brackets", re.compile(rf"(?:\+\d{{1,3}}[ -]?)?\((?:0\d{{1,4}}|\d{{3}})\)[ -]?{_SUBSCRIBER}")),
    ("a trunk 0 and an area code", re.compile(rf"0[1-9]\d{{1,3}}[ /]{_SUBSCRIBER}")),
    ("3-3-4 digits", re.compile(r"\d{3}([-. ])\d{3}\1\d{4}")),
)


_MAX_SPLITS = 6


def _sub_runs(run: str) -> list[tuple[int, int]]:
    """(start, end) of `run` and of its parts at spaces, longest first: a run that is no phone number may
    hold one, after a number ("page 2 0049 89 87654321") or before one ("+44 20 7946 0958 2026 11")."""
    if run[0] != "(" and len(run.split(maxsplit=1)) == 1:
        return [(0, len(run))]   # most runs: one group, nothing to split or trim
    splits = [m.start() for m in _NEXT_GROUP.finditer(run)][:_MAX_SPLITS]
    starts = [_unopened(run), *(i + 1 + _unopened(run[i + 1:]) for i in splits)]
    ends = [len(run), *(len(run[:i].rstrip("().-/ ")) for i in splits)]   # a part ends in a digit
    return sorted({(s, e) for s in starts for e in ends if e > s}, key=lambda se: (se[0] - se[1], se[0]))


def _unopened(run: str) -> int:
    """How many leading brackets belong to the text, not the number: "((089) 1234567" has one."""
    lead = 0
    while run[lead] == "(" and run.count("(", lead) > run.count(")"):
        lead += 1
    return lead


def _sure_phone_shape(run: str) -> str:
    """Why `run` is a phone number by its shape alone, or "" if its shape does not say."""
    return next((why for why, shape in _SURE_SHAPES if shape.fullmatch(run)), "")


# A calendar date (3.12.2026, 03/12/2026, 2026-12-03): a run that holds one is a date, maybe with the hour
# after it (`03.12.2026 14`, from 14:00), not a phone number; phonenumbers read many such runs as one.
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE = re.compile(rf"(?<!\d)(?:{_DAY}([./]){_DAY}\1(?:19|20)\d\d|(?:19|20)\d\d-(?:0[1-9]|1[0-2])-{_DAY})(?!\d)")
# a run glued to a word by a hyphen is the number part of an identifier: INV-2026-000123, SO-4711 0815
_AFTER_WORD_HYPHEN = re.compile(r"[^\W\d_]-$")


def _glued(text: str, start: int) -> bool:
    """Whether the digit run at `start` in `text` hangs on a word by a hyphen (`INV-2026-000123`)."""
    return _AFTER_WORD_HYPHEN.search(text, max(0, start - 2), start) is not None


def _phone_shaped(run: str) -> bool:
    """A digit run written like a phone number, not like an order or document number: after + or in
    brackets, grouped with an area-code-sized first group (`030 1234567`, `0049 89 87654321`), or one run
    after a trunk prefix or the international prefix (`01701234567`, `004989...`). A single run of digits
    that starts otherwise (`5100001234`, `239567 1000`) is not, unless a phone word stands beside it;
    nor is a run that holds a date (`03.12.2026 14`) or a bracket it never closes (`Minutes 4 (1000882)`)."""
    if run[0] == "+":
        return True
    if _DATE.search(run) or run.count("(") > run.count(")"):
        return False
    if run[0] == "(":
        return True
    groups = _DIGIT_GROUP.findall(run)
    if len(groups) > 1:
        return len(groups[0]) <= _AREA_CODE_DIGITS
    return run[0] == "0" and run.lstrip("0")[:1] != "" and len(run) - len(run.lstrip("0")) <= 2


def _worth_parsing(run: str) -> bool:
    """A phone-shaped run that phonenumbers may read as a valid number: not one whose international
    form is too short for its calling code (`Case 00131453`)."""
    if not _phone_shaped(run):
        return False
    if _INTERNATIONAL_00.match(run):
        return not too_short_international(run[2:])
    return not (run[0] == "+" and too_short_international(run[1:]))


class RunPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer (python-phonenumbers), run only where a phone number can be.

    phonenumbers scans the whole text once per region (8 by default), which made it 80 % of the
    masking time. Here it sees only digit runs with at least 7 digits written like a phone number
    (`_phone_shaped`), and an international number (+49 ..., 0049 ...) is parsed once, since the
    region does not change how it reads. Digits that form a valid IBAN or card number (masked as
    such) are not phone candidates: long runs were the slowest.

    A bare run of digits is an order, document or customer number, and phonenumbers alone called some
    of those phones and others of the same template not (by their digits). It is a phone number only
    when a phone word stands in the same text (`Tel. 4155550198`), and then whatever its digits. So is
    the number part of an identifier (`INV-2026-000123`), and a run that holds a date is no phone by its
    shape (`03.12.2026 14`, from 14:00): phonenumbers read both as phones, at ~2 ms a run.
    """

    ENTITY = "PHONE_NUMBER"
    SHAPE_SCORE = 0.5

    def __init__(self) -> None:
        super().__init__()
        self._international = PhoneRecognizer(supported_regions=self.supported_regions[:1])
        self._long_numbers: tuple[tuple[PatternRecognizer, Callable[[str], bool]], ...] = (
            (IbanShapeRecognizer(), iban_start), (CreditCardRecognizer(), card_digits))

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        found: dict[tuple[int, int], RecognizerResult] = {}
        context: list[bool] = []             # looked for once, when a run needs it
        for run in _PHONE_RUN.finditer(self._blanked(text)):
            start, results = 0, []
            glued = _glued(text, run.start())
            for start, end in _sub_runs(run.group()):
                results = self._run(run.group()[start:end], text, entities, context, glued and start == 0)
                if results:
                    break
            for r in results:
                r.start, r.end = r.start + run.start() + start, r.end + run.start() + start
                r.recognition_metadata = (r.recognition_metadata or {}) | {   # ours, not the inner one's
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,  # type: ignore[has-type]  # set by Presidio's base __init__
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
                found.setdefault((r.start, r.end), r)
        return list(found.values())

    def may_find(self, text: str) -> bool:
        """Whether `analyze` can find anything in `text` (its gate): the same runs and tests, without asking
        phonenumbers, which is most of the cost. A run of 7 digits or more is not enough: order and
        document numbers are bare runs, and most of them need no Presidio call at all."""
        context: list[bool] = []
        return any(self._possible(run.group()[start:end], text, context, start == 0 and _glued(text, run.start()))
                   for run in _PHONE_RUN.finditer(self._blanked(text))
                   if sum(map(str.isdigit, run.group())) >= _MIN_PHONE_DIGITS   # nor has any part of it
                   for start, end in _sub_runs(run.group()))

    def _blanked(self, text: str) -> str:
        """`text` with IBAN-shaped strings and valid card numbers overwritten: their digits are no phone."""
        blanked = text
        for recognizer, may_hold in self._long_numbers:
            if not may_hold(text):
                continue
            for r in recognizer.analyze(text, recognizer.supported_entities, None):
                if r.score >= 0.5:    # IBAN-shaped or a card number with a valid checksum
                    blanked = blanked[:r.start] + "x" * (r.end - r.start) + blanked[r.end:]
        return blanked

    @staticmethod
    def _possible(candidate: str, text: str, context: list[bool], glued: bool) -> bool:
        """Whether `_run` can find a phone number in `candidate` (as `_run` does, but phonenumbers' answer)."""
        digits = sum(map(str.isdigit, candidate))
        if digits < _MIN_PHONE_DIGITS:
            return False
        if not glued and _worth_parsing(candidate):
            return True
        if digits > _MAX_PHONE_DIGITS:
            return False
        if _sure_phone_shape(candidate):
            return True
        if not context:
            context.append(has_phone_word(text))
        return context[0]

    def _run(self, candidate: str, text: str, entities: list[str], context: list[bool], glued: bool
             ) -> list[RecognizerResult]:
        """The phone numbers in one digit run (positions in the run); `context` caches the phone-word look-up;
        a `glued` run (an identifier's number) is no phone by its shape alone."""
        digits = sum(map(str.isdigit, candidate))
        if digits < _MIN_PHONE_DIGITS:
            return []
        results = self._parse(candidate, entities) if not glued and _worth_parsing(candidate) else []
        if results or digits > _MAX_PHONE_DIGITS:
            return results
        why = _sure_phone_shape(candidate)
        if not why:
            if not context:
                context.append(has_phone_word(text))
            why = "digits beside a phone word" if context[0] else ""
        return [self._by_shape(len(candidate), why)] if why else []

    def _parse(self, candidate: str, entities: list[str]) -> list[RecognizerResult]:
        """phonenumbers' reading of one phone-shaped run; 00 is read as + (phonenumbers knows 00 only
        for some regions)."""
        if _INTERNATIONAL_00.match(candidate):
            results = self._international.analyze("+" + candidate[2:], entities, None)  # type: ignore[arg-type]  # phonenumbers' recognizer reads no NLP artifacts
            for r in results:    # back to the candidate's positions: "+" stands for two characters
                r.start, r.end = (r.start + 1 if r.start else 0), r.end + 1
            return results
        if candidate.startswith("+"):
            return self._international.analyze(candidate, entities, None)  # type: ignore[arg-type]  # phonenumbers' recognizer reads no NLP artifacts
        return super().analyze(candidate, entities, None)  # type: ignore[arg-type]  # phonenumbers' recognizer reads no NLP artifacts

    def _by_shape(self, length: int, why: str) -> RecognizerResult:
        """A finding of ours, not phonenumbers'; with an explanation, which the context enhancer writes to."""
        return RecognizerResult(self.ENTITY, 0, length, self.SHAPE_SCORE, analysis_explanation=AnalysisExplanation(
            recognizer=self.name,  # type: ignore[has-type]  # set by Presidio's base __init__
            original_score=self.SHAPE_SCORE, textual_explanation=why))


class OrgRecognizer(PatternRecognizer):
    """An organisation's own pattern (a customer or employee id), from `[privacy] recognizers`."""


def org_recognizers(defs: Sequence[Recognizer]) -> list[PatternRecognizer]:
    """Organisation-defined recognizers (customer or employee ids) from `[privacy] recognizers`."""
    return [OrgRecognizer(supported_entity=d.entity, name=f"org:{d.entity}:{k}",
                              patterns=[Pattern(d.entity.lower(), d.regex, d.score)],
                              context=list(d.context))
            for k, d in enumerate(defs)]
