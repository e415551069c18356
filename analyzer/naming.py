"""Names a person understands for task types: object + verb + applications, from the steps alone.

"Vendor invoice entry: Outlook → SAP" says what the work is about, what is done to it and where, where
the first step's activity label (`outlook | focus | Invoice # from * - Outlook`) says only how it starts.
No language model: a name must be the same on every run and machine, explainable from the steps it
came from, and made from nothing but what the analysis already shows (masked labels), so it can leak
nothing new. The rules are few on purpose; each can be checked against a label by eye.

- Steps are read back from activity labels (`app | action | target | title template`, as
  `activities.label_all` writes them).
- Applications: the distinct applications in step order. A browser is shown as the site it shows (the
  last part of the page title, or the address's host), since "Chrome → Chrome" tells nobody anything.
- Object: the noun phrase that runs through most steps. Words come from window-title templates and
  element names; application names, placeholders (`<PERSON>`, `#`, `*`), function words, words of the UI
  itself (inbox, button, field, tab), dates, verbs, and capitalised words inside a sentence-case title
  (names the masker missed) are not objects. A word weighs as many steps as it appears in: the screen a
  routine spends most steps in names what the routine is about.
- Verb, first rule that holds: an approve button or title -> "approval"; input (typing, pasting,
  editing) that is committed (Save, Submit, Post, OK, ctrl+s, or made in a "New ..." screen) -> "update"
  when a change/edit word is in the steps, else "entry"; a search (a search or find element or title, or
  Enter right after input that opens another screen: in a chat, Enter sends) -> "look-up"; copy in one
  application and paste in another -> "transfer"; input alone -> "entry"; only clicks and reading ->
  "look-up". Sending a mail is not a commit: replying is how look-ups end.
- Names are unique among one analysis' types (a word from the type's next phrase, else "(2)"), at most
  60 characters, and never hold a masked placeholder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, count

LABEL_SEPARATOR = " | "   # what activities.label_all joins a label's parts with
MAX_LENGTH = 60
MAX_OBJECT_WORDS = 3
ARROW = " → "

# actions whose events usually have no target, so a label's third part is the title, not a target
_NO_TARGET = frozenset({"focus", "navigate", "idle", "active", "excluded"})
_INPUT = frozenset({"type", "paste", "edit"})

_ELEMENT = re.compile(r'^([a-z][a-z ]*?) "(.*?)"(?: in (.+))?$')   # role "name" [in context]
_BARE_ROLE = re.compile(r"^([a-z][a-z ]*?)(?: in (.+))?$")         # an unnamed element, a key, a button
_IMPORTED = re.compile(r"^([a-z]+[A-Z][A-Za-z]*|[a-z]+)(?::(.*))?$")   # Action Logger / XES: clickButton:OK
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'&]*(?:-[A-Za-z]+)*|\S")
_PLACEHOLDER = re.compile(r"<+[A-Z_]+>+")
_URL = re.compile(r"(?:https?://)?((?:[\w-]+\.)+[a-z]{2,})(/\S*)?", re.IGNORECASE)
_FILE = re.compile(r"\b([\w-]+)\.(xlsx?|xlsm|csv|docx?|pptx?|pdf|txt|odt|ods|odp|xml|json)\b", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|_")
_CHORD = re.compile(r"^(?:ctrl|cmd|meta|super|alt|shift)(?:\+\w+)+$")

STOP_WORDS = frozenset("""
a an the and or nor but of for to in on at by from with without into onto about as is are was were be been
my your our his her their its this that these those it me you we they i re fw fwd aw wg sv vs via per not
no yes all any new here there what where when who how which why please
""".split())
# Words of the screen itself, of mail and of files: they never name what the work is about.
UI_WORDS = frozenset("""
inbox outbox message messages mail email e-mail draft drafts sent reply forward window page pages tab tabs
field fields button buttons list lists body link links cell cells sheet sheets workbook document documents
file files folder untitled home dashboard main menu dialog panel pane form text entry box item items row rows
column columns table view results result tool toolbar app application desktop screen section label value
values input data general overview detail details properties settings options start direct
google chrome mozilla firefox microsoft edge safari opera chromium brave browser adobe acrobat reader office
libreoffice excel word outlook powerpoint teams slack thunderbird notepad explorer terminal
""".split())
DATE_WORDS = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun
jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday today yesterday
week weekly day daily month monthly year yearly quarter
""".split()) - {"weekly", "monthly", "daily", "yearly"}   # "Weekly review" names a thing
COMMIT_WORDS = frozenset("save submit post confirm apply create add book register ok finish done".split())
NEW_WORDS = frozenset({"new", "create"})   # a screen for a new record: input there is an entry
APPROVE_WORDS = frozenset("approve approval reject release".split())
UPDATE_WORDS = frozenset("change changes edit update modify amend correct".split())
SEARCH_WORDS = frozenset("search find lookup query filter".split())
VERB_WORDS = COMMIT_WORDS | APPROVE_WORDS | UPDATE_WORDS | SEARCH_WORDS | frozenset("""
open close cancel continue back next send enter execute export import attach delete remove select click copy
paste print refresh show go get set insert wait press
""".split())
FILE_WORDS = frozenset("pdf xls xlsx xlsm csv doc docx ppt pptx txt odt ods odp xml json".split())
SAVE_CHORDS = frozenset({"ctrl+s", "cmd+s", "meta+s", "savefile"})
BROWSERS = frozenset({"chrome", "google-chrome", "chromium", "firefox", "msedge", "edge", "safari", "opera",
                      "brave", "brave-browser", "vivaldi", "iexplore"})
