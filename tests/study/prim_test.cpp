// Tests for PRIM scenario discovery (include/geosim/study.h) on synthetic data with a planted
// box, whose coverage and density are known from the construction:
//   5 factors uniform on [0, 1]; inside x2 in [0.2, 0.5] and x4 in [0.6, 0.9] (the 2nd and 4th
//   factors; volume 0.09) a point is of interest with probability 0.9, elsewhere 0.05.
//   P(interest) = 0.09 * 0.9 + 0.91 * 0.05 = 0.1265, so the planted box itself has density 0.9
//   and coverage 0.081 / 0.1265 = 0.640.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "geosim/rng.h"
#include "geosim/stats.h"
#include "geosim/study.h"

namespace {

using geosim::study::PrimBox;
using geosim::study::PrimOptions;
using geosim::study::PrimResult;

constexpr double kLo2 = 0.2, kHi2 = 0.5, kLo4 = 0.6, kHi4 = 0.9;

struct Planted {
  Eigen::MatrixXd x;
  std::vector<double> p;  // true probability of interest per point
};

Planted planted(std::size_t n, std::uint64_t seed) {
  geosim::Rng rng(seed);
  Planted d;
  d.x.resize(static_cast<Eigen::Index>(n), 5);
  d.p.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    for (Eigen::Index j = 0; j < 5; ++j) d.x(r, j) = rng.uniform01();
    const bool in =
        d.x(r, 1) >= kLo2 && d.x(r, 1) <= kHi2 && d.x(r, 3) >= kLo4 && d.x(r, 3) <= kHi4;
    d.p[i] = in ? 0.9 : 0.05;
  }
  return d;
}

std::vector<double> bernoulli(const std::vector<double>& p, std::uint64_t seed) {
  geosim::Rng rng(seed);
  std::vector<double> y(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) y[i] = rng.uniform01() < p[i] ? 1.0 : 0.0;
  return y;
}

const geosim::study::BoxLimit* limit_of(const PrimBox& b, std::size_t factor) {
  for (const auto& l : b.restricted)
    if (l.factor == factor) return &l;
  return nullptr;
}

// Checks the box found against the planted one. Tolerances: with n = 10000 points a peel moves a
// limit by a few hundredths at most near the edge (alpha = 5% of ~1000 points in a 0.3 slab),
// and a box edge cut 0.03 inside loses ~10% of the planted mass. Coverage and density bounds
// depend on how the points of interest were drawn, so the caller gives them.
void expect_planted_box(const PrimBox& b, double tol, double cov_lo, double cov_hi, double dens_lo,
                        double dens_hi) {
  const auto* l2 = limit_of(b, 1);
  const auto* l4 = limit_of(b, 3);
  ASSERT_NE(l2, nullptr) << "x2 must be restricted";
  ASSERT_NE(l4, nullptr) << "x4 must be restricted";
  EXPECT_NEAR(l2->lo, kLo2, tol);
  EXPECT_NEAR(l2->hi, kHi2, tol);
  EXPECT_NEAR(l4->lo, kLo4, tol);
  EXPECT_NEAR(l4->hi, kHi4, tol);
  EXPECT_LT(l2->quasi_p, 1e-10);
  EXPECT_LT(l4->quasi_p, 1e-10);
  // The irrelevant factors keep at least 85% of their range.
  for (std::size_t j : {0u, 2u, 4u}) EXPECT_GE(b.hi[j] - b.lo[j], 0.85) << "x" << j + 1;
  EXPECT_GE(b.density, dens_lo);
  EXPECT_LE(b.density, dens_hi);
  EXPECT_GE(b.coverage, cov_lo);
  EXPECT_LE(b.coverage, cov_hi);
}

TEST(Prim, FindsThePlantedBoxAndLeavesIrrelevantFactorsAlone) {
  const Planted d = planted(10000, 1);
  const std::vector<double> y = bernoulli(d.p, 2);
  const PrimResult r = geosim::study::prim(d.x, y, 0.5);
  ASSERT_GT(r.trajectory.size(), 2u);
  EXPECT_EQ(r.n, 10000u);
  EXPECT_EQ(r.dropped, 0u);
  // Expected number of points of interest: 0.1265 n = 1265 (binomial SD ~ 33).
  EXPECT_NEAR(static_cast<double>(r.n_interest), 1265.0, 130.0);
  const std::size_t pick = geosim::study::prim_select(r, 0.85);
  ASSERT_LT(pick, r.trajectory.size()) << "some box must reach density 0.85";
  // The planted box has density 0.9 and coverage 0.64.
  expect_planted_box(r.trajectory[pick], 0.03, 0.55, 0.72, 0.85, 0.96);
  EXPECT_EQ(r.names[1], "x2");
}

