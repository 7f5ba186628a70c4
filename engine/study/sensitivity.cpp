// Sensitivity estimators: Sobol' first-order and total indices (Saltelli 2010, Jansen 1999) with
// Monte Carlo noise correction and bootstrap intervals; Morris mu, mu*, sigma; the Ishigami
// test function. Contracts are in include/geosim/study.h.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "geosim/rng.h"
#include "geosim/study.h"

namespace geosim::study {

namespace {

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }


// R's type-7 quantile of sorted values.
double quantile7(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Percentile interval of bootstrap values; NaNs are left out, and more than half NaN gives NaN.
Interval percentile_interval(std::vector<double> v, double level) {
  const std::size_t total = v.size();
  std::erase_if(v, [](double x) { return std::isnan(x); });
  if (v.empty() || 2 * v.size() < total) return {kNaN, kNaN};
  std::sort(v.begin(), v.end());
  return {quantile7(v, (1.0 - level) / 2.0), quantile7(v, (1.0 + level) / 2.0)};
}

void check_level(double level, const char* who) {
  if (!(level > 0.0 && level < 1.0))
    fail(fmt::format("{}: the confidence level must be in (0, 1), got {}", who, level));
}

// The outputs of the kept row groups, gathered contiguously.
struct SobolData {
  std::size_t k = 0, m = 0;
  bool noise = false;
  std::vector<double> a, b, sa2, sb2;  // [m]
  std::vector<double> ab, sab2;        // [i * m + row]
};

struct SobolPoint {
  std::vector<double> first, total;
  double v = kNaN, v_obs = kNaN, noise = 0.0;
};

// The estimators over rows `pick` (indices into the kept rows; all of them when empty).
void sobol_estimate(const SobolData& s, const std::vector<std::size_t>& pick, SobolPoint& out) {
  const std::size_t m = pick.empty() ? s.m : pick.size();
  auto row = [&](std::size_t t) { return pick.empty() ? t : pick[t]; };
  const double md = static_cast<double>(m);
  double sum = 0.0;
  for (std::size_t t = 0; t < m; ++t) sum += s.a[row(t)] + s.b[row(t)];
  const double c = sum / (2.0 * md);
  double ss = 0.0, noise = 0.0;
  for (std::size_t t = 0; t < m; ++t) {
    const double da = s.a[row(t)] - c, db = s.b[row(t)] - c;
    ss += da * da + db * db;
    if (s.noise) noise += s.sa2[row(t)] + s.sb2[row(t)];
  }
  out.v_obs = ss / (2.0 * md);
  out.noise = s.noise ? noise / (2.0 * md) : 0.0;
  out.v = out.v_obs - out.noise;
  out.first.assign(s.k, kNaN);
  out.total.assign(s.k, kNaN);
  if (!(out.v > 0.0) || !std::isfinite(out.v)) return;
  for (std::size_t i = 0; i < s.k; ++i) {
    const double* ab = s.ab.data() + i * s.m;
    const double* sab2 = s.noise ? s.sab2.data() + i * s.m : nullptr;
    double num1 = 0.0, numt = 0.0;
    for (std::size_t t = 0; t < m; ++t) {
      const std::size_t r = row(t);
      const double d = ab[r] - s.a[r];
      num1 += (s.b[r] - c) * d;
      numt += d * d;
      if (sab2 != nullptr) numt -= s.sa2[r] + sab2[r];
    }
    out.first[i] = num1 / md / out.v;
    out.total[i] = numt / md / (2.0 * out.v);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Sobol'

SobolIndices sobol_indices(const Design& design, std::span<const double> y,
                           std::span<const double> se, const SobolOptions& options) {
  if (design.kind != DesignKind::sobol_saltelli)
    fail(
        "sobol_indices: the design is not a Sobol'/Saltelli design (make it with "
        "sobol_saltelli)");
  const std::size_t k = design.k();
  const std::size_t n = design.base_n;
  if (n == 0 || design.points() != n * (k + 2))
    fail(
        fmt::format("sobol_indices: the design has {} points, but N = {} and k = {} need "
                    "N (k + 2) = {}",
                    design.points(), n, k, n * (k + 2)));
  if (y.size() != design.points())
    fail(fmt::format("sobol_indices: {} outputs given for a design of {} points", y.size(),
                     design.points()));
  if (!se.empty() && se.size() != y.size())
    fail(
        fmt::format("sobol_indices: {} standard errors given for {} outputs", se.size(), y.size()));
  check_level(options.level, "sobol_indices");

  SobolIndices res;
  res.names = design.names();
  res.base_n = n;
  res.bootstrap = options.bootstrap;
  res.level = options.level;
  res.noise_corrected = !se.empty() && options.correct_noise;

  SobolData s;
  s.k = k;
  s.noise = res.noise_corrected;
  std::vector<std::size_t> kept;
  for (std::size_t r = 0; r < n; ++r) {
    bool ok = true;
    for (std::size_t b = 0; b < k + 2 && ok; ++b) {
      const std::size_t at = b * n + r;
      if (std::isnan(y[at]) || (!se.empty() && std::isnan(se[at]))) ok = false;
    }
    if (ok) kept.push_back(r);
  }
  s.m = kept.size();
  res.used = s.m;
  res.dropped = n - s.m;
  res.first.assign(k, kNaN);
  res.total.assign(k, kNaN);
  res.first_ci.assign(k, Interval{kNaN, kNaN});
  res.total_ci.assign(k, Interval{kNaN, kNaN});
  if (s.m < 2) return res;

  auto sq = [&](std::size_t at) { return se.empty() ? 0.0 : se[at] * se[at]; };
  s.a.resize(s.m);
  s.b.resize(s.m);
  s.sa2.resize(s.m);
  s.sb2.resize(s.m);
  s.ab.resize(k * s.m);
  s.sab2.resize(k * s.m);
  for (std::size_t t = 0; t < s.m; ++t) {
    const std::size_t r = kept[t];
    s.a[t] = y[r];
    s.b[t] = y[n + r];
    s.sa2[t] = sq(r);
    s.sb2[t] = sq(n + r);
    for (std::size_t i = 0; i < k; ++i) {
      s.ab[i * s.m + t] = y[(2 + i) * n + r];
      s.sab2[i * s.m + t] = sq((2 + i) * n + r);
    }
  }

  SobolPoint est;
  sobol_estimate(s, {}, est);
  res.first = est.first;
  res.total = est.total;
  res.variance = est.v;
  res.variance_observed = est.v_obs;
  // The noise variance is reported whenever se is given, corrected or not.
  if (!se.empty()) {
    double noise = 0.0;
    for (std::size_t t = 0; t < s.m; ++t) noise += s.sa2[t] + s.sb2[t];
    res.noise_variance = noise / (2.0 * static_cast<double>(s.m));
  }
  res.noise_share = res.variance_observed > 0.0 ? res.noise_variance / res.variance_observed
                                                : (res.noise_variance > 0.0 ? 1.0 : 0.0);

  if (options.bootstrap > 0) {
    Rng rng(options.seed);
    std::vector<std::vector<double>> bf(k), bt(k);
    for (std::size_t i = 0; i < k; ++i) {
      bf[i].reserve(options.bootstrap);
      bt[i].reserve(options.bootstrap);
    }
    std::vector<std::size_t> pick(s.m);
    SobolPoint p;
    for (std::size_t b = 0; b < options.bootstrap; ++b) {
      for (auto& v : pick) v = static_cast<std::size_t>(uniform_below(rng, s.m));
      sobol_estimate(s, pick, p);
      for (std::size_t i = 0; i < k; ++i) {
        bf[i].push_back(p.first[i]);
        bt[i].push_back(p.total[i]);
      }
    }
    for (std::size_t i = 0; i < k; ++i) {
      res.first_ci[i] = percentile_interval(std::move(bf[i]), options.level);
      res.total_ci[i] = percentile_interval(std::move(bt[i]), options.level);
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Morris

MorrisIndices morris_indices(const Design& design, std::span<const double> y,
                             std::span<const double> se, const MorrisOptions& options) {
  if (design.kind != DesignKind::morris)
    fail("morris_indices: the design is not a Morris design (make it with morris)");
  const std::size_t k = design.k();
  const std::size_t rows = k + 1;
  const std::size_t r = design.trajectories;
  if (r == 0 || design.points() != r * rows)
    fail(
        fmt::format("morris_indices: the design has {} points, but r = {} trajectories of "
                    "k + 1 = {} points need {}",
                    design.points(), r, rows, r * rows));
  if (y.size() != design.points())
    fail(fmt::format("morris_indices: {} outputs given for a design of {} points", y.size(),
                     design.points()));
  if (!se.empty() && se.size() != y.size())
    fail(fmt::format("morris_indices: {} standard errors given for {} outputs", se.size(),
                     y.size()));
  check_level(options.level, "morris_indices");
  const double delta = design.morris_delta;

  MorrisIndices res;
  res.names = design.names();
  res.bootstrap = options.bootstrap;
  res.level = options.level;
  std::vector<std::vector<double>> ee(k);
  std::vector<double> noise2(k, 0.0);
  for (std::size_t t = 0; t < r; ++t) {
    for (std::size_t m = 1; m < rows; ++m) {
      const auto r1 = static_cast<Eigen::Index>(t * rows + m);
      const Eigen::Index r0 = r1 - 1;
      std::size_t changed = k;
      double du = 0.0;
      for (std::size_t j = 0; j < k; ++j) {
        const double d = design.unit(r1, static_cast<Eigen::Index>(j)) -
                         design.unit(r0, static_cast<Eigen::Index>(j));
        if (std::abs(d) > 1e-12) {
          if (changed != k)
            fail(fmt::format("morris_indices: trajectory {} step {} changes more than one factor",
                             t, m));
          changed = j;
          du = d;
        }
      }
      if (changed == k || std::abs(std::abs(du) - delta) > 1e-9)
        fail(
            fmt::format("morris_indices: trajectory {} step {} does not change one factor by "
                        "+-delta = {}",
                        t, m, delta));
      const std::size_t a = t * rows + m - 1, b = t * rows + m;
      if (std::isnan(y[a]) || std::isnan(y[b])) {
        ++res.dropped;
        continue;
      }
      ee[changed].push_back((y[b] - y[a]) / du);
      if (!se.empty()) {
        const double s2 = se[a] * se[a] + se[b] * se[b];
        noise2[changed] += std::isnan(s2) ? 0.0 : s2;
      }
    }
  }

  Rng rng(options.seed);
  for (std::size_t j = 0; j < k; ++j) {
    const auto& e = ee[j];
    const std::size_t n = e.size();
    res.effects.push_back(n);
    double mu = kNaN, mu_star = kNaN, sigma = kNaN, nsd = 0.0;
    Interval ci{kNaN, kNaN};
    if (n > 0) {
      double s = 0.0, sa = 0.0;
      for (double v : e) {
        s += v;
        sa += std::abs(v);
      }
      mu = s / static_cast<double>(n);
      mu_star = sa / static_cast<double>(n);
      if (n > 1) {
        double ss = 0.0;
        for (double v : e) ss += (v - mu) * (v - mu);
        sigma = std::sqrt(ss / static_cast<double>(n - 1));
      }
      if (!se.empty()) nsd = std::sqrt(noise2[j] / static_cast<double>(n)) / delta;
      if (options.bootstrap > 0) {
        std::vector<double> boot;
        boot.reserve(options.bootstrap);
        for (std::size_t b = 0; b < options.bootstrap; ++b) {
          double acc = 0.0;
          for (std::size_t t = 0; t < n; ++t) acc += std::abs(e[uniform_below(rng, n)]);
          boot.push_back(acc / static_cast<double>(n));
        }
        ci = percentile_interval(std::move(boot), options.level);
      }
    }
    res.mu.push_back(mu);
    res.mu_star.push_back(mu_star);
    res.sigma.push_back(sigma);
    res.mu_star_ci.push_back(ci);
    res.noise_sd.push_back(nsd);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Ishigami

double ishigami(double x1, double x2, double x3, double a, double b) {
  const double s2 = std::sin(x2);
  const double x3sq = x3 * x3;
  return std::sin(x1) * (1.0 + b * x3sq * x3sq) + a * s2 * s2;
}

std::vector<Factor> ishigami_factors() {
  constexpr double pi = std::numbers::pi;
  return {Factor::uniform("x1", -pi, pi), Factor::uniform("x2", -pi, pi),
          Factor::uniform("x3", -pi, pi)};
}

IshigamiReference ishigami_reference(double a, double b) {
  constexpr double pi = std::numbers::pi;
  const double pi4 = pi * pi * pi * pi;
  const double pi8 = pi4 * pi4;
  const double v1 = 0.5 * (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0);
  const double v2 = a * a / 8.0;
  const double v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
  const double v = v1 + v2 + v13;
  return {v, {v1 / v, v2 / v, 0.0}, {(v1 + v13) / v, v2 / v, v13 / v}};
}

}  // namespace geosim::study
