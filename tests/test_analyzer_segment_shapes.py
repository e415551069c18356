"""Segmentation of routine shapes that fooled it: a task that comes back to the window it started in,
and one with optional and repeated steps. Hand-made streams with known instances, noise between them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tasklens.analyzer.segment import SegmentParams, _rejoin, _usual_counts, segment_stream

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
    whole, chat_in_task = _interrupted(_linear, seed, 0.1)
    assert whole >= 0.97 * 150, whole
    assert not chat_in_task


def _interrupted(routine: Callable[[random.Random], Steps], seed: int, interrupt: float) -> tuple[int, bool]:
    """Of 150 instances, some cut by a chat: how many come back whole, and whether a chat event is in a task."""
    ts, acts, apps, truth, n_acts = _stream(routine, 150, seed, interrupt)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), int(n_acts))
    inside = truth >= 0
    whole = [i for i in set(truth[inside].tolist()) if len(set(task[truth == i].tolist())) == 1
             and task[truth == i][0] >= 0]
    return len(whole), bool(np.isin(task[~inside & (task >= 0)], task[inside]).any())


def _clicks_by_position(rng: random.Random) -> Steps:
    """An order look-up as the collector records it without accessibility: a click is the button and a
    position, so every click in one window is one activity, and the optional click on a tracking link in
    the order window (40 %) makes that window's click occur twice."""
    return (["mail:focus", "mail:click", "msg:focus", "msg:copy", "crm:focus", "crm:click", "crm:paste",
             "crm:enter", "order:focus", "order:click"] + (["order:click"] if rng.random() < 0.4 else [])
            + ["order:copy", "reply:focus", "reply:paste", "reply:click"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_interrupted_instance_with_an_optional_click_is_taken_back_whole(seed: int) -> None:
    """The count of a click step varies with optional clicks in its window; an instance cut by a chat,
    with the optional click and its window taken up again, is one instance (was 133-141 of 150 whole:
    its two parts held one click more than usual and one focus more, and were left apart)."""
    whole, chat_in_task = _interrupted(_clicks_by_position, seed, 0.2)
    assert whole >= 0.97 * 150, whole
    assert not chat_in_task


def test_a_tail_held_inside_another_types_instance_goes_back_to_its_task() -> None:
    """A task (steps 0-5, application 0) cut by a chat (steps 10-12, application 1, a type of its own): its
    last steps came back inside the chat's instance, which went on after them. They are done mostly as
    that task, in an application the chat never uses, so they leave the chat and join their task."""
    task_steps, chat_steps = [0, 1, 2, 3, 4, 5], [10, 11, 12, 11, 12]
    acts, seg = [], []
    for k in range(20):                                        # whole tasks, each followed by a chat
        acts += task_steps + chat_steps
        seg += [2 * k] * 6 + [2 * k + 1] * 5
    acts += [0, 1, 2] + [10, 11, 12] + [3, 4, 5] + [11, 12]    # the cut one; the chat holds its tail
    seg += [40] * 3 + [41] * 8
    a, out = np.array(acts), np.array(seg)
    apps = (a >= 10).astype(np.int64)
    ts = np.arange(len(a)) * 2.0
    forced = np.zeros(len(a), bool)
    forced[0] = True
    group_of_seg = np.array([0, 10] * 21)
    core = {(0, s) for s in task_steps} | {(10, s) for s in (10, 11, 12)}
    _rejoin(out, a, ts, apps, forced, np.zeros(len(a), bool), group_of_seg, core, 13, SegmentParams())
    tail = np.arange(len(a) - 5, len(a) - 2)
    assert (out[tail] == 40).all(), out[-11:]                                 # was 41: left in the chat
    assert (out[len(a) - 8:len(a) - 5] == 41).all() and (out[-2:] == 41).all()  # the chat keeps its own


def test_a_step_whose_count_is_spread_thin_has_its_usual_count_as_ceiling() -> None:
    """Twelve instances, a step occurring 1 to 12 times, each count once: no count is in a tenth of them
    (a chat's messages, a long read of the inbox), so the ceiling is the usual count (this raised
    ValueError: max() of an empty sequence)."""
    acts = np.array([a for i in range(12) for a in [0] + [1] * (i + 1)])
    out = np.array([i for i in range(12) for _ in range(i + 2)])
    usual, most = _usual_counts(out, acts, np.zeros(12, dtype=np.int64), {(0, 0), (0, 1)}, 2, 0.5)
    assert usual[0, 1] == 1 and most[0, 1] == 1 and most[0, 0] == 1


def _emit(stream: dict[str, list], label: str, t: float, who: int) -> None:
    names = stream.setdefault("names", [{}])[0]
    stream.setdefault("acts", []).append(names.setdefault(label, len(names)))
    stream.setdefault("apps", []).append(label.split(":")[0])
    stream.setdefault("ts", []).append(t)
    stream.setdefault("truth", []).append(who)


def _arrays(stream: dict[str, list]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    return (np.array(stream["ts"]), np.array(stream["acts"]), np.unique(stream["apps"], return_inverse=True)[1],
            np.array(stream["truth"]), stream["names"][0])


def _hours(stream: dict[str, list], cases: int) -> tuple[float, float]:
    """Seconds first-to-last of the found instances that hold a true step, and of the `cases` true ones."""
    ts, acts, apps, truth, names = _arrays(stream)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names))
    held = set(task[(truth >= 0) & (task >= 0)].tolist())
    found = sum(float(np.ptp(ts[task == i])) for i in held)
    true = sum(float(np.ptp(ts[truth == i])) for i in range(cases))
    return found, true


@pytest.mark.parametrize("seed", [0, 1])
def test_a_task_that_often_comes_next_is_not_counted_in_the_one_before(seed: int) -> None:
    """A rarer task done right after a frequent one in 45 % of its instances (after a pause, in other
    windows), and on its own on other days: its steps are in enough of the frequent task's segments to
    pass for optional steps, but they are a task of their own (its hours are its own, not the other's)."""
    rng = random.Random(seed)
    first = ["mail:focus", "mail:open", "mail:copy", "erp:focus", "erp:field", "erp:paste", "erp:post"]
    then = ["crm:focus", "crm:search", "crm:open", "sheet:focus", "sheet:paste", "sheet:save"]
    stream: dict[str, list] = {}
    blocks = [first] * 100 + [then] * 30
    rng.shuffle(blocks)
    t, case = 0.0, 0
    for steps in blocks:
        t += 4000 if steps is then else rng.uniform(20, 60)   # the rarer task alone: a session of its own
        todo = [steps] + ([then] if steps is first and rng.random() < 0.45 else [])
        for k, task in enumerate(todo):
            t += rng.uniform(20, 60) if k else 0.0
            for label in task:
                t += rng.uniform(0.5, 3)
                _emit(stream, label, t, case)
            case += 1
        for _ in range(rng.randint(3, 8)):
            t += rng.uniform(2, 8)
            _emit(stream, rng.choice(NOISE[:4]), t, -1)
    ts, acts, apps, truth, names = _arrays(stream)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names))
    assert len(set(task.tolist()) - {-1}) == case                         # was 100 of 173: the rarer one inside
    inside = truth >= 0
    assert adjusted_rand_score(truth[inside], task[inside]) >= 0.98