BROWSER_TITLES = frozenset({"google chrome", "chromium", "mozilla firefox", "firefox", "microsoft edge",
                            "microsoft\u200b edge", "safari", "opera", "brave", "vivaldi"})
APP_NAMES = {"winword": "Word", "powerpnt": "PowerPoint", "acrord32": "Acrobat", "acrobat": "Acrobat",
             "msedge": "Edge", "google-chrome": "Chrome", "soffice": "LibreOffice", "libreoffice": "LibreOffice",
             "saplogon": "SAP", "sapgui": "SAP",
             "iexplore": "Internet Explorer", "code": "VS Code"}
_TITLE_PARTS = re.compile(r" - | \| | — | – | · ")
_SITE = re.compile(r"[A-Za-z][\w.&]*(?: [A-Za-z][\w.&]*)?")   # one or two words, no placeholder


@dataclass(frozen=True)
class Step:
    """One activity label read back into its parts."""

    app: str
    action: str
    target: str = ""
    title: str = ""


def parse_label(label: str) -> Step:
    """The parts of an activity label. Empty parts are left out of a label, so a lone third part is a
    target when it looks like one (an element, a key, a chord, an imported event type), else the title."""
    parts = label.split(LABEL_SEPARATOR)
    app, action, rest = parts[0], parts[1] if len(parts) > 1 else "", parts[2:]
    if not rest:
        return Step(app, action)
    first = rest[0]
    looks = bool(_ELEMENT.match(first) or _IMPORTED.match(first) or _CHORD.match(first))
    if looks or (len(rest) > 1 and action not in _NO_TARGET):
        return Step(app, action, first, LABEL_SEPARATOR.join(rest[1:]))
    return Step(app, action, "", LABEL_SEPARATOR.join(rest))


def parse_steps(signature: Sequence[str]) -> list[Step]:
    """Each label's parts; a "target" that with the title is another step's title (`slack | type | Slack |
    * | direct message`, typing with no element named) goes back into the title."""
    steps = [parse_label(label) for label in signature]
    titles = {s.title for s in steps if s.title}
    return [Step(s.app, s.action, "", f"{s.target}{LABEL_SEPARATOR}{s.title}")
            if s.target and s.title and f"{s.target}{LABEL_SEPARATOR}{s.title}" in titles else s for s in steps]


def element_texts(target: str) -> tuple[list[str], str]:
    """(texts naming the element: its name, its context; the key or chord pressed, lowercased)."""
    m = _ELEMENT.match(target)
    if m:
        return [m.group(2)] + ([m.group(3)] if m.group(3) else []), ""
    m = _IMPORTED.match(target)
    if m and (m.group(2) is not None or not m.group(1).islower()):   # clickButton:OK, getCell, insertValue:name
        kind = m.group(1).lower()
        return ([_CAMEL.sub(" ", m.group(2))] if m.group(2) else []), kind if kind in SAVE_CHORDS else ""
    if _CHORD.match(target) or _IMPORTED.match(target) or _BARE_ROLE.match(target):
        return [], target.lower()   # enter, tab, left, ctrl+s, push button (unnamed)
    return [target], ""             # an imported free-text target: "Search field"


@dataclass
class _Facts:
    """What the rules look at, gathered from a type's steps once."""

    steps: list[Step]
    words: list[set[str]] = field(default_factory=list)                   # per step: its object words (keys)
    runs: list[list[tuple[str, str]]] = field(default_factory=list)       # runs of object words (key, as written)
    element_words: set[str] = field(default_factory=set)                  # lowercased, and singular too
    title_words: set[str] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)                         # per step: key or chord ("" if none)


def _key(word: str) -> str:
    """A word's key: lowercase and singular ("Orders" and "order" are one word)."""
    w = word.lower()
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _plain(title: str) -> str:
    """A title template's or element's words: no placeholders, files by their stem, addresses by their path."""
    t = _FILE.sub(lambda m: _CAMEL.sub(" ", m.group(1)), _PLACEHOLDER.sub(" # ", title))
    return _URL.sub(lambda m: " # " + " # ".join(_CAMEL.sub(" ", p) for p in (m.group(2) or "").split("/")) + " # ", t)


