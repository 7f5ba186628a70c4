#!/usr/bin/python3
"""Figures from geosim's JSON outputs (matplotlib, Agg backend, no network).

    plot.py outcomes  SUMMARY.json -o OUT.png|OUT.svg   end states and rungs, with 95% intervals
    plot.py rungs     SUMMARY.json -o OUT               P(reached each rung by week t)
    plot.py indicator SUMMARY.json --name NAME [--name NAME ...] -o OUT
                                                        p05-p95 band, median and mean over time
    plot.py compare   COMPARISON.json -o OUT            P(A), P(B) and the paired difference
    plot.py all       SUMMARY.json --outdir DIR         every summary figure, as PNG and SVG
    plot.py sobol     DIR -o OUT                        a study's Sobol' S1 and ST with 95% intervals
    plot.py morris    DIR -o OUT                        a study's Morris mu* against sigma, with the noise
    plot.py prim      DIR -o OUT                        a study's PRIM peeling trajectory
    plot.py study     DIR --outdir D                    every figure the study folder allows, PNG and SVG

SUMMARY.json is `geosim run --json` ("geosim-summary/1"), COMPARISON.json is `geosim compare
--json` ("geosim-comparison/1"); both are described in docs/output-format.md. DIR is the folder of
`geosim sweep STUDY --out DIR` after `geosim analyze DIR` (docs/studies.md). With `--scenario
FILE.yaml` (needs python3-yaml) the figures use the scenario's labels and put calendar dates under
the week numbers. The output format follows the file name's extension (.png or .svg).

Run it with Debian's /usr/bin/python3, which has matplotlib (python3-matplotlib). See docs/report.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import sys
import tempfile
import textwrap

try:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import ticker
    from matplotlib.figure import Figure
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.exit("plot.py: error: matplotlib is not available to " + sys.executable + ". Run the script "
             "with Debian's /usr/bin/python3 (apt-get install python3-matplotlib).")

matplotlib.rcParams.update({
    "svg.hashsalt": "geosim",          # stable ids in SVG output
    "svg.fonttype": "path",            # no font files needed to view the SVG
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
})

PNG_DPI = 120
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
ONGOING_COLOUR = "#8c8c8c"


class PlotError(Exception):
    """A problem with the input files (reported as 'plot.py: error: ...', exit 2)."""


# ----------------------------------------------------------------------------- number formatting


def fmt_pct(p: float | None, digits: int | None = None) -> str:
    """A probability in [0, 1] as a percentage: 17.4%, 0.04%, 0%, 100%."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    x = 100.0 * p
    if digits is None:
        if x == 0 or x == 100:
            digits = 0
        elif x < 1 or x > 99:
            digits = 2
        else:
            digits = 1
    return f"{x:.{digits}f}%"


def fmt_ci(ci, p: float | None = None) -> str:
    """A Wilson interval as '[16.9%, 18.0%]', with enough digits to tell its ends apart."""
    lo, hi = ci
    digits = 1
    if lo * 100 < 1 or hi * 100 > 99 or (hi - lo) * 100 < 0.2:
        digits = 2
    return f"[{fmt_pct(lo, digits)}, {fmt_pct(hi, digits)}]"


def fmt_num(x: float | None) -> str:
    """A quantity for a table: thousands separators, about three significant digits, no e-notation."""
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return "n/a"
    a = abs(x)
    if a >= 1e12:
        return f"{x:.3g}"
    if a >= 1e9:
        return f"{x / 1e9:.3g} billion"
    if a >= 1e6:
        return f"{x / 1e6:.3g} million"
    if x == int(x):
        return f"{int(x):,}"
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    if a == 0:
        return "0"
    return f"{x:.2g}" if a >= 1e-4 else f"{x:.1e}"


def _compact(x: float, _pos=None) -> str:
    """Axis tick labels: 1.2M, 250k, 0.5."""
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:g}G" if x % 1e8 == 0 else f"{x / 1e9:.1f}G"
    if a >= 1e6:
        return f"{x / 1e6:g}M" if x % 1e5 == 0 else f"{x / 1e6:.1f}M"
    if a >= 1e4:
        return f"{x / 1e3:g}k" if x % 100 == 0 else f"{x / 1e3:.1f}k"
    return f"{x:g}"


def _pct_axis(x: float, _pos=None) -> str:
    if x == 0:
        return "0%"
    if abs(x) >= 1:
        return f"{x:g}%"
    return f"{x:.2g}%"


# ----------------------------------------------------------------------------- scenario labels


def load_scenario_yaml(path: str, _chain: tuple = ()) -> dict:
    """The scenario as a dict, with `extends:` applied (mappings merge, lists and values replace),
    as docs/scenario-format.md section 7 describes. Needs python3-yaml; raises on any problem."""
    import yaml  # python3-yaml; optional for callers (they catch ImportError)

    real = os.path.realpath(path)
    if real in _chain or len(_chain) >= 16:
        raise ValueError("extends: chain too long or cyclic at " + path)
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict):
        raise ValueError(path + " is not a YAML mapping")
    base = doc.pop("extends", None)
    if base is not None:
        parent = load_scenario_yaml(os.path.join(os.path.dirname(path), str(base)), _chain + (real,))
        doc = _merge(parent, doc)
    return doc


def _merge(base, child):
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for k, v in child.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return child


def _short(label: str, limit: int = 30) -> str:
    """'Combat engagement: DPRK troops fight ...' -> 'Combat engagement' for axes."""
    if len(label) > limit and ":" in label:
        label = label.split(":", 1)[0]
    return label


