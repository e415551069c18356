"""The admin PDF's column headings are whole words (issue 17: "employee s" was broken mid-word).

Qt's text layout breaks a word anywhere when a table column is narrower than it; the headings are kept
unbroken and the label column has a fixed width, so each heading word must come out of `pdftotext` whole.
The aggregate is built by hand (the widest section: candidates, with a long task name), so the test is
about layout only.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tasklens.analyzer.aggregate import SECTIONS, Aggregate, Row, to_html
from tasklens.wording import PEOPLE, heading

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")

LONG = "Enter Incoming Invoice: Company Code 1000 (vendor, amount, posting date, payment terms)"
VALUES = {
    "applications": {"active_hours": 12.5, "share": 0.41, "events": 12345},
    "task types": {"instances": 120, "hours_observed": 10.2, "median_minutes": 4.1},
    "candidates": {"rank": 1, "instances": 120, "hours_observed": 10.2, "hours_saved_per_month": 31.5,
                   "confidence": "high"},
}


def test_every_heading_word_is_whole_in_the_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from tasklens.gui.pdf import html_to_pdf

    agg = Aggregate(5, True, source="analysis", span=(1.79e9, 1.7901e9))
    agg.rows += [Row(section, LONG, 6, VALUES[section]) for section in SECTIONS]
    out = tmp_path / "admin.pdf"
    html_to_pdf(to_html(agg), out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    words = unicodedata.normalize("NFKC", text).split()   # the font's "fi" ligature back to two letters
    wanted = {w for values in VALUES.values() for key in values for w in heading(key).split()} | {PEOPLE}
    missing = sorted(w for w in wanted if w not in words)
    assert not missing, f"heading words broken or missing in the PDF: {missing}"
    assert "h/month" in words and "team" in words   # hours saved carry their scope
