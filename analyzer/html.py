"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network) for an analyst."""

from __future__ import annotations

import math
from html import escape

from tasklens.analyzer.activetime import RULE
from tasklens.analyzer.candidates import Candidate
from tasklens.analyzer.exceptions import Params, duration
from tasklens.analyzer.result import AnalysisResult, ExceptionCase, Transition
from tasklens.wording import HOURS_OBSERVED, HOURS_SAVED_FTE, HOURS_SAVED_TEAM, PEOPLE, PERSON, plural

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f5f6f8;color:#1d2433}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 10px} h3{font-size:15px;margin:14px 0 6px}
.muted{color:#5b6475} .cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0001;min-width:120px}
.card b{display:block;font-size:22px} section{background:#fff;border-radius:8px;padding:16px 20px;
box-shadow:0 1px 2px #0001;margin-bottom:16px} table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e8ec;vertical-align:top}
th{font-weight:600;color:#5b6475;font-size:12px;text-transform:uppercase}
.num{text-align:right;font-variant-numeric:tabular-nums} .pill{display:inline-block;padding:1px 8px;
border-radius:10px;font-size:12px} .high{background:#d9f2e3;color:#11643a} .medium{background:#fff1cc;
color:#7a5800} .low{background:#fde0e0;color:#8a1f1f} .steps{font-size:12px;color:#394152}
.steps span{display:inline-block;background:#eef1f6;border-radius:4px;padding:1px 6px;margin:2px 2px}
svg text{font:12px system-ui,sans-serif;fill:#1d2433}
"""


def _bar_chart(rows: list[tuple[str, float, float]], unit: str) -> str:
    """Horizontal bars: label, main value (dark), secondary value (light, behind)."""
    if not rows:
        return "<p class='muted'>Nothing to show.</p>"
    width, label_w, bar_h = 1100, 380, 26
    top = max(max(v, w) for _, v, w in rows) or 1.0
    scale = (width - label_w - 6 - 7 * len(unit) - 40) / top   # room for the value and its unit after the bar
    height = bar_h * len(rows) + 24
    out = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img'>"]   # shrinks to the card, never clipped
    for i, (label, v, w) in enumerate(rows):
        y = 8 + i * bar_h
        out.append(f"<text x='0' y='{y + 16}'>{escape(label[:58])}</text>")
        out.append(f"<rect x='{label_w}' y='{y + 3}' width='{w * scale:.1f}' height='{bar_h - 8}' fill='#c9d7f2'/>")
        out.append(f"<rect x='{label_w}' y='{y + 3}' width='{v * scale:.1f}' height='{bar_h - 8}' fill='#2f5fb3'/>")
        out.append(f"<text x='{label_w + max(v, w) * scale + 6:.1f}' y='{y + 16}'>{v:.{0 if v == int(v) else 1}f} {unit}</text>")
    out.append("</svg>")
    return "".join(out)


def _arc_diagram(flow: list[str], edges: list[Transition], limit: int = 40) -> str:
    """The process map as an arc diagram: steps top to bottom in the order of the task types' main
    variants (`flow`), so forward arcs are short; arcs for directly-follows edges."""
    edges = edges[:limit]
    if not edges:
        return "<p class='muted'>No transitions.</p>"
    used = {n for e in edges for n in (e.source, e.target)}
    nodes = list(dict.fromkeys([n for n in flow if n in used] + [n for e in edges for n in (e.source, e.target)]))
    row, x0 = 24, 640
    y = {n: 20 + i * row for i, n in enumerate(nodes)}
    top = max(e.count for e in edges)
    out = [f"<svg width='1100' height='{len(nodes) * row + 30}' role='img'>"]
    for e in edges:
        a, b = y[e.source], y[e.target]
        w = 1 + 5 * math.log1p(e.count) / math.log1p(top)
        color = "#2f5fb3" if b > a else "#d0542f"
        r = abs(b - a) / 2 + 8
        path = (f"M{x0} {a} C{x0 + r * 1.6} {a} {x0 + r * 1.6} {b} {x0} {b}" if a != b
                else f"M{x0} {a} c30 -14 30 14 0 0")
        out.append(f"<path d='{path}' fill='none' stroke='{color}' stroke-opacity='.55' stroke-width='{w:.1f}'>"
                   f"<title>{escape(e.source)} → {escape(e.target)}: {e.count}×, median wait "
                   f"{e.median_wait_seconds:.1f}s</title></path>")
    for n, yy in y.items():
        out.append(f"<circle cx='{x0}' cy='{yy}' r='4' fill='#1d2433'/>"
                   f"<text x='{x0 - 10}' y='{yy + 4}' text-anchor='end'>{escape(n[:90])}</text>")
    out.append("</svg>")
    return "".join(out)


def _steps(steps: tuple[str, ...], limit: int = 30) -> str:
    more = f" … +{len(steps) - limit}" if len(steps) > limit else ""
    return "<div class='steps'>" + "".join(f"<span>{escape(s)}</span>" for s in steps[:limit]) + more + "</div>"


def _months(m: float | None) -> str:
    return "never" if m is None else f"{m:.1f}"


def _return_on_automation(r: AnalysisResult) -> str:
    """Per candidate what a bot would leave to people, what it costs and when it pays back, beside what it saves."""
    if not r.candidates:
        return ""
    out = ["<section><h2>Return on automation</h2><p class='muted'>Per candidate, for the observed team. "
           f"<b>Saved</b>: {HOURS_SAVED_TEAM} ({r.candidates[0].assumptions.get('working_days_per_month', 21):g} "
           "working days), exception instances left to people. "
           "<b>Hand back</b>: the share of its instances in this period that are exceptions (flagged or marked by "
           "the analyst): how often a bot would hand a case back to a person. <b>Build</b>: hours of one RPA "
           "developer, from the effort model (formula below; weights in each candidate's assumptions) or the "
           "analyst's figure. <b>Payback</b>: build hours / (hours saved per month &minus; upkeep per month).</p>"
           "<table><tr><th>#</th><th>task</th><th class='num'>saved, h/month (team)</th>"
           "<th class='num'>hand back, % of instances</th><th>what those cases look like</th>"
           "<th class='num'>build, h (one developer)</th><th class='num'>upkeep, h/month</th>"
           "<th class='num'>payback, months</th></tr>"]
    for c in r.candidates:
        out.append(f"<tr><td>{c.id}</td><td>{escape(c.name)}</td>"
                   f"<td class='num'><b>{c.hours_saved_per_month_team:.1f}</b></td>"
                   f"<td class='num'>{_hand_back(r, c)}</td><td>{escape(c.hand_back_cases) or '&mdash;'}</td>"
                   f"<td class='num'>{c.effort_hours:.0f}</td><td class='num'>{c.maintain_hours_per_month:.1f}</td>"
                   f"<td class='num'><b>{_months(c.payback_months)}</b></td></tr>"
                   f"<tr><td></td><td colspan='7' class='muted'>build: {escape(c.effort_formula)}</td></tr>")
    out.append("</table></section>")
    return "".join(out)


def _hand_back(r: AnalysisResult, c: Candidate) -> str:
    """A candidate's hand-back rate, said to be the rework rule's where its type was too small to judge."""
    return f"{c.hand_back_rate:.0%}" + (" (rework rule)" if r.task_type(c.task_type).exception_rate is None else "")


def _exceptions(r: AnalysisResult, per_type: int = 3) -> str:
    """The candidates' task types with their exception rate and highest-scored cases (the reason a person
    reads); the other task types' rates in brief; how many types were too small to judge."""
    cases: dict[int, list[ExceptionCase]] = {}
    for case in r.exceptions:
        if case.mark != "normal":
            cases.setdefault(case.task_type, []).append(case)
    of_candidate = r.candidate_of_type()
    judged = [t for t in r.task_types if t.exception_rate is not None]
    unjudged = [t for t in r.task_types if t.exception_rate is None]
    out = ["<section><h2>Exceptions</h2><p class='muted'>Instances that stray from their task type's usual flow "
           "(steps skipped, inserted or repeated, another application, far slower or faster than usual for "
           "their steps, a long pause). Score: the strongest signal over its threshold; 1 or more is an "
           "exception unless the analyst's marks moved the type's threshold. Rates are shares of the type's "
           "instances in this period; every case is in report.json (<code>exceptions</code>) and marked in "
           "events.csv.</p>"]
    if unjudged:
        out.append(f"<p>Not judged (fewer than {Params().min_instances} instances each, no usual flow to compare with): <b>"
                   f"{plural(len(unjudged), 'task type')}, {plural(sum(t.instances for t in unjudged), 'instance')}</b>"
                   "; their candidates' hand-back rate counts instances that repeat a step instead (rework rule).</p>")
    head = ("<tr><th>task type</th><th class='num'>instances</th><th class='num'>exceptions</th>"
            "<th class='num'>exception rate</th>")
    chosen = sorted((t for t in judged if t.id in of_candidate), key=lambda t: of_candidate[t.id])
    if chosen:
        out.append(f"<h3>RPA candidates' task types</h3><table>{head}<th>highest scored cases: score, reason, "
                   "time against the usual for its steps</th></tr>")
    for t in chosen:
        shown = cases.get(t.id, [])[:per_type]
        rows = "".join(f"<div><b>{c.score:.1f}</b> {escape(c.reason or 'marked an exception by the analyst')} "
                       f"<span class='muted'>({duration(c.seconds)} against {duration(c.usual_seconds)}"
                       f"{', marked by the analyst' if c.mark else ''})</span></div>" for c in shown)
        more = len(cases.get(t.id, [])) - len(shown)
        out.append(f"<tr><td>{of_candidate[t.id]} {escape(t.name)}</td><td class='num'>{t.instances}</td>"
                   f"<td class='num'>{t.exception_instances}</td><td class='num'>{t.exception_rate or 0:.0%}</td>"
                   f"<td>{rows or '&mdash;'}{f'<div class=muted>and {more} more</div>' if more > 0 else ''}</td></tr>")
    if chosen:
        out.append("</table>")
    others = [t for t in judged if t.id not in of_candidate]
    if others:
        out.append(f"<h3>Other task types (no RPA candidate)</h3><table>{head}</tr>"
                   + "".join(f"<tr><td>{escape(t.name)}</td><td class='num'>{t.instances}</td><td class='num'>"
                             f"{t.exception_instances}</td><td class='num'>{t.exception_rate or 0:.0%}</td></tr>"
                             for t in others) + "</table>")
    out.append("</section>")
    return "".join(out)


def render(r: AnalysisResult) -> str:
    """The page, from the result alone (the figures are report.json's)."""
    s, cands, variants = r.summary, r.candidates, r.variants
    cards = [("events", f"{s.events:,}"), (PEOPLE, s.users), ("task instances", f"{s.instances:,}"),
             ("task types", s.task_types), ("hours in tasks", f"{s.hours_in_tasks:.1f}"),
             ("RPA candidates", s.candidates), (HOURS_SAVED_TEAM, f"{s.hours_saved_per_month_team:.1f}")]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>tasklens report</title>"
             f"<style>{_CSS}</style></head><body><main>",
             "<h1>tasklens analysis</h1>",
             f"<p class='muted'>{escape(str(s.first))} – {escape(str(s.last))} · "
             f"{plural(s.users, PERSON)} · masked data</p>",
             "<div class='cards'>" + "".join(f"<div class='card'><b>{v}</b>{escape(k)}</div>" for k, v in cards)
             + "</div>",
             "<section><h2>RPA candidates: hours saved per month</h2><p class='muted'>Dark: estimated hours saved "
             f"per month for the observed team; light: hours observed in the data. Every hour figure counts time "
             f"one way: {escape(RULE)}.</p>",
             _bar_chart([(f"{c.id} {c.name}", c.hours_saved_per_month, c.hours_observed) for c in cands[:15]],
                        HOURS_SAVED_TEAM), "</section>"]
    parts.append("<section><h2>Candidates</h2><table><tr><th>#</th><th>task</th><th class='num'>instances</th>"
                 f"<th class='num'>{PEOPLE}</th><th class='num'>{HOURS_OBSERVED}</th><th class='num'>{HOURS_SAVED_TEAM}</th>"
                 f"<th class='num'>{HOURS_SAVED_FTE}</th>"
                 "<th class='num'>determinism</th><th class='num'>data transfer</th><th class='num'>hand back</th>"
                 "<th>confidence</th></tr>")
    for c in cands:
        p = c.score_parts
        badge = {"accepted": " <span class='pill high'>confirmed by analyst</span>",
                 "rejected": " <span class='pill low'>rejected by analyst</span>"}.get(c.status, "")
        parts.append(f"<tr><td>{c.id}</td><td>{escape(c.name)}{badge}</td>"
                     f"<td class='num'>{len(c.instances)}</td>"
                     f"<td class='num'>{len(c.users)}</td><td class='num'>{c.hours_observed:.1f}</td>"
                     f"<td class='num'><b>{c.hours_saved_per_month:.1f}</b></td>"
                     f"<td class='num'>{c.hours_saved_per_month_per_fte:.1f}</td>"
                     f"<td class='num'>{p['determinism']:.2f}</td><td class='num'>{p['data_transfer']:.0%}</td>"
                     f"<td class='num'>{_hand_back(r, c)}</td>"
                     f"<td><span class='pill {c.confidence_label}'>{c.confidence_label}</span></td></tr>"
                     f"<tr><td></td><td colspan='10' class='muted'>{escape(c.rationale)}</td></tr>")
    parts.append("</table></section>")
    parts.append(_return_on_automation(r))
    parts.append(_exceptions(r))
    for t in r.task_types[:10]:
        rows = [(f"variant {i + 1} ({len(variants[v].steps)} steps)", float(variants[v].instances), 0.0)
                for i, v in enumerate(t.variants[:6])]
        parts.append(f"<section><h2>Task type {t.id}: {escape(t.name)}</h2><p class='muted'>"
                     f"{plural(t.instances, 'instance')} · {plural(len(t.users), PERSON)} · "
                     f"{t.hours_observed:.1f} {HOURS_OBSERVED} · "
                     f"median {t.median_seconds:.0f} s · apps: {escape(', '.join(t.applications))}</p>"
                     + _bar_chart(rows, "instances")
                     + (f"<h3>Most common variant</h3>{_steps(t.signature)}" if t.variants else "")
                     + "</section>")
    parts.append("<section><h2>Routines (frequent step sequences)</h2><table><tr><th class='num'>instances</th>"
                 "<th>candidates</th><th>steps</th></tr>")
    for rt in r.routines[:15]:
        parts.append(f"<tr><td class='num'>{rt.instances}</td><td>{escape(', '.join(rt.candidates))}</td>"
                     f"<td>{_steps(rt.steps)}</td></tr>")
    parts.append("</table></section>")
    parts.append("<section><h2>Process map</h2><p class='muted'>Directly-follows transitions inside task "
                 "instances, most frequent first. Blue: forward, red: back; thicker is more frequent; hover for "
                 "counts and waiting times.</p>"
                 + _arc_diagram([step for t in r.task_types for step in t.signature], r.process_map.edges)
                 + "</section>")
    parts.append("</main></body></html>")
    return "".join(parts)