@pytest.mark.parametrize("seed", [0, 1])
def test_lead_in_steps_whose_label_varies_with_the_data_begin_the_instance(seed: int) -> None:
    """The mail a task opens with names a vendor, and the titles keep one vendor's name (30 % of the
    instances): its first two steps have two labels each, neither in 80 % of the instances, yet both
    always lead into the task's third step, so every instance begins at its mail."""
    rng = random.Random(seed)
    stream: dict[str, list] = {}
    t = 0.0
    for i in range(120):
        for _ in range(rng.choice((0, 2, 5))):
            t += rng.uniform(2, 8)
            _emit(stream, rng.choice(NOISE), t, -1)
        t += rng.uniform(20, 60)
        vendor = "kern" if rng.random() < 0.3 else "any"
        for label in [f"mail:focus {vendor}", f"mail:attachment {vendor}", "pdf:focus", "pdf:copy", "erp:focus",
                      "erp:vendor", "erp:type", "erp:paste", "erp:post", "erp:continue"]:
            _emit(stream, label, t, i)
            t += rng.uniform(0.5, 3)
    ts, acts, apps, truth, names = _arrays(stream)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names))
    inside = truth >= 0
    assert adjusted_rand_score(truth[inside], task[inside]) >= 0.98      # was 0.46-0.57
    assert (task[inside] >= 0).all()


def test_an_instance_interrupted_where_the_stream_resumes_is_taken_back_whole() -> None:
    """Leftovers pooled from several people: where events were taken out (another task's instance, a
    chat) the stream resumes and a new segment begins, but an instance cut there takes back its other
    part; where another person's events begin (`cuts`) nothing is joined."""
    rng = random.Random(0)
    steps = ["sap:focus", "sap:open", "sap:type", "sap:run", "sap:copy", "xl:focus", "xl:paste", "xl:save", "mail:send"]
    stream: dict[str, list] = {}
    resumes: list[bool] = []
    cuts: list[bool] = []
    t = 0.0
    for i in range(10):
        t += 3600.0 * 24
        for _ in range(rng.randint(3, 6)):                   # what another person left over
            t += rng.uniform(2, 8)
            cuts.append(not _)
            resumes.append(False)
            _emit(stream, rng.choice(NOISE), t, -1)
        for k, label in enumerate(steps):
            taken_out = i == 4 and k == 6                     # a chat the per-person pass took, then back
            t += rng.uniform(0.5, 3) + (40.0 if taken_out else 0.0)
            resumes.append(taken_out)
            cuts.append(k == 0)
            _emit(stream, label, t, i)
    ts, acts, apps, truth, names = _arrays(stream)
    p = replace(SegmentParams(), min_gain=-0.001, start_presence=0.8)     # as the pooled pass asks
    cut, resume = np.array(cuts), np.array(resumes)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names), p, cut, rare=True, resumes=resume)
    inside = truth >= 0
    assert adjusted_rand_score(truth[inside], task[inside]) == 1.0
    assert (task[inside] >= 0).all()
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names), p, cut | resume, rare=True)
    assert (task[truth == 4] < 0).sum() == 3                               # the old way: its last 3 steps lost


