// PRIM scenario discovery (Friedman and Fisher 1999), peeling only, with Monte Carlo-aware
// coverage and density. Contracts are in include/geosim/study.h.
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "geosim/study.h"

namespace geosim::study {

namespace {

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

using Index = Eigen::Index;

// P(X >= hits), X hypergeometric: `draws` from a population of `pop` holding `good` successes.
double hypergeometric_sf(std::size_t hits, std::size_t draws, std::size_t good, std::size_t pop) {
  if (hits == 0) return 1.0;
  const std::size_t lowest = draws + good > pop ? draws + good - pop : 0;
  if (hits <= lowest) return 1.0;
  if (hits > std::min(good, draws)) return 0.0;
  const boost::math::hypergeometric_distribution<double> h(
      static_cast<unsigned>(good), static_cast<unsigned>(draws), static_cast<unsigned>(pop));
  return boost::math::cdf(boost::math::complement(h, static_cast<unsigned>(hits - 1)));
}

}  // namespace

PrimResult prim(const Eigen::MatrixXd& X, std::span<const double> y, double threshold,
                const PrimOptions& o, const std::vector<std::string>& names,
                std::span<const double> y_lo, std::span<const double> y_hi) {
  const auto n_all = static_cast<std::size_t>(X.rows());
  const auto k = static_cast<std::size_t>(X.cols());
  if (k == 0) fail("prim: X has no columns (factors)");
  if (y.size() != n_all)
    fail(fmt::format("prim: X has {} rows but {} outputs were given", n_all, y.size()));
  if (y_lo.empty() != y_hi.empty())
    fail("prim: give both y_lo and y_hi (the interval of each output) or neither");
  const bool bounds = !y_lo.empty();
  if (bounds && (y_lo.size() != n_all || y_hi.size() != n_all))
    fail(fmt::format("prim: y_lo and y_hi must have one value per row of X ({}), got {} and {}",
                     n_all, y_lo.size(), y_hi.size()));
  if (!names.empty() && names.size() != k)
    fail(fmt::format("prim: {} names given for {} factors", names.size(), k));
  if (!(o.peel_alpha > 0.0 && o.peel_alpha < 0.5))
    fail(fmt::format("prim: peel_alpha must be in (0, 0.5), got {}", o.peel_alpha));
  if (!(o.mass_min >= 0.0 && o.mass_min < 1.0))
    fail(fmt::format("prim: mass_min must be in [0, 1), got {}", o.mass_min));
  if (!std::isfinite(threshold)) fail("prim: the threshold must be a finite number");
  if (!bounds && o.peel_on != PrimOptions::Classify::estimate)
    fail("prim: peeling on the conservative or liberal classification needs y_lo and y_hi");
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < X.rows(); ++i)
      if (!std::isfinite(X(i, j)))
        fail(fmt::format("prim: X({}, {}) is not a finite number; PRIM needs every factor value", i,
                         j));

  PrimResult res;
  for (std::size_t j = 0; j < k; ++j)
    res.names.push_back(names.empty() ? fmt::format("x{}", j + 1) : names[j]);

  // Kept points and their classifications.
  auto over = [&](double v) { return o.above ? v > threshold : v < threshold; };
  std::vector<std::size_t> rows;
  std::vector<char> est, cons, lib;
  for (std::size_t i = 0; i < n_all; ++i) {
    if (std::isnan(y[i]) || (bounds && (std::isnan(y_lo[i]) || std::isnan(y_hi[i])))) {
      ++res.dropped;
      continue;
    }
    rows.push_back(i);
    est.push_back(over(y[i]) ? 1 : 0);
    if (bounds) {
      // Conservative: of interest at the unfavourable end of the interval.
      cons.push_back(over(o.above ? y_lo[i] : y_hi[i]) ? 1 : 0);
      lib.push_back(over(o.above ? y_hi[i] : y_lo[i]) ? 1 : 0);
    }
  }
  const std::size_t n = rows.size();
  res.n = n;
  if (n == 0) fail("prim: no point is left (every output is NaN)");
  const std::vector<char>& interest = o.peel_on == PrimOptions::Classify::estimate       ? est
                                      : o.peel_on == PrimOptions::Classify::conservative ? cons
                                                                                         : lib;
  auto count = [](const std::vector<char>& c) {
    return static_cast<std::size_t>(std::count(c.begin(), c.end(), 1));
  };
  res.n_interest = count(interest);
  const std::size_t tot_est = count(est);
  const std::size_t tot_cons = bounds ? count(cons) : 0;
  const std::size_t tot_lib = bounds ? count(lib) : 0;
  auto xv = [&](std::size_t t, std::size_t j) {
    return X(static_cast<Index>(rows[t]), static_cast<Index>(j));
  };