def _pretty(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() if name else name


class Labels:
    """Human labels for names in a summary, taken from the scenario file when one is given."""

    def __init__(self, scenario: dict | None = None):
        s = scenario or {}
        self.title = str(s.get("title") or "")
        self.start: _dt.date | None = None
        start = (s.get("time") or {}).get("start")
        if isinstance(start, _dt.date):
            self.start = start
        elif isinstance(start, str):
            try:
                self.start = _dt.date.fromisoformat(start)
            except ValueError:
                pass
        self._rungs = {r.get("name"): str(r.get("label") or "")
                       for r in ((s.get("ladder") or {}).get("rungs") or []) if isinstance(r, dict)}
        self._ends = {k: str((v or {}).get("label") or "") for k, v in (s.get("end_states") or {}).items()}
        self._state = {k: str((v or {}).get("label") or "") for k, v in (s.get("state") or {}).items()
                       if isinstance(v, dict)}
        self._actors = {k: str((v or {}).get("label") or "") for k, v in (s.get("actors") or {}).items()
                        if isinstance(v, dict)}

    @classmethod
    def from_file(cls, path: str | None) -> "Labels":
        if not path:
            return cls()
        try:
            return cls(load_scenario_yaml(path))
        except ImportError:
            print("plot.py: note: python3-yaml is not installed; using names, not labels", file=sys.stderr)
        except Exception as e:  # a scenario geosim accepts but PyYAML does not: fall back to names
            print(f"plot.py: note: cannot read labels from {path}: {e}", file=sys.stderr)
        return cls()

    def rung(self, name: str, full: bool = False) -> str:
        label = self._rungs.get(name) or _pretty(name)
        return label if full else _short(label)

    def end_state(self, name: str) -> str:
        if name == "ongoing":
            return "Ongoing (no end state by the horizon)"
        return self._ends.get(name) or _pretty(name)

    def indicator(self, name: str) -> str:
        if name.startswith("escalation_score."):
            actor = name.split(".", 1)[1]
            return "Escalation score: " + (self._actors.get(actor) or actor)
        return self._state.get(name) or _pretty(name)

    def actor(self, name: str) -> str:
        return self._actors.get(name) or name


# ----------------------------------------------------------------------------- input files


def read_json(path: str, fmt: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise PlotError(f"cannot read {path}: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise PlotError(f"{path} is not JSON: {e}") from e
    got = doc.get("format") if isinstance(doc, dict) else None
    if got != fmt:
        raise PlotError(f"{path}: expected format '{fmt}', found {got!r}")
    return doc


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def is_flag(ind: dict) -> bool:
    """A yes/no indicator: its unit says so, or every quantile at every tick is 0 or 1."""
    if ind.get("unit", "").strip().lower().startswith("flag"):
        return True
    bt = ind["by_tick"]
    vals = [v for k in ("p05", "p50", "p95") for v in bt[k] if v is not None]
    return bool(vals) and all(v in (0.0, 1.0) for v in vals) and not ind["name"].startswith("escalation_score.")


def is_score(ind: dict) -> bool:
    return ind["name"].startswith("escalation_score.")


# ----------------------------------------------------------------------------- time axis


class TimeAxis:
    """Ticks -> x values (weeks when a tick is a whole number of weeks, else days), with dates."""

    def __init__(self, summary: dict, labels: Labels):
        self.tick_days = int(summary.get("tick_days") or 7)
        self.horizon = int(summary["horizon_ticks"])
        self.start = labels.start
        if self.tick_days % 7 == 0:
            self.per_tick, self.unit = self.tick_days / 7, "week"
        else:
            self.per_tick, self.unit = float(self.tick_days), "day"

    def x(self, ticks):
        return [t * self.per_tick for t in ticks]

    def label(self) -> str:
        text = f"{self.unit.capitalize()}s since the start"
        if self.start:
            text += f" ({self.start.isoformat()}); month below"
        return text

    def date_of_x(self, x: float) -> _dt.date | None:
        if not self.start:
            return None
        days = x * 7 if self.unit == "week" else x
        return self.start + _dt.timedelta(days=round(days))

    def apply(self, ax, max_ticks: int = 9, xlabel: bool = True) -> None:
        """Week (or day) numbers on the x axis, each with its month below when the start is known.
        max_ticks: at most this many labelled ticks (fewer for narrow panels)."""
        end = self.horizon * self.per_tick
        n = max(end, 1)
        steps = (1, 2, 4, 13, 26, 52, 104, 260, 520) if self.unit == "week" else \
            (1, 7, 14, 30, 60, 90, 180, 365, 730, 1825)
        step = next((s for s in steps if n / s <= max_ticks - 1), steps[-1])
        ax.set_xlim(0, end)
        ax.xaxis.set_major_locator(ticker.MultipleLocator(step))
        short = max_ticks < 9

        def fmt(x, _pos=None):
            d = self.date_of_x(x)
            if d is None:
                return f"{x:g}"
            return f"{x:g}\n{d:%b %y}" if short else f"{x:g}\n{d:%b %Y}"

        ax.xaxis.set_major_formatter(ticker.FuncFormatter(fmt))
        if xlabel:
            ax.set_xlabel(self.label())


# ----------------------------------------------------------------------------- figure helpers


def _subtitle(summary: dict) -> str:
    return (f"scenario {summary['scenario']}  ·  {summary['runs']:,} runs  ·  seed {summary['master_seed']}  ·  "
            f"horizon {summary['horizon_ticks']} ticks of {summary.get('tick_days', 7)} days")


def _titles(fig: Figure, title: str, subtitle: str) -> None:
    """A bold title above and a grey line of provenance below (both kept clear by the layout)."""
    fig.suptitle("\n".join(textwrap.wrap(title, 95)), fontsize=12.5, fontweight="bold", x=0.01, ha="left")
    fig.supxlabel("\n".join(textwrap.wrap(subtitle, 160)), fontsize=8, color="#555555", x=0.01, ha="left")


def _legend_axes(fig: Figure, spec, handles, texts, ncol: int, title: str | None = None) -> None:
    """A legend in its own (invisible) grid cell, so that it never covers data."""
    ax = fig.add_subplot(spec)
    ax.axis("off")
    if not handles:  # nothing drawn (every panel overflowed): no legend
        return
    ax.legend(handles, texts, loc="upper center", ncol=ncol, fontsize=8.5, title=title,
              title_fontsize=8.5, borderaxespad=0)


def save(fig: Figure, path: str) -> str:
    """Write the figure to PATH (format from the extension), atomically. Returns PATH."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in ("png", "svg"):
        raise PlotError(f"{path}: the output must end in .png or .svg")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plot-", suffix="." + ext, dir=folder)
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the file the usual permissions
    try:
        if ext == "svg":
            fig.savefig(tmp, format="svg", bbox_inches="tight", metadata={"Date": None})
        else:
            fig.savefig(tmp, format="png", dpi=PNG_DPI, bbox_inches="tight")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def png_bytes(fig: Figure) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight")
    return buf.getvalue()


def _hbars(ax, labels, ps, cis, colours, notes=None) -> None:
    """Horizontal bars (in %) with Wilson error bars and the value written at the bar's end."""
    y = list(range(len(labels)))
    vals = [100 * _f(p) for p in ps]
    lo = [max(0.0, v - 100 * c[0]) for v, c in zip(vals, cis)]
    hi = [max(0.0, 100 * c[1] - v) for v, c in zip(vals, cis)]
    ax.barh(y, vals, color=colours, height=0.62, zorder=2)
    ax.errorbar(vals, y, xerr=[lo, hi], fmt="none", ecolor="#222222", elinewidth=1.1, capsize=3, zorder=3)
    for i, (v, c) in enumerate(zip(ps, cis)):
        text = f"{fmt_pct(v)}  {fmt_ci(c)}"
        if notes is not None and notes[i]:
            text += "  " + notes[i]
        ax.text(100 * c[1] + 1.2, i, text, va="center", fontsize=8.5, zorder=4)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 145)
    ax.xaxis.set_major_locator(ticker.FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax.spines["bottom"].set_bounds(0, 100)
    ax.grid(axis="y", visible=False)


def _rung_colours(n: int) -> list:
    """Light (low rungs) to dark (high rungs), distinct enough to tell neighbouring rungs apart."""
    cmap = matplotlib.colormaps["plasma_r"]
    return [cmap(0.08 + 0.87 * i / max(1, n - 1)) for i in range(n)]


# ----------------------------------------------------------------------------- summary figures


def fig_outcomes(summary: dict, labels: Labels) -> Figure:
    """End-state probabilities and P(reached) per rung, each with its 95% Wilson interval."""
    ends, rungs = summary["end_states"], summary["rungs"]
    fig = Figure(figsize=(10, 1.6 + 0.42 * (len(ends) + len(rungs))), layout="constrained")
    gs = fig.add_gridspec(2, 1, height_ratios=[max(len(ends), 1), max(len(rungs), 1)])
    ax1 = fig.add_subplot(gs[0])
    colours = [ONGOING_COLOUR if e["name"] == "ongoing" else PALETTE[i % len(PALETTE)]
               for i, e in enumerate(ends)]
    time = TimeAxis(summary, labels)
    notes = []
    for e in ends:
        t = _f(e.get("median_end_tick"))
        notes.append(f"· median end: {time.unit} {t * time.per_tick:g}"
                     if e["name"] != "ongoing" and e["count"] > 0 and t >= 0 else "")
    _hbars(ax1, [labels.end_state(e["name"]) for e in ends], [e["p"] for e in ends],
           [e["ci95"] for e in ends], colours, notes)
    ax1.set_title("How the runs ended (each run ends exactly one way; the bars sum to 100%)", loc="left")
    ax1.set_xlabel("Probability (% of runs), with 95% Wilson interval", loc="left")

    ax2 = fig.add_subplot(gs[1])
    _hbars(ax2, [labels.rung(r["name"]) for r in rungs], [r["reached"]["p"] for r in rungs],
           [r["reached"]["ci95"] for r in rungs], _rung_colours(len(rungs)))
    ax2.set_title("Escalation ladder: probability of reaching each rung at some point (lowest rung first)",
                  loc="left")
    ax2.set_xlabel("Probability of reaching the rung (% of runs), with 95% Wilson interval", loc="left")
    _titles(fig, labels.title or summary["scenario"], _subtitle(summary))
    return fig


def fig_rungs(summary: dict, labels: Labels) -> Figure:
    """P(the ladder has reached each rung by week t): linear and logarithmic panels."""
    time = TimeAxis(summary, labels)
    rungs = summary["rungs"]
    colours = _rung_colours(len(rungs))
    shown = [(i, r) for i, r in enumerate(rungs) if _f(r["p_reached_by_tick"][0]) < 1.0]
    ncol = 2 if len(shown) > 3 else max(1, len(shown))
    legend_rows = math.ceil(len(shown) / ncol) + 1
    fig = Figure(figsize=(11, 4.6 + 0.22 * legend_rows), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[4.4, 0.22 * legend_rows])
    ax_lin, ax_log = fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[0, 1])
    ticks = list(range(len(rungs[0]["p_reached_by_tick"]))) if rungs else []
    xs = time.x(ticks)
    floor = 100.0 * 0.5 / max(1, summary["runs"])
    for i, r in shown:
        ys = [100 * _f(v) for v in r["p_reached_by_tick"]]
        final = fmt_pct(r["reached"]["p"])
        ax_lin.plot(xs, ys, color=colours[i], lw=2, label=f"{labels.rung(r['name'])} ({final} by the end)")
        ax_log.plot(xs, [v if v > 0 else float("nan") for v in ys], color=colours[i], lw=2)
    ax_lin.set_ylim(0, 102)
    ax_lin.yaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax_lin.set_ylabel("Probability the rung has been reached (% of runs)")
    ax_lin.set_title("Probability of having reached each rung, by week", loc="left")
    ax_log.set_yscale("log")
    ax_log.set_ylim(floor, 100 * 1.3)
    ax_log.yaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax_log.set_ylabel("Same, logarithmic scale (% of runs)")
    ax_log.set_title("The same on a log scale (rare rungs visible)", loc="left")
    for ax in (ax_lin, ax_log):
        time.apply(ax, max_ticks=6)
    below = [labels.rung(r["name"]) for r in rungs if _f(r["p_reached_by_tick"][0]) >= 1.0]
    handles, texts = ax_lin.get_legend_handles_labels()
    if handles:
        _legend_axes(fig, gs[1, :], handles, texts, ncol, "Rung (lowest first)")
    note = _subtitle(summary)
    if below:
        note += "  ·  not drawn (reached at week 0): " + ", ".join(below)
    _titles(fig, "Escalation over time: " + (labels.title or summary["scenario"]), note)
    return fig


def _indicator_by_name(summary: dict, name: str) -> dict:
    for ind in summary["indicators"]:
        if ind["name"] == name:
            return ind
    names = ", ".join(i["name"] for i in summary["indicators"])
    raise PlotError(f"no indicator '{name}' in {summary['scenario']}; indicators are: {names}")


def _quantile_spacing(summary: dict) -> str:
    k = summary.get("quantile_every", 1)
    return "" if k == 1 else f", every {k} ticks and at the horizon"


def _overflowed(ind: dict) -> bool:
    """An indicator whose values overflowed a double (docs/model.md, section 14): not a finite
    number in some run (`non_finite_runs`), or so close to the top of the range (above 1e300) that
    an axis cannot span it. geosim run warns of it; its panel says so instead of a plot."""
    if ind.get("non_finite_runs", 0) > 0:
        return True
    return any(v is not None and abs(v) > 1e300 for k in ("mean", "p05", "p50", "p95") for v in ind["by_tick"][k])


def _draw_indicator(ax, ind: dict, time: TimeAxis, labels: Labels, max_ticks: int, xlabel: bool) -> None:
    bt = ind["by_tick"]
    xs = time.x(range(len(bt["mean"])))
    title = "\n".join(textwrap.wrap(labels.indicator(ind["name"]), 44))
    if _overflowed(ind):
        n = ind.get("non_finite_runs", 0)
        why = (f"not a finite number (inf or NaN) in {n} run(s)" if n > 0 else "values beyond 1e300")
        ax.text(0.5, 0.5, "not drawn: " + why + ";\nthe scenario's numbers overflow a double\n(see geosim run's warning)",
                transform=ax.transAxes, ha="center", va="center", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, loc="left", fontsize=9.5)
        return
    if is_flag(ind):
        ax.plot(xs, [100 * _f(v) for v in bt["mean"]], color=PALETTE[2], lw=2,
                label="yes/no: share of runs in which it is true")
        ax.set_ylim(-2, 102)
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
        ax.set_ylabel("% of runs in which it is true")
    else:
        # Quantiles exist only at the sketched ticks (every `quantile_every` ticks and the horizon);
        # the band and the median are drawn through those points.
        q = [i for i, v in enumerate(bt["p50"]) if v is not None]
        qx = [xs[i] for i in q]
        ax.fill_between(qx, [_f(bt["p05"][i]) for i in q], [_f(bt["p95"][i]) for i in q],
                        color=PALETTE[0], alpha=0.22, lw=0, label="5%-95% of runs")
        ax.plot(qx, [_f(bt["p50"][i]) for i in q], color=PALETTE[0], lw=2, label="median (p50)")
        ax.plot(xs, [_f(v) for v in bt["mean"]], color=PALETTE[1], lw=1.5, ls="--", label="mean")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(_compact))
        unit = ind.get("unit") or "(no unit)"
        ax.set_ylabel("\n".join(textwrap.wrap(unit, 34)))
    ax.set_title(title, loc="left", fontsize=9.5)
    time.apply(ax, max_ticks=max_ticks, xlabel=xlabel)


def fig_indicators(summary: dict, names: list, labels: Labels, title: str | None = None) -> Figure:
    """One panel per indicator: p05-p95 band, median and mean by week (flags: share of runs)."""
    inds = [_indicator_by_name(summary, n) for n in names]
    if not inds:
        raise PlotError("no indicator to plot")
    n = len(inds)
    ncols = 1 if n == 1 else 2 if n <= 4 else 3
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.0 * ncols if ncols > 1 else 9, 3.0 * nrows + 1.1), layout="constrained")
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[0.18] + [1.0] * nrows)
    time = TimeAxis(summary, labels)
    handles = {}
    for k, ind in enumerate(inds):
        ax = fig.add_subplot(gs[1 + k // ncols, k % ncols])
        last_in_column = k + ncols >= n
        _draw_indicator(ax, ind, time, labels, max_ticks=9 if ncols == 1 else 6, xlabel=last_in_column)
        for h, t in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(t, h)
    _legend_axes(fig, gs[0, :], list(handles.values()), list(handles.keys()), len(handles))
    if title is None:
        title = labels.indicator(inds[0]["name"]) if n == 1 else "Indicators over time"
    _titles(fig, title + ": " + (labels.title or summary["scenario"]),
            _subtitle(summary) + "  ·  quantiles within ±0.5% of their value" + _quantile_spacing(summary))
    return fig


def fig_flags(summary: dict, names: list, labels: Labels) -> Figure:
    """Yes/no indicators on one axis: % of runs in which each is true, by week."""
    inds = [_indicator_by_name(summary, n) for n in names]
    time = TimeAxis(summary, labels)
    legend_rows = math.ceil(len(inds) / 2)
    fig = Figure(figsize=(11, 4.6 + 0.22 * legend_rows), layout="constrained")
    gs = fig.add_gridspec(2, 1, height_ratios=[4.4, 0.22 * legend_rows])
    ax = fig.add_subplot(gs[0])
    cmap = matplotlib.colormaps["tab10"]
    styles = ["-", "--", ":"]
    for k, ind in enumerate(inds):
        ys = [100 * _f(v) for v in ind["by_tick"]["mean"]]
        ax.plot(time.x(range(len(ys))), ys, color=cmap(k % 10), lw=2, ls=styles[(k // 10) % 3],
                label=f"{labels.indicator(ind['name'])} ({fmt_pct(ind['at_horizon']['mean'])} at the end)")
    ax.set_ylim(-2, 102)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax.set_ylabel("% of runs in which it is true")
    ax.set_title("Yes/no indicators: share of runs in which each is true, by week", loc="left")
    time.apply(ax)
    handles, texts = ax.get_legend_handles_labels()
    _legend_axes(fig, gs[1], handles, texts, 2)
    _titles(fig, "Events and decisions: " + (labels.title or summary["scenario"]), _subtitle(summary))
    return fig


# ----------------------------------------------------------------------------- comparison figure


def fig_compare(cmp: dict, labels: Labels) -> Figure:
    """P(A) and P(B) per outcome, and the paired difference B - A with its 95% interval."""
    outs = cmp["outcomes"]
    if not outs:
        raise PlotError("the comparison has no outcomes")

    def name(o):
        if o["kind"] == "end_state":
            return "ends: " + labels.end_state(o["name"])
        return "reaches: " + labels.rung(o["name"])

    n = len(outs)
    fig = Figure(figsize=(12, 1.8 + 0.36 * n), layout="constrained")
    ax_p, ax_d = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.1, 1]})
    y = list(range(n))
    h = 0.38
    pa = [100 * _f(o["p_a"]) for o in outs]
    pb = [100 * _f(o["p_b"]) for o in outs]
    short = lambda s: s.split(" (", 1)[0]  # noqa: E731  "NAME (PATH)" -> "NAME"
    ax_p.barh([v - h / 2 for v in y], pa, height=h, color=PALETTE[0], label="A: " + short(cmp["scenario_a"]))
    ax_p.barh([v + h / 2 for v in y], pb, height=h, color=PALETTE[1], label="B: " + short(cmp["scenario_b"]))
    for i, o in enumerate(outs):
        lo_, hi_ = o["ci95_paired"]
        moved = lo_ > 0 or hi_ < 0
        text = f"{fmt_pct(o['p_a'])} → {fmt_pct(o['p_b'])}"
        if moved:
            text += f"  ({100 * o['diff']:+.1f} pts)"
        ax_p.text(max(pa[i], pb[i]) + 1.5, i, text, va="center", fontsize=8,
                  fontweight="bold" if moved else "normal")
    ax_p.set_yticks(y)
    ax_p.set_yticklabels([name(o) for o in outs])
    ax_p.invert_yaxis()
    ax_p.set_xlim(0, 150)
    ax_p.spines["bottom"].set_bounds(0, 100)
    ax_p.xaxis.set_major_locator(ticker.FixedLocator([0, 20, 40, 60, 80, 100]))
    ax_p.xaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax_p.set_xlabel("Probability (% of runs)\nbold: B differs from A (the paired 95% interval excludes 0)",
                    loc="left")
    ax_p.set_title("Each outcome in A and in B", loc="left")
    ax_p.legend(loc="lower right", fontsize=8.5, frameon=True, framealpha=0.9, edgecolor="#dddddd")
    ax_p.grid(axis="y", visible=False)

    d = [100 * _f(o["diff"]) for o in outs]
    lo = [100 * _f(o["ci95_paired"][0]) for o in outs]
    hi = [100 * _f(o["ci95_paired"][1]) for o in outs]
    for i in y:
        moved = lo[i] > 0 or hi[i] < 0
        # Not A's and B's colours of the left panel: a move up or down is not "A" or "B".
        colour = (PALETTE[2] if d[i] > 0 else PALETTE[3]) if moved else "#999999"
        ax_d.errorbar([d[i]], [i], xerr=[[d[i] - lo[i]], [hi[i] - d[i]]], fmt="o", color=colour,
                      ecolor=colour, capsize=3, ms=5, lw=1.4)
    ax_d.axvline(0, color="#333333", lw=0.9)
    span = max([abs(v) for v in lo + hi] + [0.5])
    ax_d.set_xlim(-span * 1.15, span * 1.15)
    ax_d.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _p: f"{x:+g}" if x else "0"))
    ax_d.set_xlabel("Difference B − A (percentage points)\nwith its paired 95% interval")
    ax_d.set_title("How much B moves it (green up, pink down: the interval excludes 0)", loc="left")
    ax_d.grid(axis="y", visible=False)
    n_ends = sum(1 for o in outs if o["kind"] == "end_state")
    if 0 < n_ends < n:
        for ax in (ax_p, ax_d):
            ax.axhline(n_ends - 0.5, color="#bbbbbb", lw=0.8)
    title = f"A: {cmp['scenario_a']}   vs   B: {cmp['scenario_b']}"
    sub = (f"{cmp['runs']:,} paired runs (common random numbers)  ·  seed {cmp['master_seed']}  ·  "
           f"interval: {cmp.get('interval_method', '')}")
    _titles(fig, title, sub)
    return fig


