"""Seconds and peak RSS to merge and analyse many employees' bundles with `tasklens analyze`.

Makes --bundles employee bundles of --days working days each (simulated office work, masked by the real
masker, encrypted to a fresh analyst key), then times `tasklens analyze *.tlb --key analyst.key` as a
separate process and samples its memory (the process and its workers, summed). Each bundle is
signed by a signer of its own, enrolled in the analyst's roster.json beside analyst.key. Issue 7 asks for
200 bundles of one month (21 working days).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peak import run  # bench/peak.py, beside this script

from tasklens.analystkey import load_public, new_key_pair
from tasklens.bundle import write_bundle
from tasklens.config import Config
from tasklens.privacy.masker import Masker
from tasklens.signing import enrol, raw
from tasklens.simulate import directory, simulate

PASSPHRASE = "bench passphrase"


def make_bundles(folder: Path, n: int, days: int) -> int:
    priv, pub = new_key_pair(PASSPHRASE)
    (folder / "analyst.key").write_bytes(priv)
    (folder / "analyst.pub").write_bytes(pub)
    recipient = load_public(folder / "analyst.pub")
    masker = Masker(Config(person_names=directory()))
    total = 0
    for user, group in itertools.groupby(simulate(employees=n, days=days, seed=5), key=lambda p: p[0].user):
        events = masker.mask_many([r for r, _ in group])
        signer = Ed25519PrivateKey.generate()   # each employee's collector signs with a key of its own
        enrol(folder / "roster.json", raw(signer.public_key()), user)
        write_bundle(folder / f"{user}.tlb", events, user, recipient, signer)
        total += len(events)
        print(f"\r  made {user}.tlb ({total:,} events so far)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return total


def measure(folder: Path) -> tuple[float, int, str]:
    bundles = sorted(str(p) for p in folder.glob("*.tlb"))
    cmd = [sys.executable, "-m", "tasklens.cli.main", "analyze", *bundles, "--key", str(folder / "analyst.key"),
           "--out", str(folder / "merged"), "--no-progress"]
    done, seconds, peak = run(cmd, {**os.environ, "TASKLENS_PASSPHRASE": PASSPHRASE})
    if done.returncode:
        sys.exit(f"tasklens analyze failed: {done.stderr.strip()[-500:]}")
    return seconds, peak, done.stdout.splitlines()[0] if done.stdout else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundles", type=int, default=200)
    ap.add_argument("--days", type=int, default=21)
    ap.add_argument("--workdir", type=Path, help="keep the bundles here (default: a temporary folder)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        events = make_bundles(folder, a.bundles, a.days)
        print(f"made {a.bundles} bundles of {a.days} working days: {events:,} events in {time.perf_counter() - t:.0f} s")
        seconds, peak, summary = measure(folder)
        print(f"merge + analyse: {seconds:.1f} s, {events / seconds:,.0f} events/s, peak RSS {peak / 2**20:,.0f} MB "
              "(process and workers)")
        print(f"  {summary}")


if __name__ == "__main__":
    main()
