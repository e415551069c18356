"""Merging employee bundles: `tasklens analyze *.tlb --key analyst.key` loads the good ones, refuses the
bad ones in one line each, counts an event held twice once, and keeps every employee a pseudonym."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from helpers import run_cli
from tasklens.config import Config
from tasklens.privacy.masker import Masker
from tasklens.simulate import simulate
from tasklens.store import Store

PASS = {"TASKLENS_PASSPHRASE": "analyst passphrase 7"}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], dict[str, int]]:
    """Five employees, each with their own store, each exporting one bundle to the analyst."""
    d = tmp_path_factory.mktemp("merge")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TASKLENS_KEY", "11" * 32)
        assert run_cli("keys", "new", "--out", str(d / "analyst"), env=PASS).returncode == 0
        assert run_cli("keys", "new", "--out", str(d / "other"), env=PASS).returncode == 0
        by_user: dict[str, list] = {}
        for raw, _ in simulate(employees=5, days=1, seed=3):
            by_user.setdefault(raw.user, []).append(raw)
        masker = Masker(Config())
        paths, counts = [], {}
        for user, raws in sorted(by_user.items()):
            store = d / f"{user}.db"
            with Store.open(store) as s:
                s.append(masker.mask_many(raws))
            out = d / f"{user}.tlb"
            r = run_cli("export", "--store", str(store), "--user", user, "--bundle", str(out),
                        "--to", str(d / "analyst" / "analyst.pub"), env={"TASKLENS_KEY": "11" * 32})
            assert r.returncode == 0, r.stderr
            paths.append(out)
            counts[user] = len(raws)
    return d, paths, counts


def test_merge_with_bad_and_duplicate_bundles(bundles: tuple[Path, list[Path], dict[str, int]], tmp_path: Path) -> None:
    d, paths, counts = bundles
    tampered = tmp_path / "tampered.tlb"
    data = bytearray(paths[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.tlb"
    truncated.write_bytes(paths[1].read_bytes()[:300])
    foreign = tmp_path / "foreign.tlb"
    r = run_cli("export", "--store", str(d / "emp-002.db"), "--user", "emp-002", "--bundle", str(foreign),
                "--to", str(d / "other" / "analyst.pub"), env={"TASKLENS_KEY": "11" * 32})
    assert r.returncode == 0

    out = tmp_path / "merged"
    r = run_cli("analyze", *map(str, paths), str(paths[3]), str(tampered), str(truncated), str(foreign),
                "--key", str(d / "analyst" / "analyst.key"), "--out", str(out), "--no-progress", env=PASS)
    assert r.returncode == 0, r.stderr[-2000:]
    refusals = [line for line in r.stderr.splitlines() if line.startswith("tasklens: skipped:")]
    assert len(refusals) == 3
    assert any("integrity check" in x and "tampered.tlb" in x for x in refusals)
    assert any("truncated" in x and "truncated.tlb" in x for x in refusals)
    assert any("another analyst key" in x and "foreign.tlb" in x for x in refusals)
    assert "3 input(s) refused" in r.stdout and f"{counts['emp-003']} duplicate events counted once" in r.stdout

    with (out / "events.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    per_user: dict[str, int] = {}
    for row in rows:
        per_user[row["user"]] = per_user.get(row["user"], 0) + 1
    assert per_user == counts, "every employee's events exactly once"
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["users"] == 5 and report["candidates"]
    assert all(u.startswith("emp-") for c in report["candidates"] for u in c["users"])


def test_bundle_without_key_explains(bundles: tuple[Path, list[Path], dict[str, int]], tmp_path: Path) -> None:
    _, paths, _ = bundles
    r = run_cli("analyze", str(paths[0]), "--out", str(tmp_path / "x"), "--no-progress")
    assert r.returncode == 2 and "give the analyst key with --key analyst.key" in r.stderr


def test_wrong_passphrase_for_the_analyst_key(bundles: tuple[Path, list[Path], dict[str, int]], tmp_path: Path) -> None:
    d, paths, _ = bundles
    r = run_cli("analyze", str(paths[0]), "--key", str(d / "analyst" / "analyst.key"), "--out", str(tmp_path / "x"),
                env={"TASKLENS_PASSPHRASE": "not the passphrase"})
    assert r.returncode == 2 and "wrong passphrase" in r.stderr