# ----------------------------------------------------------------------------- study figures
#
# `geosim sweep STUDY --out DIR` and `geosim analyze DIR` leave CSV tables in DIR (docs/studies.md):
# sobol.csv (Sobol' designs), morris.csv (Morris designs) and, with `--prim OUTPUT`, prim.csv. The
# study's name, scenario, seed and runs per point come from DIR/study.sqlite (read-only; the
# folder's name when it cannot be read). study_figures(DIR) lists the figures the folder allows, as
# summary_figures does for a summary; `plot.py study DIR --outdir D` writes them all.

PROBABILITY_KINDS = ("end_state", "reached_rung")


def _csv_float(s) -> float:
    try:
        return float(s)
    except (TypeError, ValueError):
        return math.nan


def read_study_csv(folder: str, name: str, columns: list, what: str) -> list:
    """Rows of FOLDER/NAME as dicts (numbers as floats, empty cells as NaN, text columns kept)."""
    import csv

    path = os.path.join(folder, name)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
            header = rows[0].keys() if rows else []
    except FileNotFoundError:
        raise PlotError(f"{path} does not exist ({what}; run `geosim analyze {folder}` first)") from None
    except OSError as e:
        raise PlotError(f"cannot read {path}: {e}") from e
    missing = [c for c in columns if c not in header]
    if not rows or missing:
        raise PlotError(f"{path}: not a geosim {name} (" + (f"missing columns {', '.join(missing)}" if rows
                                                            else "no rows") + ")")
    text = {"output", "factor", "restricted"}
    return [{k: (v if k in text else _csv_float(v)) for k, v in r.items()} for r in rows]


