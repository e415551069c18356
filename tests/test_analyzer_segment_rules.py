"""Segmentation rules that kept instances apart or ran them together on generated data (issue 11): a window a
task comes back to, focused a third time; a rare routine's window focused again after a chat; the last steps
of a routine few instances have whole; other work that usually follows after a pause; a part of a task done
again. Hand-made streams and counts, each with what the old code did."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from tasklens.analyzer.segment import (
    SegmentParams,
    _cut,
    _done_again,
    _own_end,
    _pair_runs,
    _restart,
    by_activity,
    segment_stream,
    unexplained,
)


def _segments(parts: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Activities laid end to end and each event's segment number."""
    acts = np.array([a for part in parts for a in part])
    seg = np.array([k for k, part in enumerate(parts) for _ in part])
    return acts, seg


def test_a_window_a_task_comes_back_to_starts_it_over_when_focused_a_third_time() -> None:
    """CRM -> sheet -> CRM: the CRM focus (0) twice per instance. A third focus after the task's last step is
    the next instance's first step (its start, the address tab, came after it): the task starts over there,
    not one step later (the old code restarted at the second address tab, 1, and kept the focus)."""
    one = [0, 1, 2, 3, 4, 0, 5, 6]
    acts, seg = _segments([one] * 10 + [one + [0, 1, 2]])
    by_act = by_activity(acts)
    runs = _pair_runs(acts, seg, by_act)
    types = (np.array([0]), np.zeros(11, dtype=np.int64), np.array([11]))
    restart = _restart(acts, seg, np.ones(len(acts), bool), 7, 0.5, by_act, runs, types)
    assert restart[10] == 80 + 8, restart[10]              # was 80 + 9
    assert (restart[:10] == len(acts)).all()


def test_one_window_focused_again_after_a_chat_is_not_a_start_but_merged_tasks_are() -> None:
    """A weekly routine's ten instances, one cut by a chat (7, 8 repeated) after which its window (2) is
    focused again, the instance ending before the chat (its other part is taken back only in the final
    cut): 2 repeats in a tenth of its segments, which made it eligible to start a task type of its own and
    cut the routine in two. Two tasks merged repeat several of their steps."""
    plain = [0, 1, 2, 3, 4]
    chat = [0, 1, 2, 7, 8, 7, 8, 2, 3, 4]
    acts, seg = _segments([plain] * 9 + [chat])
    cut = np.r_[True, seg[1:] != seg[:-1]]
    inside = np.ones(len(acts), bool)
    inside[45 + 3:] = False                              # the chat and what follows it
    eligible = unexplained(acts, cut, inside, 9, 0.05)
    assert not eligible[2]                               # was eligible
    merged = [0, 1, 2, 3, 4, 2, 3]
    acts, seg = _segments([plain] * 9 + [merged])
    cut = np.r_[True, seg[1:] != seg[:-1]]
    assert unexplained(acts, cut, np.ones(len(acts), bool), 9, 0.05)[2]


def test_a_rare_routines_last_steps_stay_in_it_when_some_instances_lost_them() -> None:
    """Five instances of a monthly routine (steps 0-5 in one application, 6-8 in another) in the pooled
    leftovers, where two lost their last steps to other work (they follow in segments of their own): those
    steps are in three of five instances, short of the 80 % a rare routine's start asks for, and were cut off
    the other three (the routine split in two task types)."""
    rng = random.Random(0)
    acts, apps, ts, forced = [], [], [], []
    t = 0.0
    for k in range(5):
        part = list(range(9)) if k % 2 == 0 else list(range(6))
        for j, a in enumerate(part + [20 + rng.randrange(40) for _ in range(4)]):
            t += 60.0 if j == 0 else rng.uniform(0.5, 2.5)
            acts.append(a)
            apps.append(0 if a < 6 else 1 if a < 9 else 2)
            ts.append(t)
            forced.append(j == 0)
        if k % 2:
            for j, a in enumerate([6, 7, 8]):            # the lost steps, cut apart from it
                t += 30.0 if j == 0 else 1.0
                acts.append(a)
                apps.append(1)
                ts.append(t)
                forced.append(j == 0)
    a, f = np.array(acts), np.array(forced)
    rare = replace(SegmentParams(), min_gain=-0.001, start_presence=0.8)
    out, _ = _cut(a, f, np.zeros(len(a), bool), [0], 60, rare, np.array(ts), np.array(apps))
    kept = [int(((a[out == i] >= 6) & (a[out == i] <= 8)).sum()) for i in np.unique(out[out >= 0]) if (a[out == i] == 0).any()]
    assert kept == [3, 0, 3, 0, 3], kept                 # was [0, 0, 0, 0, 0]


