"""Run a command as a child process and sample the summed RSS of it and all its descendants.

`ru_maxrss` sees one process only; the analyzer spreads work over spawned worker processes, so peak
memory is the sum over the process tree, sampled every 0.25 s (a peak shorter than that can be missed).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

import psutil


def kind(proc: psutil.Process, root: psutil.Process) -> str:
    """What a process of the tree is: the command itself ("main"), a JVM ("java": Spark's), or another
    ("others": worker processes)."""
    if proc.pid == root.pid:
        return "main"
    try:
        return "java" if proc.name() == "java" else "others"
    except psutil.Error:
        return "others"


def tree_rss(proc: psutil.Process, kinds: dict[str, int] | None = None) -> int:
    """The summed RSS of `proc` and its descendants; `kinds`, if given, gets each kind's sum (see `kind`)."""
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in members:
        try:
            rss = p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
        total += rss
        if kinds is not None:
            k = kind(p, proc)
            kinds[k] = kinds.get(k, 0) + rss
    return total


def run(cmd: Sequence[str], env: Mapping[str, str],
        peaks: dict[str, int] | None = None) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """(the finished process with its output, wall seconds, peak tree RSS in bytes); `peaks`, if given, gets
    each kind of process's own peak (`kind`: the command, a JVM, the others), each sampled apart, so they
    need not add up to the tree's peak."""
    peak = [0]
    t = time.perf_counter()
    child = subprocess.Popen(list(cmd), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)

    def sample() -> None:
        while child.poll() is None:
            kinds: dict[str, int] = {}
            peak[0] = max(peak[0], tree_rss(proc, kinds))
            if peaks is not None:
                for k, rss in kinds.items():
                    peaks[k] = max(peaks.get(k, 0), rss)
            time.sleep(0.25)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - t
    sampler.join()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err), seconds, peak[0]
