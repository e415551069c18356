"""Merging employee bundles: `tasklens analyze *.tlb --key analyst.key` loads the good ones from enrolled
signers, refuses the bad ones in one line each, counts an event held twice once, attributes events to the
roster's people and records them as verified for the admin report."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import make_events, run_cli

from tasklens import analystkey, bundle, signing
from tasklens.analyzer import dataset, signers
from tasklens.analyzer.datasetrun import InputLoader
from tasklens.columns import events_of
from tasklens.config import Config
from tasklens.events import Event
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
            label = f"p-{user}"   # the analyst's code for the person; here simply derived from the pseudonym
            r = run_cli("keys", "enrol", str(out), "--as", label, "--roster", str(d / "analyst" / "roster.json"))
            assert r.returncode == 0 and "enrolled signer" in r.stdout, r.stderr
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
    assert any("signature check" in x and "tampered.tlb" in x for x in refusals)
    assert any("truncated" in x and "truncated.tlb" in x for x in refusals)
    assert any("another analyst key" in x and "foreign.tlb" in x for x in refusals)
    assert "3 inputs refused" in r.stdout and f"{counts['emp-003']} duplicate events counted once" in r.stdout

    with (out / "events.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    per_user: dict[str, int] = {}
    for row in rows:
        per_user[row["user"]] = per_user.get(row["user"], 0) + 1
    assert per_user == {f"p-{u}": n for u, n in counts.items()}, "every person's events exactly once"
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["users"] == 5 and report["candidates"]
    assert all(u.startswith("p-emp-") for c in report["candidates"] for u in c["users"])
    assert signers.verified_users(out) == {f"p-{u}" for u in counts}


def test_bundles_merge_as_columns_as_they_would_as_events(bundles: tuple[Path, list[Path], dict[str, int]],
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tasklens merge` writes a bundle's columns as parsed, with no `Event` per event in between: the
    dataset holds what writing the same bundles as `Event`s holds, attributed to the roster's people."""
    monkeypatch.setenv("TASKLENS_KEY", "22" * 32)
    d, paths, _ = bundles
    private = analystkey.load_private(d / "analyst" / "analyst.key", PASS["TASKLENS_PASSPHRASE"])
    loader = InputLoader(private=private.private_bytes_raw(), roster=d / "analyst" / "roster.json")
    assert isinstance(loader(paths[0])[1], pa.Table)

    def as_events(path: Path) -> tuple[str, list[Event], int]:
        fmt, table, bad = loader(path)   # type: ignore[misc]
        return fmt, events_of(table), bad

    def held(ds: dataset.Dataset) -> list[dict[str, object]]:
        return pa.concat_tables(ds.tables()).sort_by([("user", "ascending"), ("seq", "ascending")]).to_pylist()

    columns, objects = dataset.Dataset(tmp_path / "columns", create=True), dataset.Dataset(tmp_path / "objects", create=True)
    assert dataset.merge(columns, paths, loader)[0] == dataset.merge(objects, paths, as_events)[0] > 0
    rows = held(columns)
    assert rows == held(objects) and {r["user"] for r in rows} == {f"p-{p.stem}" for p in paths}
    assert all(r["source_row"] is not None and r["signed"] for r in rows)


def test_bundle_without_key_explains(bundles: tuple[Path, list[Path], dict[str, int]], tmp_path: Path) -> None:
    _, paths, _ = bundles
    r = run_cli("analyze", str(paths[0]), "--out", str(tmp_path / "x"), "--no-progress")
    assert r.returncode == 2 and "give the analyst key with --key analyst.key" in r.stderr


def test_wrong_passphrase_for_the_analyst_key(bundles: tuple[Path, list[Path], dict[str, int]], tmp_path: Path) -> None:
    d, paths, _ = bundles
    r = run_cli("analyze", str(paths[0]), "--key", str(d / "analyst" / "analyst.key"), "--out", str(tmp_path / "x"),
                env={"TASKLENS_PASSPHRASE": "not the passphrase"})
    assert r.returncode == 2 and "wrong passphrase" in r.stderr