def read_study_meta(folder: str) -> dict:
    """The study's name, scenario, seed, runs per point and outputs, from FOLDER/study.sqlite."""
    meta = {"study": os.path.basename(os.path.normpath(os.path.abspath(folder))), "outputs": {}}
    path = os.path.join(folder, "study.sqlite")
    if not os.path.exists(path):
        return meta
    try:
        import sqlite3
        import urllib.parse

        con = sqlite3.connect("file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro", uri=True)
        try:
            meta.update({k: v for k, v in con.execute("SELECT key, value FROM meta")})
            meta["outputs"] = {n: (k, t) for n, k, t in con.execute("SELECT name, kind, target FROM outputs")}
        finally:
            con.close()
    except Exception:  # an unreadable store only costs the subtitle its details
        pass
    return meta


def _study_subtitle(meta: dict, extra: str = "") -> str:
    parts = [f"study {meta['study']}"]
    if meta.get("scenario"):
        parts.append(f"scenario {os.path.basename(meta['scenario'])}")
    if meta.get("points") and meta.get("runs_per_point"):
        parts.append(f"{int(meta['points']):,} design points × {int(meta['runs_per_point']):,} runs")
    if meta.get("seed"):
        parts.append(f"seed {meta['seed']}")
    if extra:
        parts.append(extra)
    return "  ·  ".join(parts)