def test_a_long_stream_shares_its_candidates_with_a_helper_and_finds_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pooled pass runs where the other cores wait: a long stream scores and cuts its candidates here and
    on a helper process, with the very same instances and starts."""
    from tasklens.analyzer import segment

    rng = random.Random(3)
    stream: dict[str, list] = {}
    t = 0.0
    for i in range(12):
        t += 3600.0 * 24
        for _ in range(rng.randint(3, 9)):
            t += rng.uniform(2, 8)
            _emit(stream, rng.choice(NOISE), t, -1)
        for label in ["crm:focus", "crm:search", "crm:open", "xl:focus", "xl:paste", "xl:save"]:
            t += rng.uniform(0.5, 3)
            _emit(stream, label, t, i)
    ts, acts, apps, _, names = _arrays(stream)
    p = replace(SegmentParams(), min_gain=-0.001, start_presence=0.8, max_ties=40)   # as the pooled pass asks
    alone = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names), p, rare=True)
    helped: list[bool] = []
    share = segment._Helped.map
    monkeypatch.setattr(segment, "HELP_FROM", 0)
    monkeypatch.setattr(segment._Helped, "map", lambda self, *job: helped.append(self._pool is not None) or share(self, *job))
    task, starts = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), len(names), p, rare=True, helper=True)
    assert helped and all(helped)
    assert task.tolist() == alone[0].tolist() and starts == alone[1] and (task >= 0).any()


def _mail_after_tasks(seed: int) -> tuple[float, float]:
    """A frequent task (14 times) and a rarer one (4 times) in one person's stream, each followed a few seconds
    later by a long read of the inbox: subjects from a small pool, so each mail step recurs in half the rarer
    task's segments at much the same place. Returns (found, true) seconds of the task instances."""
    rng = random.Random(seed)
    frequent = ["crm:focus", "crm:search", "crm:paste", "crm:enter", "crm:open", "sheet:focus", "sheet:paste",
                "sheet:save"]
    rarer = ["mail:focus expense", "mail:open report", "concur:focus", "concur:receipt", "concur:copy", "xl:focus",
             "xl:paste", "concur:approve", "concur:comment", "concur:submit"]
    stream: dict[str, list] = {}
    blocks = [frequent] * 14 + [rarer] * 4
    rng.shuffle(blocks)
    t, subject = 0.0, 0
    for case, steps in enumerate(blocks):
        t += rng.uniform(20, 60)
        for label in steps:
            t += rng.uniform(0.5, 3)
            _emit(stream, label, t, case)
        t += rng.uniform(5, 8)
        for _ in range(rng.randint(30, 60)):
            if rng.random() < 0.3:
                subject = rng.randint(0, 8)
                _emit(stream, f"mail:focus {subject}", t, -1)
            t += rng.uniform(2, 9)
            _emit(stream, f"{rng.choice(['mail:scroll', 'mail:list', 'mail:down'])} {subject}", t, -1)
    return _hours(stream, len(blocks))


def test_other_work_that_follows_a_task_in_most_of_its_segments_is_not_its_steps() -> None:
    """The inbox read after each task comes at the same place in half the rarer task's 4 segments, so its steps
    passed for core steps and the instances ran on through the reading (hours 1.0-5.0 times the truth, 2.9
    over ten streams); they are done mostly outside that task's segments, which its own steps are not. (Two of
    the ten streams still run long, 2.0 and 3.0: not every way noise gets in is closed.)"""
    runs = [_mail_after_tasks(seed) for seed in range(10)]
    found, true = sum(f for f, _ in runs), sum(t for _, t in runs)
    assert found / true <= 1.5, found / true                               # was 2.9
    assert sum(f <= 1.1 * t for f, t in runs) >= 6                          # was 2 of 10