def _tokens(text: str) -> list[str]:
    """Words and single other characters; a text of one word is split at its humps (NewRecord)."""
    return _TOKEN.findall(_CAMEL.sub(" ", text) if " " not in text.strip() else text)


def _runs(text: str, banned: frozenset[str]) -> list[list[tuple[str, str]]]:
    """Runs of consecutive object words in a text (anything else ends a run)."""
    tokens = _tokens(text)
    names = _proper_names(tokens)
    runs: list[list[tuple[str, str]]] = [[]]
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if (tok[0].isalpha() and len(tok) > 1 and low not in banned and _key(tok) not in banned and i not in names
                and not (low.endswith("ed") and len(low) > 4)):   # posted, saved: what happened, not to what
            runs[-1].append((_key(tok), tok))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _proper_names(tokens: list[str]) -> set[int]:
    """Positions of names in sentence-case phrases ("Call Aisha Okafor at #"): where a phrase has a
    lowercase word, a capitalised word after its first is a person, a place or a product (one the masker
    may have missed), not what the work is about. Acronyms (VAT) stay; "#", "*" and punctuation end a phrase."""
    out: set[int] = set()
    phrase: list[int] = []
    for i, tok in enumerate(tokens + ["#"]):
        if tok[0].isalpha():
            phrase.append(i)
            continue
        rest = phrase[1:]
        if any(tokens[k].islower() for k in rest):
            out |= {k for k in rest if tokens[k][0].isupper() and not tokens[k].isupper()}
        phrase = []
    return out


def _lower_set(texts: Iterable[str]) -> set[str]:
    words = {t.lower() for text in texts for t in _tokens(text) if t[0].isalpha()}
    return words | {_key(w) for w in words}


def _gather(steps: list[Step]) -> _Facts:
    f = _Facts(steps)
    apps = {w.lower() for s in steps for w in re.split(r"[\s._-]+", s.app) + display_app(s).split() if w}
    banned = STOP_WORDS | UI_WORDS | DATE_WORDS | VERB_WORDS | FILE_WORDS | apps
    for s in steps:
        names, key = element_texts(s.target)
        names = [_plain(n) for n in names]
        title = [] if s.title.lower() in BROWSER_TITLES else [_plain(s.title)]
        f.keys.append(key)
        f.element_words |= _lower_set(names)
        f.title_words |= _lower_set(title)
        runs = [r for text in title + names for r in _runs(text, banned)]
        f.runs += runs
        f.words.append({k for r in runs for k, _ in r})
    return f


def _phrases(f: _Facts) -> list[str]:
    """Noun phrases of the steps, best first. A word weighs as many steps as it appears in; a run of words
    is cut to its best window of up to MAX_OBJECT_WORDS words, each in two steps or more (a word of one
    step beside a frequent one is that step's detail);
    phrases rank by their heaviest word, then their total weight, then where they first appear."""
    weight = Counter(k for ws in f.words for k in ws)
    surface: dict[str, str] = {}
    for run in f.runs:
        for k, w in run:
            if k not in surface or w.lower() == k:   # the singular, where the steps have it
                surface[k] = w
    ranked: dict[tuple[str, ...], tuple[int, int, int]] = {}
    for pos, run in enumerate(f.runs):
        keys = [k for k, _ in run]
        top = max(weight[k] for k in keys)
        windows = [keys[i:i + n] for n in range(1, MAX_OBJECT_WORDS + 1) for i in range(len(keys) - n + 1)]
        best = tuple(max((w for w in windows if all(weight[k] >= min(2, top) for k in w)),
                         key=lambda w: sum(weight[k] for k in w)))
        score = (top, sum(weight[k] for k in best), -pos)
        ranked[best] = max(score, ranked.get(best, score))
    return [_sentence_case([surface[k] for k in t]) for t in sorted(ranked, key=lambda t: ranked[t], reverse=True)]


def _sentence_case(words: list[str], first: bool = True) -> str:
    """ "Vendor invoice", "VAT code": acronyms stay as written, other words lowercase after the first."""
    def one(w: str, cap: bool) -> str:
        if w.isupper() and len(w) > 1:
            return w
        return w[:1].upper() + w[1:].lower() if cap else w.lower()
    return " ".join(one(w, first and i == 0) for i, w in enumerate(words))