TEST(Prim, TrajectoryStartsWithEverythingAndLosesCoverageAsDensityRises) {
  const Planted d = planted(4000, 5);
  const std::vector<double> y = bernoulli(d.p, 6);
  PrimOptions o;
  o.mass_min = 0.05;
  const PrimResult r = geosim::study::prim(d.x, y, 0.5, o);
  const PrimBox& first = r.trajectory.front();
  EXPECT_EQ(first.mass, 1.0);
  EXPECT_EQ(first.coverage, 1.0);
  EXPECT_TRUE(first.restricted.empty());
  for (std::size_t s = 1; s < r.trajectory.size(); ++s) {
    const PrimBox& a = r.trajectory[s - 1];
    const PrimBox& b = r.trajectory[s];
    EXPECT_LT(b.mass, a.mass);
    EXPECT_LE(b.coverage, a.coverage);
    EXPECT_GT(b.density, a.density) << "each peel raises density";
    EXPECT_GE(b.mass, o.mass_min);
    // Each peel removes about alpha of the box (more only with ties, which uniform data lacks).
    EXPECT_NEAR(static_cast<double>(b.n_in),
                static_cast<double>(a.n_in) - std::floor(0.05 * static_cast<double>(a.n_in)), 0.5);
  }
  // prim_select picks the first box meeting the density, i.e. the one with most coverage.
  const std::size_t pick = geosim::study::prim_select(r, 0.6);
  ASSERT_LT(pick, r.trajectory.size());
  EXPECT_GE(r.trajectory[pick].density, 0.6);
  if (pick > 0) {
    EXPECT_LT(r.trajectory[pick - 1].density, 0.6);
  }
  EXPECT_EQ(geosim::study::prim_select(r, 1.01), r.trajectory.size());
}

TEST(Prim, CountsInTheBoxAgreeWithABruteForceRecount) {
  const Planted d = planted(3000, 9);
  const std::vector<double> y = bernoulli(d.p, 10);
  const PrimResult r = geosim::study::prim(d.x, y, 0.5);
  std::size_t total = 0;
  for (double v : y) total += v > 0.5;
  for (const PrimBox& b : r.trajectory) {
    std::size_t in = 0, hit = 0;
    for (Eigen::Index i = 0; i < d.x.rows(); ++i) {
      bool inside = true;
      for (Eigen::Index j = 0; j < 5; ++j)
        inside = inside && d.x(i, j) >= b.lo[static_cast<std::size_t>(j)] &&
                 d.x(i, j) <= b.hi[static_cast<std::size_t>(j)];
      if (inside) {
        ++in;
        hit += y[static_cast<std::size_t>(i)] > 0.5;
      }
    }
    EXPECT_EQ(b.n_in, in);
    EXPECT_EQ(b.n_interest, hit);
    // Quasi-p of each restriction: the box without that limit, and a hypergeometric tail
    // summed from log-binomials.
    for (const auto& l : b.restricted) {
      std::size_t n_free = 0, k_free = 0;
      for (Eigen::Index i = 0; i < d.x.rows(); ++i) {
        bool inside = true;
        for (Eigen::Index j = 0; j < 5; ++j)
          if (static_cast<std::size_t>(j) != l.factor)
            inside = inside && d.x(i, j) >= b.lo[static_cast<std::size_t>(j)] &&
                     d.x(i, j) <= b.hi[static_cast<std::size_t>(j)];
        if (inside) {
          ++n_free;
          k_free += y[static_cast<std::size_t>(i)] > 0.5;
        }
      }
      auto lchoose = [](double a, double c) {
        return std::lgamma(a + 1) - std::lgamma(c + 1) - std::lgamma(a - c + 1);
      };
      double tail = 0.0;
      for (std::size_t x = hit; x <= std::min(k_free, in); ++x) {
        if (in - x > n_free - k_free) continue;
        tail += std::exp(lchoose(double(k_free), double(x)) +
                         lchoose(double(n_free - k_free), double(in - x)) -
                         lchoose(double(n_free), double(in)));
      }
      EXPECT_NEAR(l.quasi_p, std::min(tail, 1.0), 1e-9 + 1e-6 * tail) << l.name;
    }
    EXPECT_DOUBLE_EQ(b.density, static_cast<double>(hit) / static_cast<double>(in));
    EXPECT_DOUBLE_EQ(b.coverage, static_cast<double>(hit) / static_cast<double>(total));
  }
}