def _behind_busy_chat(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """A task of 12 steps, 4 in the mail before its CRM and sheet steps, among twice as many chat sessions of
    45 kinds of message, each often followed by one other (so each is more regular than the task's steps,
    which occur once per instance and tie). Labels are numbered in sorted order, as `label_all` does: the
    mail's sort last."""
    rng = random.Random(seed)
    steps = ["z-mail:focus", "z-mail:open", "z-mail:read", "z-mail:copy", "b-crm:focus", "b-crm:search",
             "b-crm:paste", "b-crm:open", "c-sheet:focus", "c-sheet:paste", "c-sheet:save"]
    chat = [f"chat:{k:02d}" for k in range(45)]
    usual_next = {a: rng.choice(chat) for a in chat}
    ids = {label: k for k, label in enumerate(sorted(steps + chat))}
    acts, apps, ts, truth = [], [], [], []
    t = 0.0
    for i in range(30):
        for _ in range(2):
            t += rng.uniform(2, 40)
            a = rng.choice(chat)
            for _ in range(rng.randint(60, 120)):
                t += rng.uniform(1, 6)
                acts.append(ids[a])
                apps.append("chat")
                ts.append(t)
                truth.append(-1)
                a = usual_next[a] if rng.random() < 0.5 else rng.choice(chat)
        t += rng.uniform(2, 40)
        for label in steps:
            t += rng.uniform(0.5, 3)
            acts.append(ids[label])
            apps.append(label.split(":")[0])
            ts.append(t)
            truth.append(i)
    return np.array(ts), np.array(acts), np.unique(apps, return_inverse=True)[1], np.array(truth), len(ids)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_task_among_more_regular_chat_is_tried_from_its_first_step(seed: int) -> None:
    """The starts tried each round are the most regular activities, `max_candidates` of them. Chat fills
    the first places and the cut fell among the task's steps, which tie: the ones whose labels sort first
    were tried (its CRM steps), never its mail, four steps before them, so every instance began at its CRM
    focus and its mail went with the instance before (ARI 0.13). Activities as regular as the last one
    taken are tried too."""
    ts, acts, apps, truth, n_acts = _behind_busy_chat(seed)
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(acts), bool), n_acts)
    inside = truth >= 0
    assert adjusted_rand_score(truth[inside], task[inside]) >= 0.98                # was 0.13
    assert (task[inside] >= 0).all()


def _document_after_some(seed: int, share: float) -> tuple[float, float]:
    """A task done 20 times among chat sessions; after a `share` of its instances, minutes later, a document
    is opened (one focus label, whatever the document) and edited for a while. The document's focus is done
    nearly only right after the task, at the same place: it passes for an optional last step done nowhere
    else, or for a common one where it follows most instances. Returns (found, true) seconds of the task
    instances."""
    rng = random.Random(seed)
    steps = ["mail:focus", "mail:open", "mail:copy", "erp:focus", "erp:field", "erp:paste", "erp:post", "erp:close"]
    stream: dict[str, list] = {}
    blocks = ["task"] * 20 + ["chat"] * 20
    rng.shuffle(blocks)
    t, case = 0.0, 0
    for block in blocks:
        t += rng.uniform(2, 40)
        if block == "chat":
            for _ in range(rng.randint(20, 60)):
                t += rng.uniform(1, 6)
                _emit(stream, f"chat:{rng.randrange(30)}", t, -1)
            continue
        for label in steps:
            t += rng.uniform(0.5, 3)
            _emit(stream, label, t, case)
        case += 1
        if rng.random() < share:
            t += rng.uniform(60, 300)
            _emit(stream, "doc:focus", t, -1)
            for _ in range(rng.randint(20, 40)):
                t += rng.uniform(1, 6)
                _emit(stream, f"doc:{rng.randrange(30)}", t, -1)
    return _hours(stream, case)


def test_what_follows_a_long_pause_after_a_task_is_not_its_last_step() -> None:
    """People pause between tasks, not before the last step of one: a step that follows the task's common
    steps after a pause three times longer than any between them ends no instance, even when it is done
    nowhere else (here: the first window of a document session, after a third of the instances). The
    instances ran on to it: hours 5.5 to 11 times the truth in each of eight streams."""
    runs = [_document_after_some(seed, 0.35) for seed in range(8)]
    assert sum(f <= 1.05 * t for f, t in runs) >= 7, [round(f / t, 2) for f, t in runs]      # was 0 of 8


def test_what_follows_most_instances_after_a_long_pause_is_not_their_last_step() -> None:
    """The same document session after 60 % of the instances: its focus is then one of the type's common
    steps (in most segments, at the same place), yet it usually comes after a pause three times longer than
    any before the steps ahead of it, and so is not one (hours 8 to 14 times the truth in six of eight)."""
    runs = [_document_after_some(seed, 0.6) for seed in range(8)]
    assert all(f <= 1.05 * t for f, t in runs), [round(f / t, 2) for f, t in runs]           # was 2 of 8
