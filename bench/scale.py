"""Organisation scale (issue 16): seconds and peak RSS to merge employees' bundles into an encrypted
dataset and to analyse it streaming, at three sizes, to show memory stays flat as events grow.

Makes the largest size's bundles once (simulated office work, 21 working days per employee by default,
each bundle signed by its own enrolled signer and encrypted to a fresh analyst key), then for each size
merges the first N bundles into a fresh dataset (`tasklens.analyzer.dataset`) and analyses it
(`tasklens.analyzer.stream`), each step as a separate process whose tree RSS is sampled (bench/peak.py).
The bundles' events are not masked here: masking runs on each employee's machine before a bundle
exists and is not what this measures (bench/privacy.py times it).

Default sizes are small (5, 10, 20 employees); --full runs 21, 64 and 200 employees x 21 days (about
1M, 3M and 9.4M events; the issue's 10M target). Figures are for the whole team (all employees), one run,
on this machine's cores shared with whatever else runs (say so next to them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peak import run  # bench/peak.py, beside this script

from tasklens.analystkey import load_private, load_public, new_key_pair
from tasklens.bundle import write_bundle
from tasklens.events import Event
from tasklens.signing import enrol, load_roster, raw
from tasklens.simulate import simulate

PASSPHRASE = "bench passphrase"
DATASET_KEY = "5c" * 32      # the dataset key (TASKLENS_KEY), a raw key as a keyring would hold
SMALL, FULL = (5, 10, 20), (21, 64, 200)


def make_bundles(folder: Path, employees: int, days: int) -> list[Path]:
    priv, pub = new_key_pair(PASSPHRASE)
    (folder / "analyst.key").write_bytes(priv)
    (folder / "analyst.pub").write_bytes(pub)
    recipient = load_public(folder / "analyst.pub")
    paths, total = [], 0
    for user, group in itertools.groupby(simulate(employees=employees, days=days, seed=5), key=lambda p: p[0].user):
        events = [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count,
                        element_path=r.element_path) for r, _ in group]
        signer = Ed25519PrivateKey.generate()
        enrol(folder / "roster.json", raw(signer.public_key()), user)
        paths.append(folder / f"{user}.tlb")
        write_bundle(paths[-1], events, user, recipient, signer)
        total += len(events)
        print(f"\r  made {user}.tlb ({total:,} events so far)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return paths


@dataclass(frozen=True)
class BundleLoader:
    """Opens one bundle in a merge worker (picklable: the analyst key travels as raw bytes)."""

    private: bytes
    roster: Path

    def __call__(self, path: Path) -> tuple[str, list[Event], int] | str:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        from tasklens.analyzer.loaders import load_bundle
        from tasklens.errors import BundleError
        try:
            loaded = load_bundle(path, X25519PrivateKey.from_private_bytes(self.private), load_roster(self.roster))
        except BundleError as e:
            return str(e)
        return "bundle", loaded.events, 0


def child_merge(folder: Path, n: int) -> None:
    """Merge the first `n` bundles of `folder` into `folder/dataset-n` (one process tree: its peak is the merge's)."""
    from tasklens.analyzer.dataset import Dataset, merge
    from tasklens.analyzer.pipeline import Params

    private = load_private(folder / "analyst.key", PASSPHRASE).private_bytes_raw()
    shutil.rmtree(folder / f"dataset-{n}", ignore_errors=True)   # a fresh merge each run
    ds = Dataset(folder / f"dataset-{n}", create=True)
    added, _, refused = merge(ds, sorted(folder.glob("*.tlb"))[:n], BundleLoader(private, folder / "roster.json"),
                              workers=Params().workers)
    if refused:
        sys.exit("\n".join(refused))
    print(json.dumps({"events": added}))


def child_analyse(folder: Path, n: int) -> None:
    from tasklens.analyzer.dataset import Dataset
    from tasklens.analyzer.stream import analyze_dataset

    s = analyze_dataset(Dataset(folder / f"dataset-{n}")).result.summary
    print(json.dumps({"events": s.events, "instances": s.instances, "task_types": s.task_types,
                      "candidates": s.candidates, "hours_in_tasks": s.hours_in_tasks}))


def measure(step: str, folder: Path, n: int) -> tuple[float, int, dict[str, float]]:
    cmd = [sys.executable, __file__, "--child", step, "--workdir", str(folder), "--employees", str(n)]
    done, seconds, peak = run(cmd, {**os.environ, "TASKLENS_KEY": DATASET_KEY})
    if done.returncode:
        sys.exit(f"{step} of {n} employees failed: {done.stderr.strip()[-800:]}")
    return seconds, peak, json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="21, 64 and 200 employees (about 1M, 3M, 9.4M events)")
    ap.add_argument("--sizes", type=int, nargs=3, metavar="N", help="three employee counts of your own")
    ap.add_argument("--days", type=int, default=21, help="working days per employee (default 21)")
    ap.add_argument("--workdir", type=Path, help="keep bundles and datasets here (default: a temporary folder)")
    ap.add_argument("--child", choices=("merge", "analyse"), help=argparse.SUPPRESS)
    ap.add_argument("--employees", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        (child_merge if a.child == "merge" else child_analyse)(a.workdir, a.employees)
        return
    sizes = a.sizes or (FULL if a.full else SMALL)
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        make_bundles(folder, max(sizes), a.days)
        print(f"made {max(sizes)} bundles of {a.days} working days in {time.perf_counter() - t:.0f} s (setup, not timed "
              "below)")
        print(f"{'employees':>9} {'events':>11} {'merge s':>8} {'merge MB':>9} {'analyse s':>10} {'analyse MB':>11} "
              f"{'events/s':>9}  found")
        for n in sorted(sizes):
            ms, mpeak, _ = measure("merge", folder, n)
            as_, apeak, s = measure("analyse", folder, n)
            print(f"{n:>9} {int(s['events']):>11,} {ms:>8.0f} {mpeak / 2**20:>9,.0f} {as_:>10.0f} {apeak / 2**20:>11,.0f} "
                  f"{s['events'] / (ms + as_):>9,.0f}  {int(s['instances']):,} instances, {int(s['task_types'])} types, "
                  f"{int(s['candidates'])} candidates, {s['hours_in_tasks']:,.0f} h in tasks", flush=True)
        print(f"peak RSS: the process tree (workers included), sampled every 0.25 s; merge + analyse seconds are wall "
              f"time on a machine of {os.cpu_count()} cores shared with other work (other engineers' runs)")


if __name__ == "__main__":
    main()
