"""Seconds and peak RSS to merge and analyse many employees' bundles with `tasklens analyze`.

Makes --bundles employee bundles of --days working days each (simulated office work, masked by the real
masker, encrypted to a fresh analyst key), then times `tasklens analyze *.tlb --key analyst.key` as a
separate process and samples its memory (the process and its workers, summed). Each bundle is
signed by a signer of its own, enrolled in the analyst's roster.json beside analyst.key. Issue 7 asks for
200 bundles of one month (21 working days).

--dataset: instead, `tasklens merge *.tlb --dataset DIR` (the encrypted dataset of issue 16) and then
`tasklens analyze DIR`, each timed as its own process, with the CPU seconds of its process tree (user +
system), which a shared machine inflates less than wall time. Bundles in --workdir are reused.
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


def cpu_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the process and its children, peak tree RSS, first stdout line) of one command."""
    before = os.times()
    done, seconds, peak = run(cmd, env)
    after = os.times()
    if done.returncode:
        sys.exit(f"{cmd[3]} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return seconds, cpu, peak, done.stdout.splitlines()[0] if done.stdout else ""


def measure_dataset(folder: Path, events: int) -> None:
    """`tasklens merge` into a fresh dataset, then `tasklens analyze` of it; a line for each."""
    import shutil

    shutil.rmtree(folder / "dataset", ignore_errors=True)
    shutil.rmtree(folder / "streamed", ignore_errors=True)
    env = {**os.environ, "TASKLENS_PASSPHRASE": PASSPHRASE, "TASKLENS_KEY": "5c" * 32}
    cli = [sys.executable, "-m", "tasklens.cli.main"]
    for step, cmd in (("merge", [*cli, "merge", *sorted(str(p) for p in folder.glob("*.tlb")), "--key",
                                 str(folder / "analyst.key"), "--dataset", str(folder / "dataset"), "--no-progress"]),
                      ("analyze dataset", [*cli, "analyze", str(folder / "dataset"), "--out", str(folder / "streamed"),
                                           "--no-progress"])):
        seconds, cpu, peak, line = cpu_run(cmd, env)
        print(f"{step}: {seconds:.1f} s wall, {cpu:.1f} s CPU (user + system, all processes), {events / cpu:,.0f} "
              f"events per CPU second, peak RSS {peak / 2**20:,.0f} MB, load {os.getloadavg()[1]:.1f}\n  {line}")


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
    ap.add_argument("--dataset", action="store_true", help="tasklens merge into a dataset, then analyze it")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        made = folder / "events.txt"   # what the bundles in --workdir hold, so a second run reuses them
        if made.is_file() and len(list(folder.glob("*.tlb"))) == a.bundles:
            events = int(made.read_text())
        else:
            events = make_bundles(folder, a.bundles, a.days)
            made.write_text(str(events))
        print(f"{a.bundles} bundles of {a.days} working days: {events:,} events, ready in "
              f"{time.perf_counter() - t:.0f} s")
        if a.dataset:
            measure_dataset(folder, events)
            return
        seconds, peak, summary = measure(folder)
        print(f"merge + analyse: {seconds:.1f} s, {events / seconds:,.0f} events/s, peak RSS {peak / 2**20:,.0f} MB "
              "(process and workers)")
        print(f"  {summary}")


if __name__ == "__main__":
    main()