def merge(d: Path, out: Path, *inputs: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("analyze", *map(str, inputs), "--key", str(d / "analyst" / "analyst.key"), "--out", str(out),
                   "--no-progress", env=PASS)


def test_fake_people_and_unknown_signers_are_refused(bundles: tuple[Path, list[Path], dict[str, int]],
                                                     tmp_path: Path) -> None:
    """Issue 12: a bundle whose header says emp-000 carried events of five made-up users, and anyone with
    analyst.pub could make bundles. Each is one line now, and the real bundles still load."""
    d, paths, counts = bundles
    recipient = analystkey.load_public(d / "analyst" / "analyst.pub")
    stranger = tmp_path / "stranger.tlb"
    bundle.write_bundle(stranger, make_events(50, "emp-zzz"), "emp-zzz", recipient, Ed25519PrivateKey.generate())
    liar_key = Ed25519PrivateKey.generate()   # an enrolled employee whose bundle holds five made-up people
    roster = tmp_path / "roster.json"
    signing.enrol(roster, signing.raw(liar_key.public_key()), "p-liar")
    for s in signing.load_roster(d / "analyst" / "roster.json").signers:
        signing.enrol(roster, bundle.base64.b64decode(s.public_key), s.label)
    liar = tmp_path / "liar.tlb"
    bundle.write_bundle(liar, [e for u in range(5) for e in make_events(40, f"emp-x{u}", t0=1_790_000_000.0 + u)],
                        "emp-x0", recipient, liar_key)
    out = tmp_path / "merged"
    r = run_cli("analyze", *map(str, paths), str(stranger), str(liar), "--key", str(d / "analyst" / "analyst.key"),
                "--roster", str(roster), "--out", str(out), "--no-progress", env=PASS)
    assert r.returncode == 0, r.stderr[-2000:]
    refusals = [line for line in r.stderr.splitlines() if line.startswith("tasklens: skipped:")]
    assert len(refusals) == 2, r.stderr
    assert any("stranger.tlb" in x and "not enrolled" in x for x in refusals)
    assert any("liar.tlb" in x and "another user than its signed header" in x for x in refusals)
    assert "Traceback" not in r.stderr
    assert signers.verified_users(out) == {f"p-{u}" for u in counts}


def test_two_machines_of_one_person_count_once(bundles: tuple[Path, list[Path], dict[str, int]],
                                               tmp_path: Path) -> None:
    d, paths, _ = bundles
    laptop = Ed25519PrivateKey.generate()   # emp-000's second machine: another store, another signer
    roster = tmp_path / "roster.json"
    for s in signing.load_roster(d / "analyst" / "roster.json").signers:
        signing.enrol(roster, bundle.base64.b64decode(s.public_key), s.label)
    signing.enrol(roster, signing.raw(laptop.public_key()), "p-emp-000")
    second = tmp_path / "laptop.tlb"
    bundle.write_bundle(second, make_events(30, "emp-lap", app="laptop-app"), "emp-lap",
                        analystkey.load_public(d / "analyst" / "analyst.pub"), laptop)
    out = tmp_path / "merged"
    r = run_cli("analyze", *map(str, paths), str(second), "--key", str(d / "analyst" / "analyst.key"),
                "--roster", str(roster), "--out", str(out), "--no-progress", env=PASS)
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["users"] == 5, "one person on two machines is one person"
    with (out / "events.csv").open(newline="") as f:
        assert {row["user"] for row in csv.DictReader(f) if row["app"] == "laptop-app"} == {"p-emp-000"}


def test_admin_report_counts_enrolled_signers(bundles: tuple[Path, list[Path], dict[str, int]],
                                              tmp_path: Path) -> None:
    """Bundles of enrolled signers make a verified report; adding a CSV import makes it refuse by default."""
    d, paths, _ = bundles
    out = tmp_path / "merged"
    assert merge(d, out, *paths).returncode == 0
    r = run_cli("report", str(out), "--min-users", "2", "--out", str(tmp_path / "admin.html"))
    assert r.returncode == 0, r.stderr
    assert "counted as enrolled signers" in r.stdout
    assert "distinct enrolled signers" in (tmp_path / "admin.csv").read_text()

    events_csv = tmp_path / "more.csv"
    events_csv.write_text("timestamp,user,app,title,action\n2026-11-02T09:00:00Z,someone,excel,x,click\n")
    mixed = tmp_path / "mixed"
    assert merge(d, mixed, *paths, events_csv).returncode == 0
    assert signers.verified_users(mixed) == signers.verified_users(out)
    r = run_cli("report", str(mixed), "--min-users", "2", "--out", str(tmp_path / "mixed.html"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "cannot be counted as distinct people" in r.stderr and "--allow-unverified" in r.stderr
