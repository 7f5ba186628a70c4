#!/usr/bin/python3
"""Write a synthetic geosim scenario of A actors with K actions each, shaped like the baseline.

The scenario exists to measure how the engine's cost grows with the size of a crisis (issue 8):
`bench/e2e.py curve` runs it end to end and bench/parts_bench.cpp runs its single runs. Every number in it
is synthetic; nothing is taken from an article.

Its shape follows scenarios/dprk_russia_2024/baseline.yaml as it was when this was written (6
actors, 31 actions; 33 since 07bffb4, with 1.15 utility terms per action), counted per action or
per actor so that the proportions stay the same at any size:

  baseline, per action: 0.61 conditions, 1.03 effects, 1.03 utility terms; 29% of actions move the
    ladder with to_rung, 13% step down one rung; 29% have a min_rung and 10% a max_rung; classes
    16% status quo, 29% non-violent escalation, 23% de-escalation, 19% posturing, 13% violent.
  baseline, per action: about 1 state variable (30 for 31 actions, 22 reported), 0.45 events
    (7 bernoulli, 6 flow, 1 poisson of 14) and 4.2 parameters.
  baseline, per actor: 1.8 hostile relations, 1 leverage entry, 1.7 wishes; 4 end states for 6
    actors (2 on a rung, 1 on state with a probability, 1 when an action is chosen).
  ladder: 8 rungs with the baseline's danger values; horizon 104 weekly ticks.

The few hazards that end a run early (events that jump to the top rungs, ceasefires, withdrawals)
are scaled by 6 / A, so that runs last about as long whatever the number of actors and the cost per
decision can be compared across sizes. `--stats` prints the realised proportions.

Usage:
  /usr/bin/python3 bench/make_scaled_scenario.py --actors 24 --actions 20 -o bench/scenarios/scaled_24x20.yaml
"""

import argparse
import random
import sys

RUNGS = [  # name, danger (the baseline's values)
    ("calm", 0), ("tension", 0.5), ("skirmishes", 1.5), ("open_involvement", 3),
    ("counter_escalation", 5), ("regional_war", 10), ("great_power_clash", 30), ("nuclear_use", 100),
]
R_TENSION, R_SKIRMISH, R_OPEN, R_COUNTER, R_REGIONAL, R_GREAT = 1, 2, 3, 4, 5, 6

# The classes of actions 1..K-1 of an actor (action 0 is always the status quo), in a cycle whose
# mix matches the baseline's non-status-quo actions (9 non-violent, 7 de-escalation, 6 posturing,
# 4 violent of 26).
CYCLE = ["nonviolent_escalation", "posturing", "de_escalation", "nonviolent_escalation",
         "violent_escalation", "de_escalation", "posturing", "nonviolent_escalation",
         "de_escalation", "posturing", "violent_escalation", "nonviolent_escalation",
         "de_escalation"]
VERB = {"nonviolent_escalation": "mobilise", "posturing": "posture", "de_escalation": "negotiate",
        "violent_escalation": "strike"}


def num(x):
    """A YAML decimal literal the loader accepts (no quotes, no nan/inf)."""
    if isinstance(x, int):
        return str(x)
    s = f"{x:.6g}"
    return s


def flow(d):
    """A one-line YAML flow mapping of names and numbers."""
    return "{" + ", ".join(f"{k}: {num(v) if isinstance(v, (int, float)) else v}" for k, v in d.items()) + "}"