def _output_label(meta: dict, output: str) -> str:
    kind, target = meta["outputs"].get(output, ("", ""))
    if kind == "end_state":
        return f"{output}: P(ends in {target})"
    if kind == "reached_rung":
        return f"{output}: P(reaches {target})"
    if kind:
        return f"{output}: {kind} {target}".rstrip()
    return output


def _by_output(rows: list) -> dict:
    out: dict = {}
    for r in rows:
        out.setdefault(r["output"], []).append(r)
    return out


def fig_sobol(folder: str) -> Figure:
    """Per output, S1 and ST of each factor as horizontal bars with their 95% bootstrap intervals."""
    rows = read_study_csv(folder, "sobol.csv", ["output", "factor", "S1", "S1_ci95_low", "S1_ci95_high", "ST",
                                                "ST_ci95_low", "ST_ci95_high", "noise_share", "base_n", "used",
                                                "dropped"], "Sobol' indices, from a Sobol' design")
    meta = read_study_meta(folder)
    groups = _by_output(rows)
    heights = [1.1 + 0.62 * len(g) for g in groups.values()]
    fig = Figure(figsize=(9.5, 1.6 + sum(heights)), layout="constrained")
    axes = fig.subplots(len(groups), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
    s1_c, st_c = PALETTE[0], PALETTE[1]
    for ax, (output, g) in zip(axes, groups.items()):
        g = sorted(g, key=lambda r: -r["ST"] if not math.isnan(r["ST"]) else math.inf)
        y = list(range(len(g)))
        lo_x, hi_x = 0.0, 1.0
        for off, key, colour, name in ((-0.19, "S1", s1_c, "first order S1"), (0.19, "ST", st_c, "total ST")):
            vals = [r[key] for r in g]
            lo = [r[f"{key}_ci95_low"] for r in g]
            hi = [r[f"{key}_ci95_high"] for r in g]
            ys = [i + off for i in y]
            ax.barh(ys, vals, height=0.36, color=colour, label=name, zorder=2)
            ax.errorbar(vals, ys, xerr=[[max(0.0, v - l) for v, l in zip(vals, lo)],
                                        [max(0.0, h - v) for v, h in zip(vals, hi)]],
                        fmt="none", ecolor="#222222", elinewidth=1.0, capsize=2.5, zorder=3)
            for v, h, yy in zip(vals, hi, ys):
                if not math.isnan(v):
                    ax.annotate(f"{v:.2f}", (max(v, h, 0.0), yy), xytext=(5, 0), textcoords="offset points",
                                va="center", fontsize=7.5, color="#333333", zorder=4)
            finite = [x for x in lo + hi + vals if not math.isnan(x)]
            lo_x, hi_x = min([lo_x] + finite), max([hi_x] + finite)
        ax.axvline(0, color="#444444", lw=0.9, zorder=2.5)
        ax.axvline(1, color="#777777", lw=0.9, ls=":", zorder=1)
        span = hi_x - lo_x
        ax.set_xlim(lo_x - 0.03 * span, hi_x + 0.1 * span)
        ax.set_yticks(y)
        ax.set_yticklabels([r["factor"] for r in g])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        r0 = g[0]
        noise = r0["noise_share"]
        ax.set_title(f"{_output_label(meta, output)}   (N = {int(r0['base_n'])} base rows, {int(r0['used'])} used, "
                     f"{int(r0['dropped'])} dropped; noise {fmt_pct(noise)} of the variance)", loc="left", fontsize=9.5)
        if not math.isnan(noise) and noise > 0.5:
            ax.text(0.99, 0.02, f"Monte Carlo noise is {fmt_pct(noise)} of the variance: these indices rest mostly\n"
                                "on the noise correction. Run more runs per point before reading them.",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#a33000",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "#fff3e8", "ec": "#D55E00", "lw": 0.8}, zorder=5)
        ax.set_xlabel("share of the output's variance (0 = no effect, 1 = all of it; noise can push an "
                      "estimate outside [0, 1])", fontsize=8.5)
    axes[0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.08), ncol=2, fontsize=8.5)
    _titles(fig, f"Which factors drive the outputs? Sobol' indices of study {meta['study']}",
            _study_subtitle(meta, "bars: estimate; whiskers: 95% bootstrap interval; sorted by ST"))
    return fig


def fig_morris(folder: str) -> Figure:
    """Per output, mu* (with its 95% interval) against sigma, one labelled point per factor."""
    rows = read_study_csv(folder, "morris.csv", ["output", "factor", "mu", "mu_star", "mu_star_ci95_low",
                                                 "mu_star_ci95_high", "sigma", "noise_sd", "effects"],
                          "Morris elementary effects, from a Morris design")
    meta = read_study_meta(folder)
    groups = _by_output(rows)
    n = len(groups)
    ncol = min(n, 2)
    nrow = (n + ncol - 1) // ncol
    fig = Figure(figsize=(5.2 * ncol + 0.6, 4.4 * nrow + 1.0), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.axis("off")
    factors = list(dict.fromkeys(r["factor"] for r in rows))  # one colour per factor in every panel
    for ax, (output, g) in zip(axes, groups.items()):
        prob = meta["outputs"].get(output, ("", ""))[0] in PROBABILITY_KINDS
        k = 100.0 if prob else 1.0
        unit = " (percentage points)" if prob else " (output units)"
        short = " pp" if prob else ""
        ms = [k * r["mu_star"] for r in g]
        sg = [k * r["sigma"] for r in g]
        lo = [max(0.0, m - k * r["mu_star_ci95_low"]) for m, r in zip(ms, g)]
        hi = [max(0.0, k * r["mu_star_ci95_high"] - m) for m, r in zip(ms, g)]
        noise = max((k * r["noise_sd"] for r in g if not math.isnan(r["noise_sd"])), default=0.0)
        top_x = max([noise] + [m + h for m, h in zip(ms, hi) if not math.isnan(m + h)]) * 1.2 or 1.0
        top_y = max([noise] + [s for s in sg if not math.isnan(s)]) * 1.25 or 1.0
        if noise > 0:
            ax.axvspan(0, noise, ymax=min(1.0, noise / top_y), color="#bbbbbb", alpha=0.35, lw=0, zorder=1,
                       label=f"Monte Carlo noise (noise sd {noise:.3g}{short})")
        for i, (m, s, r) in enumerate(zip(ms, sg, g)):
            c = PALETTE[factors.index(r["factor"]) % len(PALETTE)]
            ax.errorbar([m], [s], xerr=[[lo[i]], [hi[i]]], fmt="o", color=c, ms=7, ecolor=c, elinewidth=1.2,
                        capsize=3, zorder=3)
            ax.annotate(r["factor"], (m, s), xytext=(6, 6), textcoords="offset points", fontsize=8.5, color=c,
                        fontweight="bold", zorder=4,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        ax.set_xlim(0, top_x)
        ax.set_ylim(0, top_y)
        ax.set_xlabel("μ*: mean |elementary effect|" + unit + "\nchange in the output over a factor's full range")
        ax.set_ylabel("σ: spread of the effects" + unit + "\n(interaction or non-linearity)")
        ax.set_title(f"{_output_label(meta, output)}   ({int(g[0]['effects'])} effects per factor)", loc="left",
                     fontsize=9.5)
        if noise > 0:
            ax.legend(loc="upper left", fontsize=8)
    _titles(fig, f"Which factors matter? Morris elementary effects of study {meta['study']}",
            _study_subtitle(meta, "whiskers: 95% bootstrap interval of μ*; a point inside the grey band is "
                                  "indistinguishable from noise"))
    return fig


def fig_prim(folder: str) -> Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by step, with the conservative
    and liberal densities as whiskers and the last box's restrictions in a caption."""
    rows = read_study_csv(folder, "prim.csv", ["step", "coverage", "density", "mass", "density_conservative",
                                               "density_liberal", "restricted"],
                          "PRIM's peeling trajectory, from `geosim analyze DIR --prim OUTPUT --threshold X`")
    meta = read_study_meta(folder)
    cov = [100 * r["coverage"] for r in rows]
    den = [100 * r["density"] for r in rows]
    dlo = [100 * r["density_conservative"] for r in rows]
    dhi = [100 * r["density_liberal"] for r in rows]
    steps = [int(r["step"]) for r in rows]
    fig = Figure(figsize=(8.6, 6.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(cov, den, color="#999999", lw=0.9, zorder=2)
    for x, d, l, h in zip(cov, den, dlo, dhi):
        if not (math.isnan(l) or math.isnan(h)):
            ax.errorbar([x], [d], yerr=[[max(0.0, d - l)], [max(0.0, h - d)]], fmt="none", ecolor="#888888",
                        elinewidth=0.9, capsize=2.5, alpha=0.8, zorder=2)
    sc = ax.scatter(cov, den, c=steps, cmap="viridis", s=42, edgecolors="#222222", linewidths=0.5, zorder=3)
    cb = fig.colorbar(sc, ax=ax, pad=0.01)
    cb.set_label("peeling step (0 = the whole space)")
    if len(steps) > 1:
        cb.set_ticks(ticker.MaxNLocator(integer=True).tick_values(min(steps), max(steps)))
    for i in sorted({0, len(rows) - 1}):
        ax.annotate(f"step {steps[i]}: mass {fmt_pct(rows[i]['mass'])}", (cov[i], den[i]), xytext=(-8, 10),
                    textcoords="offset points", ha="right", fontsize=8.5, zorder=4)
    ax.set_xlim(-3, 103)
    ax.set_ylim(-3, 103)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_pct_axis))
    ax.set_xlabel("coverage: share of the points of interest inside the box")
    ax.set_ylabel("density: share of the box's points that are of interest")
    last = rows[-1]
    restricted = last["restricted"] or "nothing (the whole space)"
    caption = (f"Last box (step {steps[-1]}, coverage {fmt_pct(last['coverage'])}, density {fmt_pct(last['density'])}, "
               f"mass {fmt_pct(last['mass'])}) restricts: " + restricted.replace("; ", ",  "))
    ax.set_title("\n".join(textwrap.wrap(caption, 105)), loc="left", fontsize=8.5, fontweight="normal")
    _titles(fig, f"Where is the output of interest? PRIM peeling trajectory of study {meta['study']}",
            _study_subtitle(meta, "whiskers: density counting points conservatively (lower end of their 95% "
                                  "interval above the threshold) and liberally (upper end)"))
    return fig


STUDY_PLOTTERS: dict = {  # command and figure stem -> (file it needs, caption, function(folder) -> Figure)
    "sobol": ("sobol.csv", "Sobol' indices: the share of each output's variance due to each factor alone (S1) "
                           "and with its interactions (ST), with 95% bootstrap intervals.", fig_sobol),
    "morris": ("morris.csv", "Morris screening: each factor's mean absolute effect (μ*) against the spread of "
                             "its effects (σ); points in the grey band are indistinguishable from Monte Carlo "
                             "noise.", fig_morris),
    "prim": ("prim.csv", "PRIM's peeling trajectory: each step trades coverage for density; whiskers show the "
                         "density under conservative and liberal counting.", fig_prim),
}


def study_figures(folder: str) -> list:
    """Every figure FOLDER's tables allow, as (stem, caption, builder), like summary_figures."""
    if not os.path.isdir(folder):
        raise PlotError(f"{folder} is not a folder (give the --out folder of `geosim sweep`)")
    out = [(stem, caption, (lambda f=fn: f(folder))) for stem, (need, caption, fn) in STUDY_PLOTTERS.items()
           if os.path.exists(os.path.join(folder, need))]
    if not out:
        raise PlotError(f"{folder} has no sobol.csv, morris.csv or prim.csv (run `geosim analyze {folder}` first)")
    return out


# ----------------------------------------------------------------------------- the `all` set


def summary_figures(summary: dict, labels: Labels) -> list:
    """Every summary figure as (stem, caption, builder); the builder returns a Figure. Used by
    `all` and by tools/report.py, so both always draw the same set."""
    inds = summary["indicators"]
    flags = [i["name"] for i in inds if is_flag(i)]
    scores = [i["name"] for i in inds if is_score(i)]
    plain = [i["name"] for i in inds if not is_flag(i) and not is_score(i)]
    out = [
        ("outcomes", "How the runs ended, and how often each rung of the escalation ladder was reached. "
                     "Bars: share of runs; whiskers: 95% Wilson interval (Monte Carlo noise only).",
         lambda: fig_outcomes(summary, labels)),
        ("rungs", "Probability that the ladder has reached each rung by a given week (left), and the same "
                  "on a logarithmic scale so that rare rungs are visible (right).",
         lambda: fig_rungs(summary, labels)),
    ]
    if plain:
        out.append(("indicators", "The quantities the scenario tracks, week by week: the shaded band holds "
                                  "the middle 90% of runs (5th to 95th percentile), the solid line is the "
                                  "median run and the dashed line the mean.",
                    lambda: fig_indicators(summary, plain, labels, "Indicators over time")))
    if flags:
        out.append(("flags", "Yes/no indicators: the share of runs in which each thing has happened "
                             "(or is true) by a given week.",
                    lambda: fig_flags(summary, flags, labels)))
    if scores:
        out.append(("scores", "Each actor's cumulative escalation score (Rivera et al. 2024 weights): "
                              "band 5th-95th percentile, solid median, dashed mean.",
                    lambda: fig_indicators(summary, scores, labels, "Escalation scores")))
    return out


def write_all(summary: dict, labels: Labels, outdir: str) -> list:
    written = []
    for stem, _caption, build in summary_figures(summary, labels):
        fig = build()
        for ext in ("png", "svg"):
            written.append(save(fig, os.path.join(outdir, f"{stem}.{ext}")))
    return written


# ----------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="plot.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Output format from the extension of -o: .png or .svg. See docs/report.md.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p, needs_out=True):
        p.add_argument("--scenario", metavar="FILE.yaml",
                       help="scenario file: use its labels and start date (needs python3-yaml)")
        if needs_out:
            p.add_argument("-o", "--out", required=True, metavar="OUT.png|OUT.svg")

    p = sub.add_parser("outcomes", help="end states and rungs with 95%% intervals")
    p.add_argument("summary")
    common(p)
    p = sub.add_parser("rungs", help="P(reached each rung) by week")
    p.add_argument("summary")
    common(p)
    p = sub.add_parser("indicator", help="an indicator's p05-p95 band, median and mean over time")
    p.add_argument("summary")
    p.add_argument("--name", action="append", required=True, help="indicator name (repeat for several)")
    common(p)
    p = sub.add_parser("compare", help="two scenarios side by side, with paired differences")
    p.add_argument("comparison")
    common(p)
    p = sub.add_parser("all", help="every summary figure, PNG and SVG")
    p.add_argument("summary")
    p.add_argument("--outdir", required=True)
    common(p, needs_out=False)
    p = sub.add_parser("sobol", help="a study's Sobol' indices S1 and ST with 95%% intervals (DIR/sobol.csv)")
    p.add_argument("dir", metavar="DIR")
    common(p)
    p = sub.add_parser("morris", help="a study's Morris mu* against sigma, with the noise level (DIR/morris.csv)")
    p.add_argument("dir", metavar="DIR")
    common(p)
    p = sub.add_parser("prim", help="a study's PRIM peeling trajectory (DIR/prim.csv)")
    p.add_argument("dir", metavar="DIR")
    common(p)
    p = sub.add_parser("study", help="every figure a study folder allows, PNG and SVG")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--outdir", required=True)
    common(p, needs_out=False)
    a = ap.parse_args(argv)

    try:
        labels = Labels.from_file(a.scenario)
        if a.cmd == "compare":
            fig = fig_compare(read_json(a.comparison, "geosim-comparison/1"), labels)
        elif a.cmd in STUDY_PLOTTERS:
            if not os.path.isdir(a.dir):
                raise PlotError(f"{a.dir} is not a folder (give the --out folder of `geosim sweep`)")
            fig = STUDY_PLOTTERS[a.cmd][2](a.dir)
        elif a.cmd == "study":
            for stem, _caption, build in study_figures(a.dir):
                fig = build()
                for ext in ("png", "svg"):
                    print(save(fig, os.path.join(a.outdir, f"{stem}.{ext}")))
            return 0
        else:
            summary = read_json(a.summary, "geosim-summary/1")
            if a.cmd == "all":
                for path in write_all(summary, labels, a.outdir):
                    print(path)
                return 0
            if a.cmd == "outcomes":
                fig = fig_outcomes(summary, labels)
            elif a.cmd == "rungs":
                fig = fig_rungs(summary, labels)
            else:
                fig = fig_indicators(summary, a.name, labels)
        print(save(fig, a.out))
    except PlotError as e:
        print(f"plot.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
