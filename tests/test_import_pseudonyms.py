"""Imported user ids (an e-mail address as Action Logger `userID`, an XES `org:resource`) become pseudonyms.

Collected data already carries `emp-XXXXXXXX`; imports did not, so an analysis of a research log showed
people by their login or address. Now every imported id is an HMAC under a secret of the analysis (kept
in the analyst's private data folder, not in the analysis folder that gets shared), unless
`--keep-user-ids` asks otherwise.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.loaders import load
from tasklens.analyzer.pseudonyms import Pseudonyms, analysis_secret
from tasklens.identity import pseudonym

EMAIL = "maria.keller@example.com"
PSEUDONYM = re.compile(r"emp-[0-9a-f]{8}")


def test_pseudonyms_are_hmacs_like_collected_ones() -> None:
    users = Pseudonyms(b"s" * 32)
    assert users(EMAIL) == pseudonym(b"s" * 32, EMAIL) == users(EMAIL)
    assert PSEUDONYM.fullmatch(users(EMAIL)) and users(EMAIL) != users("bob")
    assert Pseudonyms(b"t" * 32)(EMAIL) != users(EMAIL)


def test_the_secret_is_per_analysis_folder_private_and_outside_it(tmp_path: Path, isolated_env: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    first = analysis_secret(a)
    assert analysis_secret(a) == first and analysis_secret(tmp_path / "x" / ".." / "a") == first
    assert analysis_secret(b) != first and len(first) == 32
    files = list((isolated_env / "analysis-secrets").iterdir())
    assert len(files) == 2 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((isolated_env / "analysis-secrets").stat().st_mode) == 0o700
    assert not a.exists() and not b.exists()   # nothing is put into the (shared) analysis folder


def test_a_damaged_secret_file_is_an_error_not_a_new_secret(tmp_path: Path, isolated_env: Path) -> None:
    from tasklens.errors import TasklensError
    analysis_secret(tmp_path / "a")
    (f,) = (isolated_env / "analysis-secrets").iterdir()
    f.write_bytes(b"short")
    with pytest.raises(TasklensError, match="damaged"):
        analysis_secret(tmp_path / "a")


CSV = "timestamp,user,app,title,action,target,value\n2026-11-02T09:00:00Z,{u},excel,Book1,click,A1,\n"
AL = ("timeStamp,userID,targetApp,eventType\n2026-11-02T09:00:00Z,{u},Chrome,clickButton\n"
      "2026-11-02T09:00:01Z,,Chrome,copy\n")
XES = ('<?xml version="1.0"?><log><trace><event><string key="concept:name" value="a"/>'
       '<string key="org:resource" value="{u}"/><date key="time:timestamp" value="2026-11-02T09:00:00Z"/></event>'
       '<event><string key="concept:name" value="b"/><date key="time:timestamp" value="2026-11-02T09:00:01Z"/>'
       '</event></trace></log>')


@pytest.mark.parametrize(("name", "text"), [("e.csv", CSV), ("al.csv", AL), ("log.xes", XES)])
def test_every_loader_pseudonymises_when_asked(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text.format(u=EMAIL))
    users = Pseudonyms(b"k" * 32)
    assert {r.user for r in load(path, users=users).raws} <= {users(EMAIL), users("user")}
    assert users(EMAIL) in {r.user for r in load(path, users=users).raws}
    assert EMAIL in {r.user for r in load(path).raws}   # the library keeps ids unless given a mapping


def _routine_csv(path: Path, user: str) -> Path:
    rows = ["timestamp,user,app,title,action,target,value"]
    for k in range(12):
        for s, (app, title, action, target) in enumerate([("excel", "Invoices - Excel", "click", "A1"),
                                                         ("sap", "FB60 - SAP", "paste", "Amount"),
                                                         ("sap", "FB60 - SAP", "key", "enter")]):
            rows.append(f"2026-11-02T09:{k:02d}:{s * 5:02d}Z,{user},{app},{title},{action},{target},")
    path.write_text("\n".join(rows) + "\n")
    return path


def _outputs(out: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(out.iterdir()) if p.is_file())


def test_cli_pseudonymises_imports_stably_and_keeps_ids_when_asked(tmp_path: Path) -> None:
    src = _routine_csv(tmp_path / "events.csv", EMAIL)
    out = tmp_path / "analysis"
    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr
    text = _outputs(out)
    assert EMAIL not in text and "maria" not in text
    first = set(PSEUDONYM.findall(text))
    assert len(first) == 1
    assert not any("secret" in p.name for p in out.iterdir())
    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")   # a re-run: the same pseudonym
    assert r.returncode == 0, r.stderr
    assert set(PSEUDONYM.findall(_outputs(out))) == first
    kept = tmp_path / "kept"
    r = run_cli("analyze", str(src), "--out", str(kept), "--no-progress", "--keep-user-ids")
    assert r.returncode == 0, r.stderr
    assert EMAIL in _outputs(kept) and not PSEUDONYM.search(_outputs(kept))