class Scenario:
    def __init__(self, n_actors, n_actions, seed):
        self.A, self.K = n_actors, n_actions
        self.rng = random.Random(seed)
        self.params = []   # (name, mapping) in order
        self.state = []    # (name, mapping)
        self.actors = []   # (name, resolve, risk, reciprocity, [actions])
        self.events = []   # (name, mapping of lines)
        self.end_states = []
        self.relations, self.leverage, self.wishes = {}, {}, {}

    def param(self, name, **m):
        self.params.append((name, m))
        return name

    def constant(self, name, value):
        return self.param(name, value=value)

    def uniform(self, name, low, high):
        return self.param(name, dist="uniform", low=low, high=high)

    def build(self):
        A, K, rng = self.A, self.K, self.rng
        scale = 6.0 / A  # keeps the hazard of an early end about the baseline's at any size
        self.constant("flag_on", 1)
        self.constant("flag_off", 0)
        self.constant("one_unit", 1)
        self.constant("level_threshold", 3)
        self.constant("at_table_threshold", 0.3)
        self.constant("talks_retention", 0.75)
        self.constant("level_retention", 0.9)
        self.uniform("actor_rationality", 1.5, 3.0)
        # An actor with more actions has more ways to negotiate, so both sides of a pair are at
        # the table more often: the chance that talks succeed falls as (5 / K)^2 to compensate.
        talks = scale * (5.0 / K) ** 2
        self.uniform("ceasefire_success", round(0.05 * talks, 8), round(0.2 * talks, 8))
        self.constant("withdrawal_holds", round(0.5 * scale, 6))
        for r, (name, danger) in enumerate(RUNGS):
            self.constant(f"danger_{name}", danger)

        names = [f"a{i:02d}" for i in range(A)]
        partner = [i ^ 1 if (i ^ 1) < A else (i + 1) % A for i in range(A)]
        rival = [(i + 2) % A for i in range(A)]
        patron = [(i + 3) % A for i in range(A)]
        # Every actor's state: one variable per action after the status quo, and how far it is
        # "at the table" (set by its negotiations, fading every tick).
        levels_of = []  # per actor: names of its level variables (repeatable actions)
        for i, a in enumerate(names):
            self.state.append((f"{a}_at_table", {"min": 0, "report": "false"}))
            levels_of.append([])

        for i, a in enumerate(names):
            resolve = self.constant(f"{a}_resolve", rng.choice([0, 0.1, 0.2, 0.3]))
            risk = self.constant(f"{a}_risk_tolerance", rng.choice([0.2, 0.3, 0.5, 0.6]))
            recip = self.constant(f"{a}_reciprocity", rng.choice([0, 0.3, 0.5]))
            actions = [("hold", {"class": "status_quo"}, [], [], [])]
            negotiations = []
            for j in range(1, K):
                cls = CYCLE[(j - 1 + i) % len(CYCLE)]
                act = f"{VERB[cls]}_{j:02d}"
                var = f"{a}_v{j:02d}"
                m = {"class": cls}
                conds, effects, terms = [], [], []
                one_shot = cls in ("nonviolent_escalation", "violent_escalation") and j % 2 == 1
                if one_shot:
                    self.state.append((var, {"unit": "flag"}))
                    conds.append({"var": var, "eq": "flag_off"})
                    effects.append({"var": var, "set": "flag_on"})
                elif cls == "de_escalation":
                    self.state.append((var, {"unit": "rounds", "min": 0, "report": "false" if j % 3 == 0 else None}))
                    effects.append({"var": f"{a}_at_table", "set": "flag_on"})
                    if j % 4 == 1:
                        effects.append({"var": var, "add": "one_unit"})
                else:
                    report = "false" if j % 4 == 0 else None
                    self.state.append((var, {"unit": "level", "min": 0, "max": 10, "report": report}))
                    levels_of[i].append(var)
                    if not (cls == "posturing" and j % 3 == 0):
                        effects.append({"var": var, "add": "one_unit"})
                # The ladder: escalations mostly move it to a rung (as deploy / authorise / strike
                # do in the baseline); half the negotiations step it down.
                if cls == "nonviolent_escalation" and j % 3 != 0:
                    m["to_rung"] = RUNGS[rng.choice([R_TENSION, R_SKIRMISH, R_OPEN, R_COUNTER])][0]
                elif cls == "violent_escalation":
                    m["to_rung"] = RUNGS[rng.choice([R_SKIRMISH, R_OPEN, R_REGIONAL])][0]
                    m["min_rung"] = RUNGS[R_TENSION][0]
                    conds.append({"var": f"{names[partner[i]]}_v01", "gt": "flag_off"})
                elif cls == "de_escalation":
                    negotiations.append(act)
                    if j % 2 == 0:
                        m["step"] = -1
                        m["max_rung"] = RUNGS[R_COUNTER][0]
                    else:
                        m["min_rung"] = RUNGS[R_SKIRMISH][0]
                if cls == "posturing" and j % 2 == 1:
                    m["min_rung"] = RUNGS[R_TENSION][0]
                if cls == "posturing" and j % 3 != 0:
                    conds.append({"var": f"{a}_at_table", "lt": "flag_on"})
                if cls == "nonviolent_escalation" and j % 3 == 2:
                    conds.append({"var": f"{names[rival[i]]}_at_table", "lt": "level_threshold"})
                # Negotiating is costly, as in the baseline (-1.4 to -1.75), so talks are rare.
                low, high = (-2.5, -1.2) if cls == "de_escalation" else (-2.5, 0.5)
                m["gain"] = self.constant(f"{a}_{act}_gain", round(rng.uniform(low, high), 2))
                # Utility terms: half the actions have none; the others weigh one to three state
                # variables of the actor, its partner or its rival (war weariness, pressure, ...).
                if j % 2 == 0:
                    n_terms = 1 + (j // 2) % 3
                    pool = ([f"{a}_at_table"] + [f"{a}_v{q:02d}" for q in range(1, j)]
                            + [f"{names[partner[i]]}_v{q:02d}" for q in range(1, min(K, 4))]
                            + [f"{names[rival[i]]}_v01"])
                    for t in range(n_terms):
                        w = self.constant(f"{a}_{act}_w{t}", round(rng.uniform(-0.3, 0.3), 3))
                        terms.append({"var": pool[(j + 3 * t) % len(pool)], "weight": w})
                actions.append((act, m, conds, effects, terms))
            # One actor in six can strike straight at the great-power rung (as Russia can strike NATO).
            if i % 6 == 0 and K >= 3:
                act, m, conds, effects, terms = actions[-1]
                if m["class"] != "de_escalation":
                    m.update({"class": "violent_escalation", "to_rung": RUNGS[R_GREAT][0],
                              "min_rung": RUNGS[R_COUNTER][0]})
                    m.pop("max_rung", None)
            self.actors.append((a, resolve, risk, recip, actions, negotiations))

        # Relations (1.8 per actor in the baseline), leverage (1), wishes (1.7).
        for i, a in enumerate(names):
            rel = {names[partner[i]]: self.constant(f"hostility_{a}_{names[partner[i]]}", 1.0)}
            if rival[i] != i and rival[i] != partner[i] and i % 5 != 4:
                rel[names[rival[i]]] = self.constant(f"hostility_{a}_{names[rival[i]]}", 0.5)
            self.relations[a] = rel
            if patron[i] != i:
                self.leverage[a] = {names[patron[i]]: self.uniform(f"pull_{names[patron[i]]}_on_{a}", 0.1, 0.5)}
                wished = [x[0] for x in self.actors[i][4][1:3]]
                w = self.wishes.setdefault(names[patron[i]], {})
                for t, act in enumerate(wished):
                    w[f"{a}.{act}"] = self.constant(f"wish_{names[patron[i]]}_{a}_{act}", 1 if t == 0 else -1)

        # Events: 0.45 per action, kinds in the baseline's mix (half bernoulli, 43% flow, 7% poisson).
        # Per 6 actors, as in the baseline: two events that can bring a great-power clash and one
        # that can bring nuclear use, each rare (scaled by 6 / A).
        crisis = []
        for i in range(0, A, 6):
            a = names[i]
            lv = levels_of[i] or [f"{a}_at_table"]
            crisis.append((f"{a}_great_power_incident", R_GREAT, R_COUNTER, 0.0003, lv[0]))
            crisis.append((f"{a}_war_widens", R_GREAT, R_REGIONAL, 0.003, lv[-1]))
            crisis.append((f"{a}_nuclear_strike", len(RUNGS) - 1, R_REGIONAL, 0.005, lv[-1]))
        n_events = max(1, round(0.45 * A * K) - len(crisis))
        kinds = ["flow", "bernoulli", "flow", "bernoulli", "bernoulli", "flow", "bernoulli",
                 "flow", "bernoulli", "flow", "bernoulli", "flow", "bernoulli", "poisson"]
        for e in range(n_events):
            i = e % A
            a = names[i]
            kind = kinds[(e // A + i) % len(kinds)]
            lv = levels_of[i] or [f"{a}_at_table"]
            target = lv[(e // A) % len(lv)]
            ev = {"kind": kind}
            conds, effects = [], []
            if kind == "flow":
                if (e // A) % 2 == 0:
                    effects.append({"var": f"{a}_at_table", "mul": "talks_retention"})
                else:
                    effects.append({"var": target, "mul": "level_retention"})
            elif kind == "bernoulli":
                if (e // A) % 3 == 2:
                    # A crisis event that jumps the ladder (as the baseline's peninsula crisis does).
                    rung = rng.choice([R_SKIRMISH, R_OPEN, R_REGIONAL])
                    p = 0.01 * scale
                    ev["probability"] = self.uniform(f"ev{e:03d}_probability", round(p * 0.3, 8), round(p * 1.7, 8))
                    ev["to_rung"] = RUNGS[rung][0]
                    conds.append({"var": target, "ge": "level_threshold"})
                else:
                    ev["probability"] = self.uniform(f"ev{e:03d}_probability", 0.01, 0.05)
                    conds.append({"var": target, "ge": "level_threshold"})
                    effects.append({"var": names[rival[i]] + "_at_table", "set": "flag_off"})
            else:
                ev["rate"] = self.uniform(f"ev{e:03d}_rate", 0.02, 0.1)
                ev["per"] = target
                ev["min_rung"] = RUNGS[R_SKIRMISH][0]
                effects.append({"var": levels_of[partner[i]][0] if levels_of[partner[i]] else target,
                                "add": "one_unit"})
            self.events.append((f"ev{e:03d}_{a}_{kind}", ev, conds, effects))

        for name, rung, min_rung, p, var in crisis:
            p *= scale
            ev = {"kind": "bernoulli",
                  "probability": self.uniform(f"{name}_probability", round(p * 0.3, 8), round(p * 1.7, 8)),
                  "min_rung": RUNGS[min_rung][0], "to_rung": RUNGS[rung][0]}
            self.events.append((name, ev, [{"var": var, "ge": "flag_on"}], []))

        # End states: 4 per 6 actors, as in the baseline: the two top rungs, then ceasefires
        # between partners and withdrawals, alternating.
        self.end_states.append(("nuclear_use", {"rung": "nuclear_use"}))
        self.end_states.append(("great_power_clash", {"rung": "great_power_clash"}))
        order = [i for start in (0, 2, 4) for i in range(start, A, 6)]  # even: a partner pair
        n_extra = max(2, round(4 * A / 6)) - 2
        for n in range(n_extra):
            i = order[(n // 2) % len(order)]
            a = names[i]
            if n % 2 == 0:
                b = names[partner[i]]
                self.end_states.append((f"ceasefire_{a}_{b}", {
                    "state": [{"var": f"{a}_at_table", "ge": "at_table_threshold"},
                              {"var": f"{b}_at_table", "ge": "at_table_threshold"}],
                    "probability": "ceasefire_success"}))
            else:
                i = (i + 3) % A
                a = names[i]
                negs = self.actors[i][5]
                if negs:
                    # Withdrawing is the costliest negotiation (the DPRK's withdrawal: -2).
                    gain = f"{a}_{negs[0]}_gain"
                    self.params = [(n_, {"value": -3} if n_ == gain else m_) for n_, m_ in self.params]
                    self.end_states.append((f"withdrawal_{a}", {
                        "any_chosen": [f"{a}.{negs[0]}"], "probability": "withdrawal_holds"}))

    # ------------------------------------------------------------------------------ writing
    def text(self):
        A, K = self.A, self.K
        out = []
        w = out.append
        w(f"# Synthetic benchmark scenario: {A} actors x {K} actions each. Written by")
        w(f"#   /usr/bin/python3 bench/make_scaled_scenario.py --actors {A} --actions {K}")
        w("# Do not edit by hand; change the script and write it again.")
        w("# EVERY NUMBER IN THIS FILE IS SYNTHETIC: it is shaped like the baseline (per action: about")
        w("# as many conditions, effects, utility terms, state variables, events and parameters) but")
        w("# describes no real crisis and cites no article.")
        w("geosim: 1")
        w(f"name: scaled_{A}x{K}")
        w(f'title: "Synthetic benchmark: {A} actors x {K} actions"')
        w('question: "How fast does the engine run a crisis this large? (A benchmark, not a question about the world.)"')
        w("description: >-")
        w(f"  Synthetic benchmark scenario for issue 8 with {A} actors of {K} actions each, generated by")
        w("  bench/make_scaled_scenario.py. Every number is synthetic (made up to resemble the structure")
        w("  of the baseline scenario, not taken from any source); its outcomes mean nothing.")
        w("time: {start: 2024-10-07, tick_days: 7, horizon: 104}")
        w("")
        w("parameters:")
        for name, m in self.params:
            w(f"  {name}: {flow(m)}")
        w("")
        w("state:")
        for name, m in self.state:
            w(f"  {name}: {flow({k: v for k, v in m.items() if v is not None})}")
        w("")
        w("ladder:")
        w(f"  start: {RUNGS[0][0]}")
        w("  rungs:")
        for name, _ in RUNGS:
            w(f"    - {{name: {name}, danger: danger_{name}}}")
        w("")
        w("end_states:")
        for name, m in self.end_states:
            w(f"  {name}:")
            for k, v in m.items():
                if k == "state":
                    w("    state: [" + ", ".join(flow(c) for c in v) + "]")
                elif k == "any_chosen":
                    w(f"    any_chosen: [{', '.join(v)}]")
                else:
                    w(f"    {k}: {v}")
        w("")
        w("actors:")
        for a, resolve, risk, recip, actions, _ in self.actors:
            w(f"  {a}:")
            w("    rationality: actor_rationality")
            w(f"    resolve: {resolve}")
            w(f"    risk_tolerance: {risk}")
            w(f"    reciprocity: {recip}")
            w("    actions:")
            for act, m, conds, effects, terms in actions:
                w(f"      {act}:")
                for k, v in m.items():
                    w(f"        {k}: {num(v) if isinstance(v, (int, float)) else v}")
                if conds:
                    w("        requires: [" + ", ".join(flow(c) for c in conds) + "]")
                if effects:
                    w("        effects: [" + ", ".join(flow(c) for c in effects) + "]")
                if terms:
                    w("        utility: [" + ", ".join(flow(c) for c in terms) + "]")
        w("")
        for section, table in (("relations", self.relations), ("leverage", self.leverage),
                               ("wishes", self.wishes)):
            if table:
                w(f"{section}:")
                for a, row in table.items():
                    w(f"  {a}: {flow(row)}")
                w("")
        w("events:")
        for name, ev, conds, effects in self.events:
            w(f"  {name}:")
            for k, v in ev.items():
                w(f"    {k}: {v}")
            if conds:
                w("    requires: [" + ", ".join(flow(c) for c in conds) + "]")
            if effects:
                w("    effects: [" + ", ".join(flow(c) for c in effects) + "]")
        return "\n".join(out) + "\n"

    def summary(self):
        n = self.A * self.K
        s = dict.fromkeys(("conditions", "effects", "terms", "to_rung", "step", "min_rung", "max_rung"), 0)
        for actor in self.actors:
            for _, m, conds, effects, terms in actor[4]:
                s["conditions"] += len(conds)
                s["effects"] += len(effects)
                s["terms"] += len(terms)
                for k in ("to_rung", "step", "min_rung", "max_rung"):
                    s[k] += k in m
        per = {k: round(v / n, 2) for k, v in s.items()}
        reported = sum(1 for _, m in self.state if m.get("report") != "false")
        return (f"{self.A} actors x {self.K} actions = {n} actions; per action: "
                f"{per['conditions']} conditions, {per['effects']} effects, {per['terms']} utility terms, "
                f"to_rung {per['to_rung']}, step {per['step']}, min_rung {per['min_rung']}, max_rung {per['max_rung']}; "
                f"{len(self.state)} state variables ({reported} reported), {len(self.events)} events, "
                f"{len(self.params)} declared parameters, {len(self.end_states)} end states, "
                f"{sum(len(r) for r in self.relations.values())} relations, "
                f"{sum(len(r) for r in self.leverage.values())} leverage, "
                f"{sum(len(r) for r in self.wishes.values())} wishes")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See bench/README.md.")
    ap.add_argument("--actors", type=int, default=24, help="number of actors (>= 6, default 24)")
    ap.add_argument("--actions", type=int, default=20, help="actions per actor (>= 5, default 20)")
    ap.add_argument("--seed", type=int, default=8, help="seed of the synthetic numbers (default 8)")
    ap.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    ap.add_argument("--stats", action="store_true", help="print the realised proportions to stderr")
    args = ap.parse_args(argv)
    if args.actors < 6 or args.actions < 5:
        ap.error("need at least 6 actors and 5 actions per actor (the baseline's size)")
    sc = Scenario(args.actors, args.actions, args.seed)
    sc.build()
    text = sc.text()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    if args.stats:
        print(sc.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