def test_other_work_that_usually_follows_after_a_pause_is_not_the_task_after_a_short_one() -> None:
    """A task (steps 0-6) followed in 40 % of its segments, after a pause of 15-30 s, by a rarer one in the
    same applications (7-9, never on its own): they look like optional last steps, and the pause cuts them
    off. Once the pause was short (5 s): the rarer task was counted in the frequent one, though its first
    step usually comes after a pause three times longer than any inside the task."""
    rng = random.Random(1)
    acts, gap, seg = [], [], []
    for k in range(20):
        then = [7, 8, 9] if k % 5 in (1, 3) else []
        for j, a in enumerate(list(range(7)) + then):
            acts.append(a)
            gap.append(60.0 if j == 0 else (5.0 if k == 11 else rng.uniform(15, 30)) if j == 7 else rng.uniform(0.5, 2))
            seg.append(k)
    a, s, g = np.array(acts), np.array(seg), np.array(gap)
    cut = np.r_[True, s[1:] != s[:-1]]
    end = np.array([int(np.flatnonzero(s == k).max()) for k in range(20)])
    apps = (a >= 3).astype(np.int64) ^ (a == 7)        # 7 in the first task's first application, 8-9 in its second
    common, core = a <= 6, np.ones(len(a), bool)
    moved = _own_end(common, core, s, cut, end, a, apps, np.zeros(len(a), np.int64), g, 3.0)
    last_of_task = np.array([int(np.flatnonzero((s == k) & (a == 6))[0]) for k in range(20)])
    assert moved[11] == last_of_task[11], (moved[11], end[11])       # was end[11]: the rarer task's last step
    assert (moved == last_of_task).all()


def test_a_part_done_again_is_the_instances_own() -> None:
    """The last steps an instance holds, done again in the same order, then its missing steps: one task that
    went back a few steps. Not when that goes back to its first step (another instance), nor when the steps
    come in another order."""
    inst = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert _done_again(inst, [4, 5, 6, 7, 8, 9, 10, 11]) == 5
    assert _done_again(inst, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) == 0
    assert _done_again(inst, [5, 4, 6, 7, 8, 9]) == 0
    assert _done_again(inst, [8, 9, 10]) == 0           # one step once more: the old rule allows it already


def test_an_instance_with_its_middle_steps_done_again_is_one_instance() -> None:
    """An order look-up (12 steps) whose search and status check were done again before the reply (3 % in
    the demo): its second half was cut off at the repeated search and left apart (in the demo, a third task
    type of 31 instances). It is one instance, whole."""
    rng = random.Random(2)
    steps = list(range(12))
    acts, ts, truth = [], [], []
    t = 0.0
    for i in range(120):
        for _ in range(rng.choice((0, 2, 4))):
            t += rng.uniform(3, 10)
            acts.append(20 + rng.randrange(40))
            ts.append(t)
            truth.append(-1)
        t += rng.uniform(20, 60)
        done = steps[:9] + steps[4:] if i % 30 == 3 else steps
        for k, s in enumerate(done):
            t += rng.uniform(1, 4) if k else 0.0
            acts.append(s)
            ts.append(t)
            truth.append(i)
    a, tr = np.array(acts), np.array(truth)
    apps = np.where(a >= 20, 2, np.where((a >= 3) & (a < 9), 1, 0))
    task, _ = segment_stream(np.array(ts), a, apps, np.zeros(len(a), bool), 60)
    for i in range(3, 120, 30):
        held = task[tr == i]
        assert len(set(held.tolist())) == 1 and held[0] >= 0, (i, held)    # was 3, 3, ..., -1, -1, ...
        assert (task == held[0]).sum() == 17