  res.initial_lo.assign(k, 0.0);
  res.initial_hi.assign(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    double lo = xv(0, j), hi = lo;
    for (std::size_t t = 1; t < n; ++t) {
      lo = std::min(lo, xv(t, j));
      hi = std::max(hi, xv(t, j));
    }
    res.initial_lo[j] = lo;
    res.initial_hi[j] = hi;
  }

  // Points in the box (indices into rows), and per factor the box's points sorted by value
  // (ties by index), compacted after each peel: a step costs O(k n_box), not a sort.
  std::vector<std::size_t> in(n);
  for (std::size_t t = 0; t < n; ++t) in[t] = t;
  std::vector<char> inside(n, 1);
  std::vector<std::vector<std::size_t>> sorted(k, in);
  for (std::size_t j = 0; j < k; ++j)
    std::stable_sort(sorted[j].begin(), sorted[j].end(),
                     [&](std::size_t a, std::size_t b) { return xv(a, j) < xv(b, j); });
  std::vector<double> lo = res.initial_lo, hi = res.initial_hi;
  const double nd = static_cast<double>(n);
  auto ratio = [](std::size_t a, std::size_t b) {
    return b == 0 ? kNaN : static_cast<double>(a) / static_cast<double>(b);
  };

  // Per restricted factor j, the points and points of interest in the box without limit j.
  std::vector<std::size_t> free_n(k), free_k(k);
  auto record = [&]() {
    PrimBox box;
    box.lo = lo;
    box.hi = hi;
    box.n_in = in.size();
    std::size_t ki = 0, ke = 0, kc = 0, kl = 0;
    for (std::size_t t : in) {
      ki += static_cast<std::size_t>(interest[t]);
      ke += static_cast<std::size_t>(est[t]);
      if (bounds) {
        kc += static_cast<std::size_t>(cons[t]);
        kl += static_cast<std::size_t>(lib[t]);
      }
    }
    box.n_interest = ki;
    box.mass = static_cast<double>(in.size()) / nd;
    box.coverage = ratio(ke, tot_est);
    box.density = ratio(ke, in.size());
    if (bounds) {
      box.coverage_conservative = ratio(kc, tot_cons);
      box.density_conservative = ratio(kc, in.size());
      box.coverage_liberal = ratio(kl, tot_lib);
      box.density_liberal = ratio(kl, in.size());
    }
    bool any = false;
    for (std::size_t j = 0; j < k; ++j)
      any = any || lo[j] != res.initial_lo[j] || hi[j] != res.initial_hi[j];
    if (any) {
      // The box without restriction j holds the box plus the points that violate only j.
      std::fill(free_n.begin(), free_n.end(), in.size());
      std::fill(free_k.begin(), free_k.end(), ki);
      for (std::size_t t = 0; t < n; ++t) {
        if (inside[t]) continue;
        std::size_t c = 0, w = 0;
        for (std::size_t f = 0; f < k && c < 2; ++f) {
          const double v = xv(t, f);
          if (v < lo[f] || v > hi[f]) {
            ++c;
            w = f;
          }
        }
        if (c == 1) {
          ++free_n[w];
          free_k[w] += static_cast<std::size_t>(interest[t]);
        }
      }
      for (std::size_t j = 0; j < k; ++j) {
        if (lo[j] == res.initial_lo[j] && hi[j] == res.initial_hi[j]) continue;
        box.restricted.push_back({j, res.names[j], lo[j], hi[j],
                                  hypergeometric_sf(ki, in.size(), free_k[j], free_n[j])});
      }
    }
    res.trajectory.push_back(std::move(box));
  };
  record();