// Each point's y is a probability estimated from `runs` runs, with its Wilson interval.
struct Estimated {
  std::vector<double> y, lo, hi;
};
Estimated estimate(const std::vector<double>& p, std::uint64_t runs, std::uint64_t seed) {
  geosim::Rng rng(seed);
  Estimated e;
  for (double pi : p) {
    std::uint64_t k = 0;
    for (std::uint64_t t = 0; t < runs; ++t) k += rng.uniform01() < pi;
    e.y.push_back(static_cast<double>(k) / static_cast<double>(runs));
    const auto w = geosim::wilson_interval(k, runs);
    e.lo.push_back(w.lo);
    e.hi.push_back(w.hi);
  }
  return e;
}

TEST(Prim, WellEstimatedProbabilitiesGiveThePlantedBoxUnderEveryReading) {
  // 40 runs per point: 0.9 and 0.05 are far from the threshold 0.5, so the estimate, the
  // conservative and the liberal readings nearly agree, and the points of interest are almost
  // exactly the planted box: coverage and density near 1.
  const Planted d = planted(8000, 11);
  const Estimated e = estimate(d.p, 40, 12);
  const PrimResult r = geosim::study::prim(d.x, e.y, 0.5, {}, {}, e.lo, e.hi);
  for (const PrimBox& b : r.trajectory) {
    EXPECT_LE(b.density_conservative, b.density);
    EXPECT_LE(b.density, b.density_liberal);
  }
  const std::size_t pick = geosim::study::prim_select(r, 0.85);
  ASSERT_LT(pick, r.trajectory.size());
  expect_planted_box(r.trajectory[pick], 0.03, 0.9, 1.0, 0.85, 1.0);
  EXPECT_GE(r.trajectory[pick].density_conservative, 0.8);
}

TEST(Prim, NoisyProbabilitiesGiveDensityBandsAndAConservativeBox) {
  // 10 runs per point, p = 0.7 inside and 0.3 outside: the readings now differ a lot (Wilson
  // at n = 10 has lo > 0.5 only for 9 or 10 of 10, hi > 0.5 already for 2 of 10), so the
  // density band is wide; peeling on the conservative reading still finds the planted box.
  Planted d = planted(8000, 21);
  for (double& p : d.p) p = p > 0.5 ? 0.7 : 0.3;
  const Estimated e = estimate(d.p, 10, 22);
  const PrimResult r = geosim::study::prim(d.x, e.y, 0.5, {}, {}, e.lo, e.hi);
  for (const PrimBox& b : r.trajectory) {
    EXPECT_LE(b.density_conservative, b.density);
    EXPECT_LE(b.density, b.density_liberal);
  }
  EXPECT_GT(r.trajectory.front().density_liberal - r.trajectory.front().density_conservative, 0.5);

  PrimOptions cons;
  cons.peel_on = PrimOptions::Classify::conservative;
  const PrimResult rc = geosim::study::prim(d.x, e.y, 0.5, cons, {}, e.lo, e.hi);
  EXPECT_LT(rc.n_interest, r.n_interest);
  // Surely-of-interest points: 0.149 of the planted box (P(K >= 9 | 10, 0.7)), ~0 outside, so
  // the densest box that keeps 95% of them is the planted box. (A chooser over the exposed
  // trajectory, as a user would write one.)
  std::size_t pc = rc.trajectory.size();
  for (std::size_t s = 0; s < rc.trajectory.size(); ++s)
    if (rc.trajectory[s].coverage_conservative >= 0.95 &&
        (pc == rc.trajectory.size() ||
         rc.trajectory[s].density_conservative > rc.trajectory[pc].density_conservative))
      pc = s;
  ASSERT_LT(pc, rc.trajectory.size());
  const PrimBox& b = rc.trajectory[pc];
  EXPECT_NEAR(b.density_conservative, 0.149, 0.04);
  const auto* l2 = limit_of(b, 1);
  const auto* l4 = limit_of(b, 3);
  ASSERT_NE(l2, nullptr);
  ASSERT_NE(l4, nullptr);
  EXPECT_NEAR(l2->lo, kLo2, 0.03);
  EXPECT_NEAR(l2->hi, kHi2, 0.03);
  EXPECT_NEAR(l4->lo, kLo4, 0.03);
  EXPECT_NEAR(l4->hi, kHi4, 0.03);
  for (std::size_t j : {0u, 2u, 4u}) EXPECT_GE(b.hi[j] - b.lo[j], 0.85) << "x" << j + 1;
  // The estimate's density in that box: P(K >= 6 | 10, 0.7) = 0.850.
  EXPECT_NEAR(b.density, 0.85, 0.05);
}