def _verb(f: _Facts) -> str:
    """What is done, by the first rule that holds (see the module's docstring)."""
    anywhere = f.element_words | f.title_words
    has_input = any(s.action in _INPUT for s in f.steps)
    if anywhere & APPROVE_WORDS:
        return "approval"
    if has_input and (f.element_words & COMMIT_WORDS or f.title_words & NEW_WORDS or SAVE_CHORDS & set(f.keys)):
        return "update" if anywhere & UPDATE_WORDS else "entry"
    entered = any(a.action in _INPUT and b.action == "key" and k == "enter" and a.title == b.title != c.title
                  for a, b, c, k in zip(f.steps, f.steps[1:], f.steps[2:], f.keys[1:]))   # a query opens its result
    if anywhere & SEARCH_WORDS or entered:
        return "look-up"
    copied: set[str] = set()
    for s in f.steps:
        if s.action == "copy":
            copied.add(display_app(s))
        elif s.action == "paste" and copied - {display_app(s)}:
            return "transfer"
    return "entry" if has_input else "look-up"


def display_app(step: Step) -> str:
    """How a person calls the application of a step: a browser by the site it shows."""
    base = _base(step.app)
    site = _site(step.title) if base.lower() in BROWSERS else ""
    if site:
        return site
    low = base.lower()
    if low in APP_NAMES:
        return APP_NAMES[low]
    if not base or base == "?" or "clipboard" in low or "<" in base:   # no application, or one masked
        return ""
    if not base.islower():
        return base                                    # as the application writes itself: ClaimsPro, Web
    return base.upper() if len(base) <= 3 and base.isalpha() else base[:1].upper() + base[1:]   # sap -> SAP


def _base(app: str) -> str:
    """An application's program name: no folder, no .exe."""
    name = app.strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return re.sub(r"\.(exe|bin|app)$", "", name, flags=re.IGNORECASE)


def _site(title: str) -> str:
    """The site a browser shows: the last title part before the browser's name that is no address and
    is a name of one or two words (a site names itself last, "Orders - CRM - Google Chrome", or first,
    "Stack Overflow - question #"), else the domain of the address shown."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    while parts and parts[-1].lower() in BROWSER_TITLES:
        parts.pop()
    words = [p for p in parts if not _URL.fullmatch(p)]
    for part in (words[-1], words[0]) if len(words) > 1 else ():
        if _SITE.fullmatch(part):
            return part
    m = next((m for m in map(_URL.fullmatch, parts) if m), None)
    return _domain(m.group(1)) if m else ""


def _domain(host: str) -> str:
    """A host without its subdomains (form.jotform.com and submit.jotform.com are one site)."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) > 2 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2   # example.co.uk
    return ".".join(labels[-keep:])


def applications(steps: Iterable[Step]) -> list[str]:
    """The distinct applications in the order the steps reach them; a browser's step that shows no site
    (a new tab) belongs to the sites the same browser shows in other steps."""
    steps = list(steps)
    sited = {s.app for s in steps if _base(s.app).lower() in BROWSERS and _site(s.title)}
    out: list[str] = []
    for s in steps:
        a = display_app(s)
        if a and a not in out and not (s.app in sited and not _site(s.title)):
            out.append(a)
    return out


def _fit(head: str, apps: list[str], qualifier: str = "") -> str:
    """`head (qualifier): A → B` within MAX_LENGTH: trailing applications go first, then the head's end;
    the qualifier, which keeps the name unique, always stays."""
    tag = f" ({qualifier})" if qualifier else ""
    if len(head) + len(tag) > MAX_LENGTH:
        head = head[:MAX_LENGTH - len(tag) - 1].rstrip() + "…"
    head += tag
    for k in range(len(apps), 0, -1):
        tail = ARROW.join(apps[:k]) + (ARROW + "…" if k < len(apps) else "")
        if len(head) + 2 + len(tail) <= MAX_LENGTH:
            return f"{head}: {tail}"
    return head


def name(signature: Sequence[str], taken: set[str] | None = None) -> str:
    """The name of a task type whose most common variant has these activity labels ("" for no steps);
    one not in `taken`, which it is added to."""
    if not signature:
        return ""
    steps = parse_steps(signature)
    f = _gather(steps)
    phrases, what = _phrases(f), _verb(f)
    head = f"{_short(phrases[0])} {what}" if phrases else what[:1].upper() + what[1:]
    apps = applications(steps)
    out = _fit(head, apps)
    taken = set() if taken is None else taken
    if out in taken:
        used = set(head.lower().split())
        others = [p for p in phrases[1:] if not set(p.lower().split()) & used]
        words = (_sentence_case(_short(p, 2).split(), first=False) for p in others)
        options = (_fit(head, apps, q) for q in chain(words, map(str, count(2))))
        out = next(o for o in options if o not in taken)
    taken.add(out)
    return out


def _short(phrase: str, words: int = MAX_OBJECT_WORDS, chars: int = 30) -> str:
    out = phrase.split()[:words]
    while len(out) > 1 and len(" ".join(out)) > chars:
        out.pop()
    return " ".join(out)