  std::vector<std::size_t> prefix;
  while (true) {
    const std::size_t nb = in.size();
    std::size_t k_in = 0;
    for (std::size_t t : in) k_in += static_cast<std::size_t>(interest[t]);
    const double dens = static_cast<double>(k_in) / static_cast<double>(nb);
    const auto m = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::floor(o.peel_alpha * static_cast<double>(nb))));
    if (m >= nb) break;

    bool found = false;
    double best_obj = 0.0, best_dens = 0.0, best_limit = 0.0;
    std::size_t best_removed = 0, best_j = 0;
    bool best_upper = false;
    for (std::size_t j = 0; j < k; ++j) {
      const std::vector<std::size_t>& col = sorted[j];  // the nb box points, by value
      auto val = [&](std::size_t i) { return xv(col[i], j); };
      prefix.assign(nb + 1, 0);  // interest among the first i sorted
      for (std::size_t i = 0; i < nb; ++i)
        prefix[i + 1] = prefix[i] + static_cast<std::size_t>(interest[col[i]]);
      for (int side = 0; side < 2; ++side) {
        std::size_t removed, kept_interest;
        double limit;
        if (side == 0) {  // lower: drop values <= the m-th smallest
          const double cut = val(m - 1);
          std::size_t first_kept = m;
          while (first_kept < nb && val(first_kept) <= cut) ++first_kept;
          removed = first_kept;
          if (removed >= nb) continue;
          kept_interest = k_in - prefix[first_kept];
          limit = val(first_kept);
        } else {  // upper: drop values >= the m-th largest
          const double cut = val(nb - m);
          std::size_t first_removed = nb - m;
          while (first_removed > 0 && val(first_removed - 1) >= cut) --first_removed;
          removed = nb - first_removed;
          if (first_removed == 0) continue;
          kept_interest = prefix[first_removed];
          limit = val(first_removed - 1);
        }
        const std::size_t kept = nb - removed;
        if (static_cast<double>(kept) < o.mass_min * nd) continue;
        const double d_new = static_cast<double>(kept_interest) / static_cast<double>(kept);
        const double obj = o.objective == PrimOptions::Objective::original
                               ? d_new
                               : (d_new - dens) / (static_cast<double>(removed) / nd);
        if (!found || obj > best_obj || (obj == best_obj && removed < best_removed)) {
          found = true;
          best_obj = obj;
          best_dens = d_new;
          best_removed = removed;
          best_j = j;
          best_upper = side == 1;
          best_limit = limit;
        }
      }
    }
    if (!found || !(best_dens > dens)) break;
    auto out = [&](std::size_t t) {
      const double v = xv(t, best_j);
      return best_upper ? v > best_limit : v < best_limit;
    };
    for (std::size_t t : in)
      if (out(t)) inside[t] = 0;
    std::erase_if(in, out);
    if (in.size() == nb) break;  // cannot happen (a peel removes >= 1 point); never loop forever
    for (auto& col : sorted) std::erase_if(col, [&](std::size_t t) { return !inside[t]; });
    if (best_upper)
      hi[best_j] = best_limit;
    else
      lo[best_j] = best_limit;
    record();
  }
  return res;
}

std::size_t prim_select(const PrimResult& result, double min_density, PrimOptions::Classify by) {
  using C = PrimOptions::Classify;
  auto density = [&](const PrimBox& b) {
    return by == C::estimate       ? b.density
           : by == C::conservative ? b.density_conservative
                                   : b.density_liberal;
  };
  auto coverage = [&](const PrimBox& b) {
    return by == C::estimate       ? b.coverage
           : by == C::conservative ? b.coverage_conservative
                                   : b.coverage_liberal;
  };
  std::size_t best = result.trajectory.size();
  for (std::size_t s = 0; s < result.trajectory.size(); ++s) {
    const PrimBox& b = result.trajectory[s];
    if (!(density(b) >= min_density)) continue;
    if (best == result.trajectory.size() || coverage(b) > coverage(result.trajectory[best]))
      best = s;
  }
  return best;
}

}  // namespace geosim::study