TEST(Prim, ConservativeClassificationIsStricterNearTheThreshold) {
  // Probabilities near the threshold: the conservative reading counts fewer points.
  Eigen::MatrixXd x(4, 1);
  x << 0.0, 1.0, 2.0, 3.0;
  const std::vector<double> y{0.55, 0.6, 0.45, 0.9}, lo{0.45, 0.52, 0.35, 0.8},
      hi{0.65, 0.7, 0.55, 0.95};
  const PrimResult r = geosim::study::prim(x, y, 0.5, {}, {}, lo, hi);
  const PrimBox& all = r.trajectory.front();
  EXPECT_DOUBLE_EQ(all.density, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(all.density_conservative, 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(all.density_liberal, 4.0 / 4.0);
}

TEST(Prim, PeelsWholeLevelsOfADiscreteFactor) {
  // x1 takes levels 0..3 (250 points each); interest only at level 3. A 5% peel removes the
  // whole lowest level (ties), and the final box is exactly level 3.
  Eigen::MatrixXd x(1000, 1);
  std::vector<double> y(1000);
  for (Eigen::Index i = 0; i < 1000; ++i) {
    x(i, 0) = static_cast<double>(i % 4);
    y[static_cast<std::size_t>(i)] = i % 4 == 3 ? 1.0 : 0.0;
  }
  PrimOptions o;
  o.mass_min = 0.1;
  const PrimResult r = geosim::study::prim(x, y, 0.5, o, {"level"});
  const PrimBox& last = r.trajectory.back();
  EXPECT_EQ(last.lo[0], 3.0);
  EXPECT_EQ(last.hi[0], 3.0);
  EXPECT_EQ(last.density, 1.0);
  EXPECT_EQ(last.coverage, 1.0);
  EXPECT_EQ(r.trajectory.size(), 4u);  // all, >= 1, >= 2, == 3
  ASSERT_EQ(last.restricted.size(), 1u);
  EXPECT_EQ(last.restricted[0].name, "level");
}

TEST(Prim, DropsNaNOutputsAndCountsThem) {
  const Planted d = planted(2000, 13);
  std::vector<double> y = bernoulli(d.p, 14);
  y[0] = std::nan("");
  y[100] = std::nan("");
  const PrimResult r = geosim::study::prim(d.x, y, 0.5);
  EXPECT_EQ(r.dropped, 2u);
  EXPECT_EQ(r.n, 1998u);
  EXPECT_EQ(r.trajectory.front().n_in, 1998u);
}

TEST(Prim, RejectsBadInput) {
  Eigen::MatrixXd x(3, 2);
  x << 0, 1, 2, 3, 4, 5;
  const std::vector<double> y{0, 1, 0};
  EXPECT_THROW(geosim::study::prim(x, std::vector<double>{0, 1}, 0.5), std::invalid_argument);
  EXPECT_THROW(geosim::study::prim(x, y, 0.5, {}, {}, y, {}), std::invalid_argument);
  PrimOptions cons;
  cons.peel_on = PrimOptions::Classify::conservative;
  EXPECT_THROW(geosim::study::prim(x, y, 0.5, cons), std::invalid_argument);
  x(1, 1) = std::nan("");
  EXPECT_THROW(geosim::study::prim(x, y, 0.5), std::invalid_argument);
}

}  // namespace
