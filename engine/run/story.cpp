// One run told in words. Model indices map one-to-one onto the Scenario's lists (compile keeps
// declaration order), so names, labels and sources come from the Scenario.
#include "geosim/story.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "run/readable.h"

namespace geosim {

Story tell_story(const Model& model, std::uint64_t master_seed, std::uint64_t run_index) {
  Story s;
  s.master_seed = master_seed;
  s.run_index = run_index;
  s.result = RunResult::for_model(model);
  Workspace ws(model);
  simulate_run(model, master_seed, run_index, ws, s.result, &s.trace);
  return s;
}

std::optional<std::uint64_t> find_run(const Model& model, std::uint64_t master_seed,
                                      const std::string& outcome, std::uint64_t max_runs) {
  const auto& ends = model.names.end_states;
  const auto& rungs = model.names.rungs;
  // "end:NAME" or "rung:NAME" says which is meant when an end state and a rung share a name;
  // a bare name is an end state if there is one of that name, else a rung.
  std::string name = outcome;
  bool ends_only = false, rungs_only = false;
  if (name.rfind("end:", 0) == 0) {
    ends_only = true;
    name = name.substr(4);
  } else if (name.rfind("rung:", 0) == 0) {
    rungs_only = true;
    name = name.substr(5);
  }
  std::int32_t end = -2, rung = -1;
  if (!rungs_only) {
    if (name == "ongoing") end = -1;
    for (std::size_t i = 0; i < ends.size(); ++i)
      if (ends[i] == name) end = static_cast<std::int32_t>(i);
  }
  if (!ends_only && end == -2)
    for (std::size_t i = 0; i < rungs.size(); ++i)
      if (rungs[i] == name) rung = static_cast<std::int32_t>(i);
  if (end == -2 && rung == -1) {
    const auto has = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    // The name is there, but of the other kind than the prefix says.
    if (ends_only && has(rungs, name))
      throw std::invalid_argument(fmt::format(
          "'{}' is a rung of the ladder, not an end state, in scenario {}: use 'rung:{}' (or the bare "
          "name)", name, model.names.scenario, name));
    if (rungs_only && (has(ends, name) || name == "ongoing"))
      throw std::invalid_argument(fmt::format(
          "'{}' is an end state, not a rung, in scenario {}: use 'end:{}' (or the bare name)", name,
          model.names.scenario, name));
    std::vector<std::string> end_names = ends;
    end_names.push_back("ongoing");
    std::vector<std::string> all;
    if (!rungs_only) all.insert(all.end(), end_names.begin(), end_names.end());
    if (!ends_only) all.insert(all.end(), rungs.begin(), rungs.end());
    const std::string hint = did_you_mean(name, all);
    throw std::invalid_argument(fmt::format(
        "no {} '{}' in scenario {}{}; end states: {}; rungs: {} (a name that is both means the end "
        "state; 'end:NAME' or 'rung:NAME' says which)",
        ends_only ? "end state" : rungs_only ? "rung" : "outcome", name, model.names.scenario,
        hint.empty() ? "" : " (" + hint + ")", fmt::join(end_names, ", "), fmt::join(rungs, ", ")));
  }
  Workspace ws(model);
  RunResult r = RunResult::for_model(model);
  for (std::uint64_t run = 0; run < max_runs; ++run) {
    simulate_run(model, master_seed, run, ws, r);
    if (end != -2 ? r.end_state == end : r.highest_rung >= rung) return run;
  }
  return std::nullopt;
}

namespace {

// " (YYYY-MM-DD)" for a scenario with a start date, else "".
std::string dated(const Scenario& s, int tick);

std::string date_of(const Scenario& s, int tick) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(s.start_date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return {};
  using namespace std::chrono;
  const year_month_day start{year{y}, month{m}, day{d}};
  if (!start.ok()) return {};
  const year_month_day when{sys_days{start} + days{tick * s.tick_days}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(when.year()),
                     static_cast<unsigned>(when.month()), static_cast<unsigned>(when.day()));
}

std::string dated(const Scenario& s, int tick) {
  const std::string date = date_of(s, tick);
  return date.empty() ? std::string() : " (" + date + ")";
}

template <class T>
std::string label_of(const T& x) {
  return x.label.empty() ? x.name : x.label;
}

// A rung's short name: its label up to the first ':' ("Combat engagement: DPRK troops fight in
// Kursk" -> "Combat engagement").
std::string rung_name(const Rung& r) {
  const std::string l = label_of(r);
  const auto colon = l.find(':');
  return colon == std::string::npos ? l : l.substr(0, colon);
}

// Where a number comes from, in words: "article 003" or "assumed".
std::string source_of(const Scenario& s, ParamIndex p) {
  const Parameter& par = s.parameters[static_cast<std::size_t>(p)];
  if (par.source) return "article " + par.source->file.substr(0, 3);
  return "assumed";
}

// The same as a tag: "[article 003]" or "[assumed]".
std::string cite(const Scenario& s, ParamIndex p) {
  if (p < 0) return {};
  return fmt::format("[{}]", source_of(s, p));
}

// 1234567.8 -> "1,234,568"; small and fractional numbers keep 3 significant digits.
std::string number(double x) {
  if (std::abs(x) >= 1000 && std::abs(x) < 1e15) return detail::readable(x, 15);  // every digit
  if (x == std::floor(x)) return fmt::format("{:.0f}", x);
  return fmt::format("{:.3g}", x);
}

std::string percent(double p) {
  if (p < 0.01) return "under 1%";
  if (p > 0.99 && p < 1.0) return "over 99%";
  return fmt::format("{:.0f}%", 100 * p);
}

// A value with its unit, or yes/no for a flag.
std::string with_unit(double x, const std::string& unit) {
  if (unit == "flag" || unit.rfind("flag ", 0) == 0) return x != 0 ? "yes" : "no";
  return unit.empty() ? number(x) : number(x) + " " + unit;
}

struct Term {
  std::string words;
  double value;
  std::string why;
};

// The source tags of a leverage product: the leverage entry's, then the wish's, in one bracket
// ("[article 004; assumed]").
std::string cite_leverage(const Scenario& s, const DecisionRecord::LeveragePart& part) {
  return fmt::format("[{}; {}]", source_of(s, part.leverage), source_of(s, part.wish));
}

// The scenario's side of the chosen action's state term q: its label (or variable) and weight.
const UtilityTerm& state_term(const Scenario& s, const Model& m, const DecisionRecord& d,
                              std::size_t q) {
  const auto& actor = m.actors[static_cast<std::size_t>(d.actor)];
  const auto& sact = s.actors[static_cast<std::size_t>(d.actor)]
                         .actions[static_cast<std::size_t>(d.action - actor.action_begin)];
  return sact.utility[q];
}

// The utility terms of a decision, largest in size first, each said in words that fit its sign
// and tagged with the source of its parameter: the state terms one by one, the leverage one
// partner at a time.
std::vector<Term> terms_of(const Scenario& s, const Model& m, const DecisionRecord& d) {
  const auto& act = m.actions[static_cast<std::size_t>(d.action)];
  const auto& actor = m.actors[static_cast<std::size_t>(d.actor)];
  auto pick = [](double v, const char* plus, const char* minus) { return v >= 0 ? plus : minus; };
  std::vector<Term> t = {
      {pick(d.u_gain, "what it gains by it", "what it loses by it"), d.u_gain, cite(s, act.gain)},
      {"what it costs", d.u_cost, cite(s, act.cost)},
      {pick(d.u_resolve, "its resolve to escalate", "its reluctance to back down"), d.u_resolve,
       cite(s, actor.resolve)},
      {pick(d.u_danger, "relief at stepping down the ladder", "fear of the rung it leads to"),
       d.u_danger, cite(s, actor.risk_tolerance)},
  };
  // Whose wishes weigh on this choice, and which way: one term per partner with leverage.
  for (const auto& part : d.u_leverage_parts)
    t.push_back({fmt::format("{}the leverage and wishes of {}",
                             pick(part.value, "", "pressure from "),
                             label_of(s.actors[static_cast<std::size_t>(part.partner)])),
                 part.value, cite_leverage(s, part)});
  t.push_back({pick(d.u_reciprocity, "answering last week's hostile escalation",
                    "not backing down after last week's hostile escalation"),
               d.u_reciprocity, cite(s, actor.reciprocity)});
  // The state of the world: each term of the action's `utility:` on its own.
  for (std::size_t q = 0; q < d.u_terms.size(); ++q) {
    const auto& ut = state_term(s, m, d, q);
    t.push_back({ut.label.empty() ? ut.var : ut.label, d.u_terms[q],
                 cite(s, m.utility_terms[static_cast<std::size_t>(act.term_begin) + q].weight)});
  }
  std::erase_if(t, [](const Term& x) { return std::abs(x.value) < 1e-9; });
  std::stable_sort(t.begin(), t.end(),
                   [](const Term& a, const Term& b) { return std::abs(a.value) > std::abs(b.value); });
  return t;
}

const Action& action_of(const Scenario& s, const Model& m, std::int32_t a) {
  const auto& act = m.actions[static_cast<std::size_t>(a)];
  const auto& actor = m.actors[static_cast<std::size_t>(act.owner)];
  return s.actors[static_cast<std::size_t>(act.owner)]
      .actions[static_cast<std::size_t>(a - actor.action_begin)];
}

}  // namespace

std::string story_to_text(const Scenario& s, const Model& m, const Story& st) {
  std::string out = fmt::format("{}: run {} of seed {}\n", s.title.empty() ? s.name : s.title,
                                st.run_index, st.master_seed);
  if (!s.question.empty()) out += s.question + "\n";
  out += "\nThe beliefs this world drew (sampled once for the whole run):\n";
  bool any = false;
  for (std::size_t i = 0; i < s.parameters.size(); ++i) {
    const auto& p = s.parameters[i];
    if (p.dist.kind == DistKind::constant) continue;
    any = true;
    out += fmt::format("  {} = {} (drawn from a {} distribution)", p.name,
                       with_unit(st.trace.params[i], p.unit), to_string(p.dist.kind));
    if (p.source) out += fmt::format("\n      source {}: \"{}\"", p.source->file, p.source->quote);
    else if (!p.assumption.empty()) out += fmt::format("\n      assumption: {}", p.assumption);
    out += "\n";
  }
  if (!any) out += "  (none: every parameter is a fixed number)\n";

  const char* tick_word = s.tick_days == 7 ? "Week" : s.tick_days == 1 ? "Day" : "Tick";
  const char* ticks = s.tick_days == 7 ? "weeks" : s.tick_days == 1 ? "days" : "ticks";
  out += fmt::format(
      "\nHow to read the {}: an actor is named only when it changes what it does (otherwise it "
      "goes on doing what it last chose); steady flows are not told. After a choice, 'for it' and "
      "'against it' give the largest terms of its utility (up to three), each with where its number "
      "comes from: [article NNN] an article, [assumed] a judgement stated in the scenario file; a "
      "partner's wishes cite [the leverage's source; the wish's source].\n",
      ticks);
  out += fmt::format("\n{} 0{}: the ladder stands at {}.\n", tick_word, dated(s, 0),
                     label_of(s.rungs[static_cast<std::size_t>(m.start_rung)]));
  std::vector<std::int32_t> previous(static_cast<std::size_t>(m.n_actors()), -1);
  std::size_t di = 0, ei = 0, ri = 0;
  const int last_tick = st.result.end_tick;
  for (int tick = 1; tick <= last_tick; ++tick) {
    std::string lines;
    for (; di < st.trace.decisions.size() && st.trace.decisions[di].tick == tick; ++di) {
      const auto& d = st.trace.decisions[di];
      auto& prev = previous[static_cast<std::size_t>(d.actor)];
      if (prev == d.action) continue;  // only changes of course are told
      prev = d.action;
      const auto& actor = s.actors[static_cast<std::size_t>(d.actor)];
      const auto& act = action_of(s, m, d.action);
      lines += fmt::format("  {} chose to {} ({} likely among {} options", label_of(actor),
                           act.label.empty() ? act.name : act.label, percent(d.probability),
                           d.n_available);
      // The (up to) three largest terms, those for the choice apart from those against it.
      const auto terms = terms_of(s, m, d);
      std::string pro, con;
      for (std::size_t k = 0; k < terms.size() && k < 3; ++k) {
        std::string& side = terms[k].value >= 0 ? pro : con;
        side += fmt::format("{}{} ({:+.2f}){}", side.empty() ? "" : ", ", terms[k].words,
                            terms[k].value, terms[k].why.empty() ? "" : " " + terms[k].why);
      }
      if (!pro.empty()) lines += "; for it: " + pro;
      if (!con.empty()) lines += "; against it: " + con;
      lines += ").\n";
    }
    for (; ei < st.trace.events.size() && st.trace.events[ei].tick == tick; ++ei) {
      const auto& e = st.trace.events[ei];
      const auto& ev = s.events[static_cast<std::size_t>(e.event)];
      if (ev.kind == Event::Kind::flow) continue;  // steady flows are reported as indicators
      if (ev.kind == Event::Kind::poisson) {
        // The count is in the unit of the first variable it adds to (e.g. soldiers).
        std::string unit;
        for (const auto& eff : ev.effects)
          for (const auto& v : s.state)
            if (unit.empty() && v.name == eff.var && eff.op == EffectOp::add) unit = v.unit;
        lines += fmt::format("  Event: {}: {}.\n", label_of(ev), with_unit(e.count, unit));
      } else
        lines += fmt::format("  Event: {}.\n", label_of(ev));
    }
    for (; ri < st.trace.rung_changes.size() && st.trace.rung_changes[ri].tick == tick; ++ri) {
      const auto& r = st.trace.rung_changes[ri];
      lines += fmt::format("  The ladder moves {} from {} to {}.\n", r.to > r.from ? "up" : "down",
                           rung_name(s.rungs[static_cast<std::size_t>(r.from)]),
                           rung_name(s.rungs[static_cast<std::size_t>(r.to)]));
    }
    if (!lines.empty()) out += fmt::format("{} {}{}:\n{}", tick_word, tick, dated(s, tick), lines);
  }
  if (st.result.end_state >= 0) {
    const auto& e = s.end_states[static_cast<std::size_t>(st.result.end_state)];
    const auto& ce = m.end_states[static_cast<std::size_t>(st.result.end_state)];
    // Why it ended: the trigger that held, and the chance it had each week it held.
    std::string why;
    switch (e.kind) {
      case EndState::Kind::rung: why = "the ladder reached " + e.rung; break;
      case EndState::Kind::any_chosen:
      case EndState::Kind::all_chosen: {
        std::string list;
        for (std::size_t q = 0; q < e.actions.size(); ++q)
          list += (q == 0 ? "" : (q + 1 == e.actions.size() ? (e.kind == EndState::Kind::all_chosen ? " and " : " or ") : ", ")) + e.actions[q];
        why = (e.kind == EndState::Kind::all_chosen ? "all of " : "one of ") + list + " chosen in the same " +
              (s.tick_days == 7 ? "week" : "tick");
        break;
      }
      case EndState::Kind::state: {
        static const char* ops[] = {"<", "<=", ">", ">=", "=", "!="};
        for (std::size_t q = 0; q < e.conditions.size(); ++q) {
          const auto& c = e.conditions[q];
          const double v = st.trace.params[static_cast<std::size_t>(m.conditions[static_cast<std::size_t>(ce.cond_begin) + q].value)];
          std::string var_label = c.var;
          for (const auto& sv : s.state)
            if (sv.name == c.var && !sv.label.empty()) var_label = sv.label;
          why += fmt::format("{}{} {} {}", q ? " and " : "", var_label, ops[static_cast<int>(c.op)], number(v));
        }
        break;
      }
    }
    const double chance = st.trace.params[static_cast<std::size_t>(ce.probability)];
    out += fmt::format("\nThe run ends in {} {}{}: {}.\n  Why: {}{}.\n", tick_word, st.result.end_tick,
                       dated(s, st.result.end_tick), label_of(e), why,
                       chance < 1.0 ? fmt::format(", and the {} chance that this ends the crisis in a given {} came up",
                                                  percent(chance), s.tick_days == 7 ? "week" : "tick")
                                    : std::string{});
  } else {
    const std::string date = date_of(s, m.horizon);
    out += fmt::format("\nNo end state by the horizon ({} {}{}): the crisis is still going.\n", tick_word,
                       m.horizon, date.empty() ? "" : ", " + date);
  }
  out += fmt::format("Highest rung reached: {}.\n",
                     label_of(s.rungs[static_cast<std::size_t>(st.result.highest_rung)]));
  out += "Indicators at the end:\n";
  for (std::int32_t i = 0; i < m.n_indicators(); ++i) {
    const auto& name = m.names.indicators[static_cast<std::size_t>(i)];
    std::string label = name;
    for (const auto& sv : s.state)
      if (sv.name == name && !sv.label.empty()) label = sv.label;
    out += fmt::format("  {:<48} {}\n", label,
                       with_unit(st.result.indicator(m, i, m.horizon), m.names.indicator_units[static_cast<std::size_t>(i)]));
  }
  return out;
}

std::string story_to_json(const Scenario& s, const Model& m, const Story& st) {
  nlohmann::ordered_json j;
  j["format"] = "geosim-story/1";
  j["scenario"] = s.name;
  j["master_seed"] = st.master_seed;
  j["run_index"] = st.run_index;
  j["end_state"] = st.result.end_state >= 0
                       ? m.names.end_states[static_cast<std::size_t>(st.result.end_state)]
                       : std::string("ongoing");
  j["end_tick"] = st.result.end_tick;
  j["highest_rung"] = m.names.rungs[static_cast<std::size_t>(st.result.highest_rung)];
  auto& params = j["parameters"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < s.parameters.size(); ++i) {
    const auto& p = s.parameters[i];
    nlohmann::ordered_json o{{"name", p.name}, {"value", st.trace.params[i]}, {"unit", p.unit},
                             {"distribution", to_string(p.dist.kind)}};
    if (p.source) o["source"] = {{"file", p.source->file}, {"quote", p.source->quote}};
    else if (!p.assumption.empty()) o["assumption"] = p.assumption;
    params.push_back(o);
  }
  auto& decisions = j["decisions"] = nlohmann::ordered_json::array();
  for (const auto& d : st.trace.decisions) {
    decisions.push_back({{"tick", d.tick},
                         {"date", date_of(s, d.tick)},
                         {"actor", m.names.actors[static_cast<std::size_t>(d.actor)]},
                         {"action", m.names.actions[static_cast<std::size_t>(d.action)]},
                         {"probability", d.probability},
                         {"options", d.n_available},
                         {"utility",
                          {{"gain", d.u_gain},
                           {"cost", d.u_cost},
                           {"resolve", d.u_resolve},
                           {"danger", d.u_danger},
                           {"leverage", d.u_leverage},
                           {"reciprocity", d.u_reciprocity},
                           {"state", d.u_state},
                           {"total", d.u_total}}}});
    // The state and leverage terms one by one, each with the parameters it comes from.
    auto& state_terms = decisions.back()["state_terms"] = nlohmann::ordered_json::array();
    const auto& act = m.actions[static_cast<std::size_t>(d.action)];
    for (std::size_t q = 0; q < d.u_terms.size(); ++q) {
      const auto& ut = state_term(s, m, d, q);
      const ParamIndex w = m.utility_terms[static_cast<std::size_t>(act.term_begin) + q].weight;
      state_terms.push_back({{"var", ut.var},
                             {"label", ut.label},
                             {"weight", s.parameters[static_cast<std::size_t>(w)].name},
                             {"value", d.u_terms[q]},
                             {"cite", cite(s, w)}});
    }
    auto& leverage_terms = decisions.back()["leverage_terms"] = nlohmann::ordered_json::array();
    for (const auto& part : d.u_leverage_parts)
      leverage_terms.push_back(
          {{"partner", m.names.actors[static_cast<std::size_t>(part.partner)]},
           {"leverage", s.parameters[static_cast<std::size_t>(part.leverage)].name},
           {"wish", s.parameters[static_cast<std::size_t>(part.wish)].name},
           {"value", part.value},
           {"cite", cite_leverage(s, part)}});
  }
  auto& events = j["events"] = nlohmann::ordered_json::array();
  for (const auto& e : st.trace.events)
    events.push_back({{"tick", e.tick},
                      {"event", m.names.events[static_cast<std::size_t>(e.event)]},
                      {"count", e.count}});
  auto& rungs = j["rung_changes"] = nlohmann::ordered_json::array();
  for (const auto& r : st.trace.rung_changes)
    rungs.push_back({{"tick", r.tick},
                     {"from", m.names.rungs[static_cast<std::size_t>(r.from)]},
                     {"to", m.names.rungs[static_cast<std::size_t>(r.to)]}});
  auto& inds = j["indicators"] = nlohmann::ordered_json::object();
  for (std::int32_t i = 0; i < m.n_indicators(); ++i) {
    auto arr = nlohmann::ordered_json::array();
    for (int t = 0; t <= m.horizon; ++t) arr.push_back(st.result.indicator(m, i, t));
    inds[m.names.indicators[static_cast<std::size_t>(i)]] = arr;
  }
  return j.dump(1) + "\n";
}

}  // namespace geosim
