#!/usr/bin/python3
"""Write one self-contained HTML report for a geosim scenario.

    report.py --geosim BIN --scenario FILE.yaml --out report.html [--runs N] [--seed S] [--seeds DIR]

It runs `geosim run` (the probabilities), `geosim story --pick` once per headline outcome (every
end state that occurred, and the highest rung reached by at least 1% of runs), and `geosim
sources` (the article quotes behind the numbers), draws the figures with tools/plot.py and writes
a single HTML file: figures inline as PNG data: URIs, styles inline, no scripts, no web fonts and
no links to anything outside the file, so it reads the same offline. The file is written to a
temporary name next to OUT and renamed, so a failed run never leaves half a report.

Exit status: 0 on success, 1 if geosim or a figure fails (with geosim's own message), 2 for bad
arguments. Run it with Debian's /usr/bin/python3 (matplotlib; python3-yaml for labels and the
parameter table). See docs/report.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import hashlib
import html
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ next to the script (source tree or share/geosim)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot as P  # noqa: E402  (tools/plot.py, next to this file)

SECTIONS = [  # (id, heading): the report's sections, in order (tests look for these headings)
    ("question", "The question"),
    ("how-to-read", "How to read this"),
    ("summary", "Summary"),
    ("plots", "Plots"),
    ("stories", "Stories"),
    ("sources", "Sources and assumptions"),
]
HEADLINE_RUNG_MIN_P = 0.01  # a rung is a headline outcome if at least 1% of runs reach it


class ReportError(Exception):
    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def esc(x) -> str:
    return html.escape(str(x), quote=True)


# ----------------------------------------------------------------------------- running geosim


class Geosim:
    def __init__(self, binary: str, workdir: str, threads: int | None):
        self.binary = binary
        self.workdir = workdir
        self.threads = threads
        self.warned = set()  # geosim's warnings already passed on (each call repeats them)

    def __call__(self, what: str, args: list, ok_codes=(0,)) -> subprocess.CompletedProcess:
        cmd = [self.binary] + args
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, cwd=self.workdir)
        except OSError as e:
            raise ReportError(f"cannot run geosim ({self.binary}): {e.strerror}") from e
        if res.returncode not in ok_codes:
            detail = (res.stderr or res.stdout).strip()
            raise ReportError(f"geosim {what} failed (exit status {res.returncode}):\n  "
                              f"{' '.join(shlex.quote(c) for c in cmd)}\n{detail}",
                              status=1)
        # geosim's warnings (such as a parameter no field uses) reach the reader, once each.
        for line in res.stderr.splitlines():
            if ": warning: " in line and line not in self.warned:
                self.warned.add(line)
                print(line, file=sys.stderr)
        return res


# ----------------------------------------------------------------------------- inputs


def find_seeds(given: str | None, scenario: str) -> tuple[str | None, str | None]:
    """The folder of source articles: --seeds if it exists, else shared/seeds or seeds in a folder
    above the scenario. Returns (folder or None, a note for the reader or None)."""
    note = None
    if given:
        if os.path.isdir(given):
            return os.path.abspath(given), None
        note = f"the seeds folder '{given}' does not exist"
    d = os.path.dirname(os.path.abspath(scenario))
    while True:
        for c in (os.path.join(d, "shared", "seeds"), os.path.join(d, "seeds")):
            if os.path.isdir(c) and any(f.endswith(".txt") for f in os.listdir(c)):
                return c, (note + f"; used {c} instead") if note else None
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return None, (note or "no seeds folder was given or found") + "; quotes were not checked"


def scenario_chain(path: str) -> list:
    """The scenario file and the files it extends, child first (for the provenance hashes)."""
    out, seen = [], set()
    while path and len(out) < 16 and os.path.realpath(path) not in seen:
        seen.add(os.path.realpath(path))
        out.append(path)
        try:
            with open(path, encoding="utf-8") as f:
                m = re.search(r"^extends:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(#.*)?$", f.read(), re.M)
        except OSError:
            break
        path = os.path.join(os.path.dirname(path), m.group(1).strip()) if m else None
    return out


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def parse_sources_text(text: str) -> dict:
    """The parts of `geosim sources` output the report uses."""
    status, bare = {}, []
    in_bare = False
    for line in text.splitlines():
        m = re.match(r"^\s+(ok|BAD)\s+([^\s=~:]+)", line)
        if m:
            prev = status.get(m.group(2))
            status[m.group(2)] = "BAD" if "BAD" in (prev, m.group(1)) else "ok"
            continue
        if line.startswith("Numbers with neither"):
            in_bare = True
            continue
        if in_bare:
            if line.startswith("  "):
                bare.append(line.strip())
            elif line.strip():
                in_bare = False
    return {"status": status, "bare": bare,
            "bad": sum(1 for v in status.values() if v == "BAD")}


def cited_files(scenario: dict, src_text: str | None) -> set:
    """Article files the scenario cites (parameters, inline parameters and actions)."""
    files = set(re.findall(r"^(\S+\.txt) \(\d+ citations?\)", src_text or "", re.M))

    def walk(x):
        if isinstance(x, dict):
            s = x.get("source")
            if isinstance(s, dict) and s.get("file"):
                files.add(str(s["file"]))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                if isinstance(v, dict) and "file" in v and "quote" in v:
                    files.add(str(v["file"]))
                walk(v)

    walk(scenario)
    return files


def read_articles(seeds: str | None, cited: set) -> list:
    """(file, what it is) rows of the seeds folder's README.md table for the articles cited."""
    if not seeds or not cited:
        return []
    try:
        with open(os.path.join(seeds, "README.md"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].endswith(".txt") and cells[0] in cited:
            rows.append((cells[0], cells[1]))
    return rows


# ----------------------------------------------------------------------------- formatting


def week_text(time: P.TimeAxis, tick) -> str:
    if tick is None or tick < 0:
        return "-"
    x = tick * time.per_tick
    d = time.date_of_x(x)
    return f"{time.unit} {x:g}" + (f" ({d.day} {d:%b %Y})" if d else "")


def whole_valued(ind: dict) -> bool:
    """True if every quantile of the indicator, at every tick, is a whole number up to the
    sketch's ±0.5%: a count, whose quantiles read better rounded (docs/output-format.md s. 5)."""
    vals = [v for k in ("p05", "p50", "p95") for v in ind["by_tick"][k] if v is not None]
    return bool(vals) and any(v != 0 for v in vals) and \
        all(abs(v - round(v)) <= max(1e-9, 0.0051 * abs(v)) for v in vals)


def dist_text(p: dict) -> str:
    if "value" in p:
        return P.fmt_num(float(p["value"])) if isinstance(p["value"], (int, float)) else esc(p["value"])
    kind = p.get("dist", "?")
    g = lambda k: P.fmt_num(float(p[k])) if isinstance(p.get(k), (int, float)) else str(p.get(k))  # noqa: E731
    if kind == "uniform":
        return f"uniform {g('low')} to {g('high')}"
    if kind == "triangular":
        return f"triangular {g('low')} to {g('high')}, most likely {g('mode')}"
    if kind == "normal":
        return f"normal, mean {g('mean')}, sd {g('sd')}"
    if kind == "lognormal":
        return f"lognormal, log-mean {g('mu')}, log-sd {g('sigma')}"
    if kind == "beta":
        return f"beta(α={g('alpha')}, β={g('beta')})"
    if kind == "choice":
        vals, ws = p.get("values") or [], p.get("weights") or []
        total = sum(float(w) for w in ws) or 1.0
        parts = [f"{P.fmt_num(float(v))} ({100 * float(w) / total:.0f}%)" for v, w in zip(vals, ws)]
        return "one of " + ", ".join(parts)
    return str(kind)


def table(headers: list, rows: list, cls: str = "") -> str:
    """rows: lists of already-escaped HTML cells. Headers starting with '#' are numeric columns."""
    num = [h.startswith("#") for h in headers]
    out = [f'<table class="{cls}"><thead><tr>']
    for h, n in zip(headers, num):
        out.append(f'<th class="{"num" if n else ""}">{esc(h.lstrip("#"))}</th>')
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td class="{"num" if n else ""}">{c}</td>' for c, n in zip(r, num))
                   + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def code(x) -> str:
    return f"<code>{esc(x)}</code>"


# ----------------------------------------------------------------------------- sections


def section_question(meta: dict, summary: dict) -> str:
    parts = []
    if meta.get("question"):
        parts.append(f'<p class="question">{esc(meta["question"])}</p>')
    if meta.get("description"):
        parts.append(f"<p>{esc(meta['description'])}</p>")
    if not parts:
        parts.append("<p>(The scenario file states no question or description.)</p>")
    return "".join(parts)


def section_how_to_read(summary: dict, time: P.TimeAxis) -> str:
    runs = summary["runs"]
    return f"""
<p>geosim played this scenario <b>{runs:,} times</b> (a Monte Carlo simulation). In each run the
uncertain parameters are drawn afresh and every actor chooses an action each {esc(time.unit)}, with
some randomness, until an end state takes hold or the horizon
({esc(week_text(time, summary['horizon_ticks']))}) is reached. Every probability below is the
<b>share of runs</b> in which something happened. Its <b>95% interval</b> (Wilson score interval)
shows how far that share could move if the same scenario were run again with more runs: it
measures simulation noise only, <i>not</i> whether the scenario's assumptions are right.
<b>“Ongoing”</b> means the run reached the horizon with none of the declared end states: it is
not a forecast of peace or of a frozen conflict, only “none of these endings within the
horizon”. “Reached a rung” means the escalation ladder stood at or above that rung at some
point; first-arrival weeks are counted only among the runs that reached it. Indicator quantiles
are within ±0.5% of their value, and a run that ended early keeps its final values to the
horizon. The stories are single runs chosen to illustrate each outcome: they show <i>how</i> it
can happen in the model, not how it is most likely to happen.</p>"""


def at_a_glance(summary: dict, labels: P.Labels, time: P.TimeAxis) -> str:
    """Two sentences with the headline numbers, for readers who read nothing else."""
    horizon = week_text(time, summary["horizon_ticks"])
    ends = sorted((e for e in summary["end_states"] if e["name"] != "ongoing"), key=lambda e: -e["p"])
    ongoing = next((e for e in summary["end_states"] if e["name"] == "ongoing"), None)
    parts = [f"{esc(labels.end_state(e['name']))} <b>{esc(P.fmt_pct(e['p']))}</b>" for e in ends]
    text = f"<p><b>At a glance.</b> By the horizon ({esc(horizon)}) the runs ended in: " + "; ".join(parts)
    if ongoing is not None:
        text += f"; none of these (still going) <b>{esc(P.fmt_pct(ongoing['p']))}</b>"
    text += ". "
    rungs = summary["rungs"]
    start = [r for r in rungs if P._f(r["p_reached_by_tick"][0]) >= 1.0]
    above = [r for r in rungs[len(start):]]
    if above:
        text += "The escalation ladder reached " + "; ".join(
            f"{esc(labels.rung(r['name']))} in <b>{esc(P.fmt_pct(r['reached']['p']))}</b>" for r in above)
        text += " of runs.</p>"
    return text


def section_summary(summary: dict, labels: P.Labels, meta: dict, time: P.TimeAxis) -> str:
    out = [at_a_glance(summary, labels, time)]
    ends = summary["end_states"]
    rows = []
    for e in ends:
        desc = meta["end_desc"].get(e["name"], "")
        label = f"<b>{esc(labels.end_state(e['name']))}</b> {code(e['name'])}"
        if desc:
            label += f'<div class="desc">{esc(desc)}</div>'
        med = e.get("median_end_tick")
        when = "-" if e["name"] == "ongoing" or not e["count"] or med is None or med < 0 \
            else f'<span class="nw">{esc(week_text(time, int(med)))}</span>'
        rows.append([label, f"<b>{esc(P.fmt_pct(e['p']))}</b>", esc(P.fmt_ci(e["ci95"])),
                     f"{e['count']:,}", when])
    out.append("<h3>How the runs ended</h3>")
    out.append(table(["End state", "#Probability", "#95% interval", "#Runs", "Median time of ending"], rows))
    out.append('<p class="note">Each run ends exactly one way, so these probabilities sum to 100%.</p>')

    rows = []
    for i, r in enumerate(summary["rungs"]):
        ft = r["first_tick"]
        reached = r["reached"]["count"] > 0
        first = "-" if not reached else \
            (f"<span class=\"nw\">{esc(week_text(time, ft['p50']))}</span><div class=\"desc\">5%-95% of those runs: "
             f"{esc(time.unit)} {ft['p05'] * time.per_tick:g} to {ft['p95'] * time.per_tick:g}</div>")
        rows.append([f"{i}", f"<b>{esc(labels.rung(r['name'], full=True))}</b> {code(r['name'])}",
                     f"<b>{esc(P.fmt_pct(r['reached']['p']))}</b>", esc(P.fmt_ci(r["reached"]["ci95"])),
                     esc(P.fmt_pct(r["highest"]["p"])), first])
    out.append("<h3>The escalation ladder</h3>")
    out.append(table(["#", "Rung (lowest first)", "#P(reached)", "#95% interval", "#P(highest rung)",
                      "First reached (median, among runs that reached it)"], rows))
    out.append('<p class="note">“P(highest rung)”: the share of runs for which this was the highest rung '
               "reached; these sum to 100%.</p>")

    plain, flags, score_unit = [], [], None
    for ind in summary["indicators"]:
        h = ind["at_horizon"]
        if P.is_flag(ind):
            flags.append([f"{esc(labels.indicator(ind['name']))} {code(ind['name'])}",
                          f"<b>{esc(P.fmt_pct(h['mean']))}</b>"])
        else:
            q = (lambda v: P.fmt_num(float(round(v))) if v is not None and abs(v) < 1e6 else P.fmt_num(v)) \
                if whole_valued(ind) else P.fmt_num
            unit = ind.get("unit") or ""
            if P.is_score(ind) and unit.startswith("points ("):
                score_unit, unit = unit, "points*"
            plain.append([f"{esc(labels.indicator(ind['name']))} {code(ind['name'])}", esc(unit), f"<b>{esc(P.fmt_num(h['mean']))}</b>",
                          esc(q(h["p05"])), esc(q(h["p50"])), esc(q(h["p95"]))])
    out.append(f"<h3>Indicators at the horizon ({esc(week_text(time, summary['horizon_ticks']))})</h3>")
    if plain:
        out.append(table(["Indicator", "Unit", "#Mean", "#5%", "#Median", "#95%"], plain))
        out.append('<p class="note">5%, median, 95%: the values below which 5%, 50% and 95% of runs '
                   "fall (within ±0.5%; quantiles of whole-numbered quantities are rounded). Runs that "
                   "ended early count with their values at the end."
                   + (f" *Escalation scores are in {esc(score_unit)}: the sum over the run of the "
                      "escalation weights of every action the actor chose." if score_unit else "")
                   + "</p>")
    if flags:
        out.append(table(["Yes/no indicator", "#Share of runs in which it is true at the horizon"], flags,
                         "flags"))
    if not plain and not flags:
        out.append("<p>The scenario reports no indicators.</p>")
    # Indicators that overflowed a double (docs/model.md, section 14): their numbers are not meaningful.
    for ind in summary["indicators"]:
        n = ind.get("non_finite_runs", 0)
        if n > 0:
            out.append(f'<p class="note"><b>Warning:</b> {esc(labels.indicator(ind["name"]))} '
                       f'{code(ind["name"])} was not a finite number (infinite or NaN) in {n:,} of '
                       f'{summary["runs"]:,} runs, first at tick {ind["first_non_finite_tick"]}: the '
                       "scenario's effects or rates are too large for a double, so its mean and "
                       "quantiles are not meaningful (n/a). Bound the state variable (min/max) or "
                       "use smaller numbers.</p>")
    return "".join(out)


def section_plots(figures: list) -> str:
    out = []
    for stem, caption, png in figures:
        b64 = base64.b64encode(png).decode("ascii")
        out.append(f'<figure id="fig-{esc(stem)}"><img alt="{esc(caption)}" '
                   f'src="data:image/png;base64,{b64}"><figcaption>{esc(caption)}</figcaption></figure>')
    return "".join(out)


def render_story_text(text: str) -> str:
    """The story's text, line by line, with weeks, ladder moves and events set off."""
    out = ['<div class="storytext">']
    lines = text.splitlines()
    if lines and re.search(r": run \d+ of seed \d+$", lines[0]):  # title and question: shown above
        lines = lines[1:]
        if lines and lines[0].strip() and not lines[0].startswith("The beliefs"):
            lines = lines[1:]
    for line in lines:
        s = line.strip()
        if not s:
            continue
        e = esc(s)
        if re.match(r"^Week \d+", s):
            out.append(f'<div class="wk">{e}</div>')
        elif s.startswith("The ladder moves up"):
            out.append(f'<div class="ln up">▲ {esc(s[len("The "):])}</div>')
        elif s.startswith("The ladder moves down"):
            out.append(f'<div class="ln down">▼ {esc(s[len("The "):])}</div>')
        elif s.startswith("Event:"):
            out.append(f'<div class="ln ev">{e}</div>')
        elif s.startswith(("The run ends", "No end state", "Highest rung")):
            out.append(f'<div class="end">{e}</div>')
        elif line.startswith("      "):
            out.append(f'<div class="ln q">{e}</div>')
        elif line.startswith("  "):
            out.append(f'<div class="ln">{e}</div>')
        else:
            out.append(f'<div class="hd">{e}</div>')
    out.append("</div>")
    return "".join(out)


def _moves(scenario: dict) -> dict:
    """'actor.action' and event name -> (kind, value) of its ladder move: ('step', n) or ('to', rung)."""
    out = {}
    for actor, a in (scenario.get("actors") or {}).items():
        for name, act in ((a or {}).get("actions") or {}).items():
            act = act or {}
            if act.get("to_rung") is not None:
                out[f"{actor}.{name}"] = ("to", str(act["to_rung"]))
            elif isinstance(act.get("step"), int) and act["step"]:
                out[f"{actor}.{name}"] = ("step", act["step"])
    for name, ev in (scenario.get("events") or {}).items():
        ev = ev or {}
        if ev.get("to_rung") is not None:
            out[name] = ("to", str(ev["to_rung"]))
        elif isinstance(ev.get("step"), int) and ev["step"]:
            out[name] = ("step", ev["step"])
    return out


def _delta(move, r: int, rungs: list) -> int:
    """The effective ladder step of a move from rung index r (docs/model.md, section 4 and 6)."""
    if move is None:
        return 0
    kind, v = move
    if kind == "step":
        return max(0, min(len(rungs) - 1, r + v)) - r
    return max(0, rungs.index(v) - r) if v in rungs else 0


def story_brief(story: dict, labels: P.Labels, time: P.TimeAxis, scenario: dict) -> str:
    """Key moments of a run, week by week: every one-off event and every move of the ladder with
    the choices (or events) that pushed it that way."""
    events = scenario.get("events") or {}
    actors = scenario.get("actors") or {}
    rungs = [r.get("name") for r in ((scenario.get("ladder") or {}).get("rungs") or []) if isinstance(r, dict)]
    moves = _moves(scenario)

    def action_words(qualified: str) -> str:
        actor, _, name = qualified.partition(".")
        a = actors.get(actor) or {}
        act = (a.get("actions") or {}).get(name) or {}
        return f"{a.get('label') or actor} chose to {act.get('label') or name}"

    by_tick: dict = {}
    causing = set()  # (tick, event) pairs named as the cause of a ladder move: not listed twice
    for rc in story.get("rung_changes", []):
        r0 = rungs.index(rc["from"]) if rc["from"] in rungs else 0
        r1 = rungs.index(rc["to"]) if rc["to"] in rungs else 0
        for e in story.get("events", []):
            if e["tick"] == rc["tick"] and r1 > r0 and _delta(moves.get(e["event"]), r0, rungs) == r1 - r0:
                causing.add((e["tick"], e["event"]))
    for e in story.get("events", []):
        if (events.get(e["event"]) or {}).get("kind") in ("flow", "poisson") or (e["tick"], e["event"]) in causing:
            continue
        label = (events.get(e["event"]) or {}).get("label") or e["event"]
        by_tick.setdefault(e["tick"], []).append(f"<i>{esc(label)}</i>")
    for rc in story.get("rung_changes", []):
        t = rc["tick"]
        r0 = rungs.index(rc["from"]) if rc["from"] in rungs else 0
        r1 = rungs.index(rc["to"]) if rc["to"] in rungs else 0
        up = r1 > r0
        causes = []
        for d in story.get("decisions", []):
            if d["tick"] == t:
                delta = _delta(moves.get(d["action"]), r0, rungs)
                if (up and delta == r1 - r0) or (not up and delta < 0):
                    causes.append(action_words(d["action"]))
        for e in story.get("events", []):
            if e["tick"] == t and _delta(moves.get(e["event"]), r0, rungs) == r1 - r0 and up:
                causes.append((events.get(e["event"]) or {}).get("label") or e["event"])
        text = (f'<span class="{"up" if up else "down"}">{"▲ up" if up else "▼ down"}</span> '
                f"{esc(labels.rung(rc['from']))} → <b>{esc(labels.rung(rc['to']))}</b>")
        if causes:
            text += f' <span class="muted">({esc("; ".join(causes))})</span>'
        by_tick.setdefault(t, []).append(text)
    if not by_tick:
        return "<p>The ladder never moved and no one-off event happened in this run.</p>"
    rows = "".join(f'<tr><td class="when">{esc(week_text(time, t))}</td><td>{"<br>".join(items)}</td></tr>'
                   for t, items in sorted(by_tick.items()))
    return f'<table class="moments">{rows}</table>'


def section_stories(stories: list, labels: P.Labels, time: P.TimeAxis, scenario: dict, cmd_scenario: str) -> str:
    if not stories:
        return "<p>No story: no outcome occurred in any run.</p>"
    out = ["<p>One run per headline outcome: every end state that occurred, and the highest rung "
           "reached by at least 1% of runs. Each is the <i>first</i> run (lowest run index) with that "
           "outcome: not hand-picked, but one example among many, not an average. The key moments "
           "(every move of the ladder, with the choices that moved it, and every one-off event) come "
           "first; open the full account to read every change of course with its probability and "
           "the reasons behind it. Article files are cited by their first three digits, e.g. [002].</p>"]
    toc = "".join(f'<li><a href="#story-{esc(s["key"])}">{esc(s["heading"])}</a> '
                  f'<span class="muted">(run {s["json"]["run_index"]})</span></li>' for s in stories)
    out.append(f'<ul class="toc">{toc}</ul>')
    for s in stories:
        j = s["json"]
        end = j["end_state"]
        ending = ("no end state by the horizon" if end == "ongoing"
                  else f"ends in {week_text(time, j['end_tick'])}: {labels.end_state(end)}")
        repro = (f"geosim story {shlex.quote(cmd_scenario)} --seed {j['master_seed']} "
                 f"--run {j['run_index']}")
        n_lines = len(s["text"].splitlines())
        out.append(f'<article class="story" id="story-{esc(s["key"])}">'
                   f"<h3>{esc(s['heading'])}</h3>"
                   f'<p class="meta">Run <b>{j["run_index"]}</b> of seed <b>{j["master_seed"]}</b> · '
                   f"{esc(ending)} · highest rung: {esc(labels.rung(j['highest_rung']))}<br>"
                   f"Reproduce: {code(repro)}</p>"
                   f"<h4>Key moments</h4>{story_brief(j, labels, time, scenario)}"
                   f"<details><summary>The whole run, {esc(time.unit)} by {esc(time.unit)} "
                   f"({n_lines} lines)</summary>{render_story_text(s['text'])}</details></article>")
    return "".join(out)


def section_sources(scenario: dict, src_text: str | None, src: dict, seeds: str | None,
                    seeds_note: str | None, articles: list) -> str:
    out = []
    if seeds_note and not seeds:
        out.append(f'<p class="warn">Source quotes not checked: {esc(seeds_note)}.</p>')
    elif seeds_note:
        out.append(f'<p class="warn">Note: {esc(seeds_note)}.</p>')
    if seeds and src_text is not None:
        if src["bad"]:
            out.append(f'<p class="warn"><b>{src["bad"]} cited quote(s) were not found in their article</b> '
                       "(marked ✗ below). Numbers resting on them are unsupported until fixed.</p>")
        else:
            out.append(f'<p class="ok">Every quoted source ({len(src["status"])} citations) was found verbatim '
                       "in its article by <code>geosim sources</code>.</p>")
    if articles:
        out.append("<h3>The articles</h3>")
        out.append(table(["File", "What it is"], [[code(f), esc(w)] for f, w in articles]))

    params = scenario.get("parameters") or {}
    if params:
        uncertain = [(k, v) for k, v in params.items() if isinstance(v, dict) and "dist" in v]
        fixed = [(k, v) for k, v in params.items() if isinstance(v, dict) and "dist" not in v]

        def basis(name, p):
            cells = []
            s = p.get("source")
            if isinstance(s, dict):
                st = src["status"].get(name)
                mark = {"ok": '<span class="okm" title="found in the article">✓</span> ',
                        "BAD": '<span class="badm" title="NOT found in the article">✗</span> '}.get(st, "")
                cells.append(f'{mark}<span class="src">{esc(s.get("file", ""))[:3]}</span> '
                             f'“{esc(s.get("quote", ""))}”')
            if p.get("assumption"):
                cells.append(f'<span class="assume">Assumption:</span> {esc(p["assumption"])}')
            if p.get("description"):
                cells.append(f'<span class="muted">{esc(p["description"])}</span>')
            return "<br>".join(cells) or '<span class="badm">no source or assumption</span>'

        for title, group, note in (
                ("Uncertain parameters (drawn once per run)", uncertain,
                 "These are the beliefs the model is unsure of: each run draws a value from the range given."),
                ("Fixed parameters", fixed, "")):
            if not group:
                continue
            out.append(f"<h3>{esc(title)}</h3>")
            if note:
                out.append(f'<p class="note">{esc(note)}</p>')
            rows = [[code(k), esc(dist_text(p)), esc(p.get("unit", "")), basis(k, p)] for k, p in group]
            out.append(table(["Parameter", "Value", "Unit", "Source or assumption"], rows, "params"))

        action_rows = []
        for actor, a in (scenario.get("actors") or {}).items():
            for name, act in ((a or {}).get("actions") or {}).items():
                for s in (act or {}).get("sources") or []:
                    if isinstance(s, dict):
                        action_rows.append([f"{esc((a or {}).get('label') or actor)}: "
                                            f"{esc((act or {}).get('label') or name)}",
                                            f'<span class="src">{esc(s.get("file", ""))[:3]}</span> '
                                            f'“{esc(s.get("quote", ""))}”'])
        if action_rows:
            out.append("<h3>Actions and the articles that discuss them</h3>")
            out.append(table(["Actor: action", "Source"], action_rows, "params"))
    if src["bare"]:
        out.append(f"<h3>Numbers with neither a source nor an assumption ({len(src['bare'])})</h3>")
        out.append('<p class="note">Literal numbers in the scenario file that state no reason: '
                   "treat them as the modeller's unexplained choices.</p>")
        out.append("<ul class=\"bare\">" + "".join(f"<li>{code(b)}</li>" for b in src["bare"]) + "</ul>")
    if src_text is not None:
        out.append("<details><summary>The full output of <code>geosim sources</code></summary>"
                   f"<pre>{esc(src_text)}</pre></details>")
    if not params and src_text is None:
        out.append("<p>No parameter list is available (python3-yaml is missing and no sources check ran).</p>")
    return "".join(out)


CSS = """
:root { --ink:#1d1d1f; --muted:#666; --rule:#e2e2e2; --accent:#0b5cab; --bg2:#f6f7f9; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 21px; margin: 40px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 26px 0 8px; }
h4 { font-size: 14px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 8px 0; }
a { color: var(--accent); }
code { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--bg2);
  padding: 1px 4px; border-radius: 3px; color:#333; }
.meta, .muted, .note { color: var(--muted); }
.note { font-size: 13px; }
.nw { white-space: nowrap; }
.question { font-size: 18px; font-weight: 600; border-left: 4px solid var(--accent); padding: 4px 0 4px 14px; }
nav.toc { background: var(--bg2); padding: 10px 16px; border-radius: 6px; margin: 16px 0; }
nav.toc ol { margin: 0; padding-left: 20px; columns: 2; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--rule); }
th { background: var(--bg2); font-weight: 600; border-bottom: 2px solid #cfcfcf; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
td .desc { color: var(--muted); font-size: 12.5px; margin-top: 2px; white-space: normal; }
table.params td { font-size: 13px; }
table.params td:first-child { white-space: nowrap; }
table.flags { width: auto; min-width: 60%; }
figure { margin: 22px 0; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid var(--rule); border-radius: 4px; }
figcaption { color: var(--muted); font-size: 13.5px; margin-top: 6px; }
.warn { background: #fff4e5; border-left: 4px solid #e69f00; padding: 8px 12px; }
.ok { background: #eef8f1; border-left: 4px solid #009e73; padding: 8px 12px; }
.okm { color: #007a55; font-weight: bold; } .badm { color: #c0392b; font-weight: bold; }
.src { font-weight: 600; color: #444; } .assume { font-weight: 600; color: #6b4e00; }
article.story { border: 1px solid var(--rule); border-radius: 6px; padding: 4px 18px 12px; margin: 18px 0; }
article.story h3 { margin-top: 12px; }
table.moments { font-size: 13.5px; margin: 4px 0 8px; }
table.moments td { padding: 2px 8px; border: 0; background: none !important; }
table.moments td.when { white-space: nowrap; color: var(--muted); width: 160px; font-variant-numeric: tabular-nums; }
.up { color: #c0392b; } .down { color: #007a55; }
details > summary { cursor: pointer; color: var(--accent); margin: 8px 0; }
.storytext { font-size: 13.5px; border-top: 1px solid var(--rule); padding-top: 6px; }
.storytext .wk { font-weight: 700; margin-top: 8px; }
.storytext .ln { padding-left: 18px; }
.storytext .ln.q { padding-left: 40px; color: var(--muted); font-size: 12.5px; }
.storytext .ln.ev { font-style: italic; }
.storytext .ln.up { color: #a93226; font-weight: 600; } .storytext .ln.down { color: #1e7e4e; font-weight: 600; }
.storytext .end { font-weight: 700; margin-top: 10px; }
.storytext .hd { margin-top: 6px; }
pre { background: var(--bg2); padding: 10px; font-size: 12px; overflow-x: auto; white-space: pre-wrap; }
ul.toc { margin: 4px 0 8px; }
ul.bare { columns: 2; font-size: 13px; }
footer { margin-top: 48px; border-top: 1px solid var(--rule); padding-top: 10px; color: var(--muted); font-size: 13px; }
@media print { details { display: block; } figure, article.story { break-inside: avoid; } }
"""


# ----------------------------------------------------------------------------- main


def headline_outcomes(summary: dict) -> list:
    """(pick name, kind) for every end state that occurred, then the highest rung reached by at
    least 1% of runs (dropped later if an end state's story already has it as its highest rung)."""
    out = [(e["name"], "end") for e in summary["end_states"] if e["count"] > 0]
    top = None
    for r in summary["rungs"]:
        if r["reached"]["p"] >= HEADLINE_RUNG_MIN_P:
            top = r["name"]
    if top is not None:
        out.append((top, "rung"))
    return out


def build(a) -> str:
    scenario_path = a.scenario
    if not os.path.isfile(scenario_path):
        raise ReportError(f"no scenario file '{scenario_path}'", status=2)
    geosim_bin = a.geosim
    if os.sep in geosim_bin:
        geosim_bin = os.path.abspath(geosim_bin)
    scen_abs = os.path.abspath(scenario_path)
    work = os.path.abspath(a.workdir) if a.workdir else tempfile.mkdtemp(prefix="geosim-report-")
    os.makedirs(work, exist_ok=True)
    g = Geosim(geosim_bin, work, a.threads)
    try:
        return _build(a, g, scen_abs, work)
    finally:
        if not a.workdir:
            for f in os.listdir(work):
                os.unlink(os.path.join(work, f))
            os.rmdir(work)


def _build(a, g: Geosim, scen: str, work: str) -> str:
    log = (lambda msg: print(f"report.py: {msg}", file=sys.stderr)) if not a.quiet else (lambda msg: None)

    # 1. The numbers.
    log(f"running {a.runs:,} runs of {a.scenario} (seed {a.seed})")
    summary_path = os.path.join(work, "summary.json")
    run_args = ["run", scen, "--runs", str(a.runs), "--seed", str(a.seed), "--json", summary_path, "--quiet"]
    if a.threads:
        run_args += ["--threads", str(a.threads)]
    g("run", run_args)
    summary = P.read_json(summary_path, "geosim-summary/1")
    version = g("--version", ["--version"]).stdout.strip()

    # 2. The scenario file (labels, question, parameters), if python3-yaml can read it.
    scenario, yaml_note = {}, None
    try:
        scenario = P.load_scenario_yaml(scen)
    except ImportError:
        yaml_note = "python3-yaml is not installed, so labels and the parameter table are missing"
    except Exception as e:  # geosim accepted the file; PyYAML may still differ on edge cases
        yaml_note = f"the scenario file could not be read for labels ({e})"
    if yaml_note:
        log("note: " + yaml_note)
    labels = P.Labels(scenario)
    time = P.TimeAxis(summary, labels)
    meta = {"title": scenario.get("title") or "", "question": scenario.get("question") or "",
            "description": scenario.get("description") or "",
            "end_desc": {k: str((v or {}).get("description") or "")
                         for k, v in (scenario.get("end_states") or {}).items()}}

    # 3. One story per headline outcome.
    stories = []
    for pick, kind in headline_outcomes(summary):
        if kind == "rung" and any(s["json"]["highest_rung"] == pick for s in stories):
            continue  # an end state's story already tops out at this rung (e.g. a 'war' end state)
        log(f"telling a story that {'ends in' if kind == 'end' else 'reaches'} '{pick}'")
        jpath = os.path.join(work, f"story_{len(stories)}.json")
        res = g(f"story --pick {pick}", ["story", scen, "--seed", str(a.seed), "--pick", pick,
                                         "--search", str(max(1, a.runs)), "--json", jpath])
        sj = P.read_json(jpath, "geosim-story/1")
        heading = (f"Ends in: {labels.end_state(pick)}" if kind == "end" else
                   f"Reaches: {labels.rung(pick)} (the highest rung reached by at least 1% of runs)")
        if kind == "end" and pick == "ongoing":
            heading = "Still going at the horizon (no end state)"
        stories.append({"key": f"{kind}-{pick}", "heading": heading, "json": sj, "text": res.stdout})
        if not meta["title"]:  # no YAML: the story's first two lines are the title and the question
            first = res.stdout.splitlines()
            if first:
                meta["title"] = re.sub(r": run \d+ of seed \d+$", "", first[0])
                if len(first) > 1 and first[1].strip():
                    meta["question"] = meta["question"] or first[1].strip()

    # 4. Sources.
    seeds, seeds_note = find_seeds(a.seeds, scen)
    src_text = None
    if seeds:
        log(f"checking sources against {seeds}")
        res = g("sources", ["sources", scen, "--seeds", seeds], ok_codes=(0, 2))
        src_text = res.stdout
    elif not scenario:
        res = g("sources", ["sources", scen, "--seeds", work], ok_codes=(0, 2))
        src_text = res.stdout
    src = parse_sources_text(src_text or "")
    if seeds_note:
        log("warning: " + seeds_note)
    if src["bad"] and seeds:
        log(f"warning: {src['bad']} quoted source(s) not found in their article (see the report)")

    # 5. Figures.
    figures = []
    for stem, caption, builder in P.summary_figures(summary, labels):
        log(f"drawing {stem}")
        try:
            fig = builder()
            figures.append((stem, caption, P.png_bytes(fig)))
            if a.workdir:
                for ext in ("png", "svg"):
                    P.save(fig, os.path.join(work, f"{stem}.{ext}"))
        except Exception as e:
            raise ReportError(f"drawing the '{stem}' figure failed: {type(e).__name__}: {e}") from e
    # STUDY FIGURES: when geosim writes sensitivity (Sobol', Morris) or PRIM results, accept them
    # with a --study FILE option here, draw them with plot.study_figures(DIR), and append them to `figures`
    # (and a paragraph on how to read them to section_how_to_read). Nothing is drawn until then.

    # 6. The page.
    title = meta["title"] or summary["scenario"]
    body = {
        "question": section_question(meta, summary),
        "how-to-read": section_how_to_read(summary, time),
        "summary": section_summary(summary, labels, meta, time),
        "plots": section_plots(figures),
        "stories": section_stories(stories, labels, time, scenario, a.scenario),
        "sources": section_sources(scenario, src_text, src, seeds, seeds_note, read_articles(seeds, cited_files(scenario, src_text))),
    }
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    chain = scenario_chain(scen)
    hashes = "".join(f"<li>{code(os.path.relpath(f) if not os.path.isabs(a.scenario) else f)} "
                     f"sha256 {code(sha256(f)[:16])}…</li>" for f in chain)
    run_cmd = (f"geosim run {shlex.quote(a.scenario)} --runs {a.runs} --seed {a.seed} "
               f"--json summary.json")
    toc = "".join(f'<li><a href="#{sid}">{esc(h)}</a></li>' for sid, h in SECTIONS)
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} - geosim report</title><style>{CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">Scenario {code(summary["scenario"])} · {summary["runs"]:,} runs · seed '
        f'{summary["master_seed"]} · horizon {esc(week_text(time, summary["horizon_ticks"]))} · '
        f"{esc(version)} · made {esc(now)}</p>",
    ]
    if yaml_note:
        parts.append(f'<p class="warn">Note: {esc(yaml_note)}.</p>')
    parts.append(f'<nav class="toc"><b>Contents</b><ol>{toc}</ol></nav>')
    for sid, heading in SECTIONS:
        parts.append(f'<section id="{sid}"><h2>{esc(heading)}</h2>{body[sid]}</section>')
    parts.append(f"<footer><p>Made by {code('tools/report.py')} with {esc(version)}. To reproduce the "
                 f"numbers: {code(run_cmd)} (the same scenario file(s), seed, runs and block size "
                 f"{summary.get('block_size')} give the same numbers on any number of threads).</p>"
                 f"<ul>{hashes}</ul></footer>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def write_atomic(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="report.py", description=__doc__.split("\n\n")[0],
                                 epilog="See docs/report.md.")
    ap.add_argument("--geosim", required=True, metavar="BIN", help="the geosim executable")
    ap.add_argument("--scenario", required=True, metavar="FILE.yaml", help="scenario file")
    ap.add_argument("--out", "-o", required=True, metavar="report.html", help="HTML file to write")
    ap.add_argument("--runs", type=int, default=20000, help="number of runs (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    ap.add_argument("--seeds", metavar="DIR",
                    help="folder of source articles (default: shared/seeds or seeds above the scenario)")
    ap.add_argument("--threads", type=int, default=0, help="worker threads for geosim run (0: all cores)")
    ap.add_argument("--workdir", metavar="DIR",
                    help="keep the intermediate files (summary JSON, stories, figures as PNG and SVG) here")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    a = ap.parse_args(argv)
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    if a.seed < 0:
        ap.error("--seed must not be negative")
    try:
        page = build(a)
        write_atomic(a.out, page)
    except ReportError as e:
        print(f"report.py: error: {e}", file=sys.stderr)
        return e.status
    except P.PlotError as e:
        print(f"report.py: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"report.py: error: {e.filename or ''}: {e.strerror}", file=sys.stderr)
        return 1
    if not a.quiet:
        print(f"report.py: wrote {a.out} ({os.path.getsize(a.out) / 1024:,.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
