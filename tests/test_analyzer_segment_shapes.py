"""Segmentation of routine shapes that fooled it: a task that comes back to the window it started in,
and one with optional and repeated steps. Hand-made streams with known instances, noise between them."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tasklens.analyzer.segment import segment_stream

Steps = list[str]


def _return_to_window(rng: random.Random) -> Steps:
    """CRM -> sheet -> back to CRM: the CRM focus occurs twice in every instance."""
    return ["crm:focus", "crm:address-tab", "crm:copy-street", "sheet:focus", "sheet:click-cell", "sheet:paste",
            "sheet:type-zip", "crm:focus", "crm:edit", "crm:type-street", "crm:save"]


def _optional_and_repeated(rng: random.Random) -> Steps:
    """A claim with 1-4 line items, each perhaps with a note, an optional look-up and attachment."""
    steps = ["mail:focus", "mail:attachment", "claims:focus", "claims:policy", "claims:type-policy"]
    if rng.random() < 0.3:
        steps += ["search:focus", "search:search", "search:row", "claims:focus"]
    for _ in range(rng.randint(1, 4)):
        steps += ["claims:add-item", "claims:amount"] + (["claims:note"] if rng.random() < 0.4 else [])
    return steps + (["claims:attach"] if rng.random() < 0.2 else []) + ["claims:submit", "saved:focus", "saved:close"]


NOISE = ["chat:focus", "chat:type", "chat:enter", "chat:scroll", "web:focus", "web:scroll", "web:click"]


def _linear(rng: random.Random) -> Steps:
    """Ten steps across two windows, always in the same order."""
    return ["mail:focus", "mail:open", "mail:copy", "erp:focus", "erp:field", "erp:paste", "erp:tab", "erp:type",
            "erp:post", "erp:continue"]


def _stream(routine: Callable[[random.Random], Steps], n: int, seed: int,
            interrupt: float = 0.0) -> tuple[np.ndarray, ...]:
    """`interrupt`: the share of instances with a chat of 6-14 messages inside, after a random step."""
    rng = random.Random(seed)
    names: dict[str, int] = {}
    acts, apps, ts, truth = [], [], [], []
    t = 0.0
    for i in range(n):
        for _k in range(rng.choice((0, 0, 2, 5))):      # some noise between tasks, a pause before each task
            label = rng.choice(NOISE)
            t += rng.uniform(2, 8)
            acts.append(names.setdefault(label, len(names)))
            apps.append(label.split(":")[0])
            ts.append(t)
            truth.append(-1 - len(truth))
        t += rng.uniform(20, 60)
        steps = routine(rng)
        cut = rng.randint(2, len(steps) - 2) if rng.random() < interrupt else -1
        for k, label in enumerate(steps):
            if k == cut:
                chat = ["chat:focus"] + [rng.choice(NOISE[1:4]) for _ in range(rng.randint(5, 13))]
                for noise in chat + [steps[k - 1].split(":")[0] + ":focus"]:   # and back to the task's window
                    acts.append(names.setdefault(noise, len(names)))
                    apps.append(noise.split(":")[0])
                    ts.append(t)
                    truth.append(-1 - len(truth) if noise.startswith("chat") else i)
                    t += rng.uniform(2, 6)
            acts.append(names.setdefault(label, len(names)))
            apps.append(label.split(":")[0])
            ts.append(t)
            truth.append(i)
            t += rng.uniform(0.5, 3)
    app_ids = np.unique(apps, return_inverse=True)[1]
    return np.array(ts), np.array(acts), app_ids, np.array(truth), np.array(len(names))


@pytest.mark.parametrize("routine", [_return_to_window, _optional_and_repeated], ids=lambda r: r.__name__[1:])
@pytest.mark.parametrize("seed", [0, 1])
def test_instances_come_back_whole(routine: Callable[[random.Random], Steps], seed: int) -> None:
    ts, acts, apps, truth, n_acts = _stream(routine, 120, seed)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), int(n_acts))
    found = len(set(task.tolist()) - {-1})
    assert abs(found - 120) <= 6, found                      # instance count within 5 %
    inside = truth >= 0
    assert adjusted_rand_score(truth[inside], task[inside]) >= 0.95
    assert (task[inside] >= 0).mean() >= 0.97               # the first window of each task is in it


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_interrupted_instance_takes_back_its_other_part(seed: int) -> None:
    """A chat in the middle of a task: the steps before and after it are one instance (its hours are the
    task's, not two pieces' or none), and the chat is not part of it."""
    ts, acts, apps, truth, n_acts = _stream(_linear, 150, seed, interrupt=0.1)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), int(n_acts))
    inside = truth >= 0
    whole = [i for i in set(truth[inside].tolist()) if len(set(task[truth == i].tolist())) == 1
             and task[truth == i][0] >= 0]
    assert len(whole) >= 0.97 * 150, len(whole)
    chat = ~inside
    assert not np.isin(task[chat & (task >= 0)], task[inside]).any()      # no chat event counted in a task
