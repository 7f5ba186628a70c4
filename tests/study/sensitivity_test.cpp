// Tests for the Sobol' and Morris estimators of include/geosim/study.h on the Ishigami function,
// whose indices are known in closed form, and on a linear model.
//
// References:
//  - Ishigami indices (a = 7, b = 0.1): S = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244), as
//    published by Sobol' and Levitan (1999) and tabulated in Saltelli et al. (2008), "Global
//    Sensitivity Analysis: The Primer"; V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446.
//  - Morris on Ishigami (p = 4 levels, so delta = 2/3 and the grid is -pi, -pi/3, pi/3, pi):
//    every elementary effect of x2 is +-7 (3/4) / (2/3) = +-7.875; of x1 it is
//    (sqrt(3)/2)(1 + 0.1 x3^4) / (2/3) > 0 with x3^4 in {pi^4, (pi/3)^4} equally often, so
//    mu*_1 = mu_1 = 1.5 (sqrt(3)/2) (1 + 0.1 (pi^4 + pi^4/81) / 2) = 7.7040; of x3 it is
//    +-0.1 (pi^4 - pi^4/81) sin(x1) / (2/3), so mu*_3 = 1.5 * 0.1 * (80/81) pi^4 * mean|sin x1| =
//    6.2488 (mean |sin| over the grid = sqrt(3)/4) and mu_3 = 0. The ranking mu*_2 > mu*_1 >
//    mu*_3 agrees with SALib's regression test (tests/test_regression.py,
//    test_regression_morris_vanilla: N = 10000 trajectories, num_levels = 4, mu_star =
//    [7.536586, 7.875, 6.308785]).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <set>
#include <stdexcept>
#include <vector>

#include "geosim/rng.h"
#include "geosim/study.h"

namespace {

using geosim::study::Design;
using geosim::study::Factor;
using geosim::study::MorrisDesignOptions;
using geosim::study::MorrisIndices;
using geosim::study::MorrisOptions;
using geosim::study::SobolIndices;
using geosim::study::SobolOptions;

constexpr double kPi = std::numbers::pi;
constexpr double kPublishedS[3] = {0.314, 0.442, 0.0};
constexpr double kPublishedST[3] = {0.558, 0.442, 0.244};

std::vector<double> ishigami_outputs(const Design& d) {
  std::vector<double> y(d.points());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    y[i] = geosim::study::ishigami(d.values(r, 0), d.values(r, 1), d.values(r, 2));
  }
  return y;
}

// A standard normal by Box-Muller (independent of any library's algorithm).
double normal(geosim::Rng& rng) {
  const double u1 = 1.0 - rng.uniform01();  // (0, 1]
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

// ---------------------------------------------------------------------------------------------
// The reference itself

TEST(IshigamiReference, MatchesThePublishedIndicesAndVariance) {
  const auto ref = geosim::study::ishigami_reference();
  const double pi4 = std::pow(kPi, 4), pi8 = std::pow(kPi, 8);
  EXPECT_NEAR(ref.variance, 49.0 / 8.0 + 0.1 * pi4 / 5.0 + 0.01 * pi8 / 18.0 + 0.5, 1e-12);
  EXPECT_NEAR(ref.variance, 13.8446, 1e-4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(ref.first[i], kPublishedS[i], 5e-4) << "S" << i + 1;
    EXPECT_NEAR(ref.total[i], kPublishedST[i], 5e-4) << "ST" << i + 1;
  }
}

TEST(IshigamiFunction, MatchesTheDefinitionAtHandPoints) {
  EXPECT_NEAR(geosim::study::ishigami(0.0, 0.0, 0.0), 0.0, 1e-15);
  EXPECT_NEAR(geosim::study::ishigami(kPi / 2, kPi / 2, 1.0), 1.0 * 1.1 + 7.0, 1e-12);
  EXPECT_NEAR(geosim::study::ishigami(-kPi / 2, 0.0, 2.0), -(1.0 + 0.1 * 16.0), 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Sobol'

// N = 2^14 base rows, 5 * 2^14 = 81920 evaluations, 1000 bootstrap resamples: well under a second.
class IshigamiSobol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    design_ = new Design(geosim::study::sobol_saltelli(geosim::study::ishigami_factors(),
                                                       std::size_t{1} << 14, 2024));
    y_ = new std::vector<double>(ishigami_outputs(*design_));
    result_ = new SobolIndices(geosim::study::sobol_indices(*design_, *y_));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete y_;
    delete design_;
  }
  static Design* design_;
  static std::vector<double>* y_;
  static SobolIndices* result_;
};
Design* IshigamiSobol::design_ = nullptr;
std::vector<double>* IshigamiSobol::y_ = nullptr;
SobolIndices* IshigamiSobol::result_ = nullptr;

TEST_F(IshigamiSobol, RecoversThePublishedIndicesWithin002AtN16384) {
  const SobolIndices& s = *result_;
  ASSERT_EQ(s.first.size(), 3u);
  EXPECT_EQ(s.used, std::size_t{1} << 14);
  EXPECT_EQ(s.dropped, 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[i], kPublishedS[i], 0.02) << "S" << i + 1;
    EXPECT_NEAR(s.total[i], kPublishedST[i], 0.02) << "ST" << i + 1;
  }
  EXPECT_NEAR(s.variance, geosim::study::ishigami_reference().variance, 0.2);
  EXPECT_EQ(s.noise_variance, 0.0);
  EXPECT_FALSE(s.noise_corrected);
}

TEST_F(IshigamiSobol, RecoversThePublishedIndicesWithOtherSeeds) {
  for (std::uint64_t seed : {1u, 99u}) {
    const Design d = geosim::study::sobol_saltelli(geosim::study::ishigami_factors(),
                                                   std::size_t{1} << 14, seed);
    SobolOptions o;
    o.bootstrap = 0;
    const auto s = geosim::study::sobol_indices(d, ishigami_outputs(d), {}, o);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(s.first[i], kPublishedS[i], 0.02) << "seed " << seed << " S" << i + 1;
      EXPECT_NEAR(s.total[i], kPublishedST[i], 0.02) << "seed " << seed << " ST" << i + 1;
    }
  }
}

TEST_F(IshigamiSobol, BootstrapIntervalsContainThePublishedValuesAndAreNarrow) {
  const SobolIndices& s = *result_;
  EXPECT_EQ(s.bootstrap, 1000u);
  EXPECT_EQ(s.level, 0.95);
  for (int i = 0; i < 3; ++i) {
    EXPECT_LE(s.first_ci[i].lo, kPublishedS[i]) << "S" << i + 1;
    EXPECT_GE(s.first_ci[i].hi, kPublishedS[i]) << "S" << i + 1;
    EXPECT_LE(s.total_ci[i].lo, kPublishedST[i]) << "ST" << i + 1;
    EXPECT_GE(s.total_ci[i].hi, kPublishedST[i]) << "ST" << i + 1;
    // The interval brackets the estimate and is informative (not [-inf, inf]).
    EXPECT_LE(s.first_ci[i].lo, s.first[i]);
    EXPECT_GE(s.first_ci[i].hi, s.first[i]);
    EXPECT_LT(s.first_ci[i].hi - s.first_ci[i].lo, 0.1);
    EXPECT_LT(s.total_ci[i].hi - s.total_ci[i].lo, 0.1);
    EXPECT_GT(s.total_ci[i].hi - s.total_ci[i].lo, 0.0);
  }
}

TEST_F(IshigamiSobol, NarrowerLevelGivesANestedInterval) {
  SobolOptions o;
  o.level = 0.5;
  const auto s50 = geosim::study::sobol_indices(*design_, *y_, {}, o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(s50.total_ci[i].lo, result_->total_ci[i].lo);
    EXPECT_LE(s50.total_ci[i].hi, result_->total_ci[i].hi);
    EXPECT_LT(s50.total_ci[i].hi - s50.total_ci[i].lo,
              result_->total_ci[i].hi - result_->total_ci[i].lo);
  }
}

TEST_F(IshigamiSobol, AddingAConstantToTheOutputChangesNothing) {
  // Raw products f(B) f(AB_i) lose everything to cancellation when f has a large mean; the
  // estimator centres the outputs first.
  std::vector<double> shifted = *y_;
  for (double& v : shifted) v += 1000.0;
  SobolOptions o;
  o.bootstrap = 0;
  const auto s = geosim::study::sobol_indices(*design_, shifted, {}, o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[i], result_->first[i], 1e-9);
    EXPECT_NEAR(s.total[i], result_->total[i], 1e-9);
  }
}

TEST_F(IshigamiSobol, NaNOutputsDropTheirWholeRowGroupAndAreCounted) {
  std::vector<double> y = *y_;
  const std::size_t n = design_->base_n;
  // Fail base rows 3 (its A point), 10 (its AB_2 point) and 10 again (its B point), 500 (AB_0).
  y[3] = std::nan("");
  y[4 * n + 10] = std::nan("");
  y[n + 10] = std::nan("");
  y[2 * n + 500] = std::nan("");
  SobolOptions o;
  o.bootstrap = 0;
  const auto s = geosim::study::sobol_indices(*design_, y, {}, o);
  EXPECT_EQ(s.dropped, 3u);
  EXPECT_EQ(s.used, n - 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isfinite(s.first[i]));
    EXPECT_NEAR(s.first[i], kPublishedS[i], 0.02);
    EXPECT_NEAR(s.total[i], kPublishedST[i], 0.02);
  }
  // Every output failed: nothing to estimate, said so by NaN and the counts.
  std::vector<double> all_nan(y.size(), std::nan(""));
  const auto none = geosim::study::sobol_indices(*design_, all_nan, {}, o);
  EXPECT_EQ(none.used, 0u);
  EXPECT_EQ(none.dropped, n);
  EXPECT_TRUE(std::isnan(none.first[0]));
  EXPECT_TRUE(std::isnan(none.total[2]));
}

TEST_F(IshigamiSobol, NoiseCorrectionBringsVarianceAndIndicesBackToTheTruth) {
  // Each output gets Monte Carlo noise of a known standard error, different per point (as a
  // binomial SE is): se = 1 + |x1| / pi, so noise variance ~ 2.3 on V = 13.8.
  const auto ref = geosim::study::ishigami_reference();
  std::vector<double> y = *y_, se(y.size());
  geosim::Rng rng(7);
  for (std::size_t i = 0; i < y.size(); ++i) {
    se[i] = 1.0 + std::abs(design_->values(static_cast<Eigen::Index>(i), 0)) / kPi;
    y[i] += se[i] * normal(rng);
  }
  SobolOptions o;
  o.bootstrap = 200;
  const auto corrected = geosim::study::sobol_indices(*design_, y, se, o);
  o.correct_noise = false;
  const auto raw = geosim::study::sobol_indices(*design_, y, se, o);

  ASSERT_TRUE(corrected.noise_corrected);
  ASSERT_FALSE(raw.noise_corrected);
  // The noise variance is reported either way: mean se^2 = 1 + 1 + 1/3 = 2.333.
  EXPECT_NEAR(corrected.noise_variance, 7.0 / 3.0, 0.02);
  EXPECT_EQ(raw.noise_variance, corrected.noise_variance);
  EXPECT_NEAR(corrected.noise_share, corrected.noise_variance / corrected.variance_observed, 1e-12);
  EXPECT_EQ(raw.variance, raw.variance_observed);
  // The corrected V is much closer to the true V than the observed one.
  EXPECT_LT(std::abs(corrected.variance - ref.variance),
            0.25 * std::abs(raw.variance - ref.variance));
  EXPECT_NEAR(corrected.variance, ref.variance, 0.3);
  EXPECT_GT(raw.variance - ref.variance, 1.5);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(corrected.first[i], ref.first[i], 0.03) << "S" << i + 1;
    EXPECT_NEAR(corrected.total[i], ref.total[i], 0.03) << "ST" << i + 1;
    EXPECT_LE(corrected.total_ci[i].lo, ref.total[i]) << "ST" << i + 1;
    EXPECT_GE(corrected.total_ci[i].hi, ref.total[i]) << "ST" << i + 1;
  }
  // Uncorrected, the noise inflates ST3 (2 se^2 in its numerator) well past its true value.
  EXPECT_GT(raw.total[2] - ref.total[2], 0.05);
}

TEST(SobolIndices, PureNoiseIsReportedAsNoise) {
  const Design d = geosim::study::sobol_saltelli(geosim::study::ishigami_factors(), 1024, 1);
  std::vector<double> y(d.points()), se(d.points(), 0.1);
  geosim::Rng rng(3);
  for (double& v : y) v = 0.5 + 0.1 * normal(rng);
  SobolOptions o;
  o.bootstrap = 0;
  const auto s = geosim::study::sobol_indices(d, y, se, o);
  EXPECT_GT(s.noise_share, 0.9);
  EXPECT_LT(s.noise_share, 1.1);
  EXPECT_NEAR(s.noise_variance, 0.01, 1e-15);
}

TEST(SobolIndices, LinearModelHasEqualFirstAndTotalIndices) {
  // f = 1 x1 + 2 x2 + 3 x3, x uniform on [0, 1]: S_i = ST_i = c_i^2 / sum c^2 = (1, 4, 9) / 14.
  const std::vector<Factor> fs{Factor::uniform("x1", 0, 1), Factor::uniform("x2", 0, 1),
                               Factor::uniform("x3", 0, 1)};
  const Design d = geosim::study::sobol_saltelli(fs, 4096, 8);
  std::vector<double> y(d.points());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    y[i] = d.values(r, 0) + 2.0 * d.values(r, 1) + 3.0 * d.values(r, 2);
  }
  SobolOptions o;
  o.bootstrap = 0;
  const auto s = geosim::study::sobol_indices(d, y, {}, o);
  const double want[3] = {1.0 / 14.0, 4.0 / 14.0, 9.0 / 14.0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[i], want[i], 0.01);
    EXPECT_NEAR(s.total[i], want[i], 0.01);
  }
  EXPECT_NEAR(s.variance, 14.0 / 12.0, 0.01);
}

TEST(SobolIndices, RejectsMismatchedSizesAndOtherDesigns) {
  const Design d = geosim::study::sobol_saltelli(geosim::study::ishigami_factors(), 64, 1);
  EXPECT_THROW(geosim::study::sobol_indices(d, std::vector<double>(10, 0.0)),
               std::invalid_argument);
  EXPECT_THROW(geosim::study::sobol_indices(d, std::vector<double>(d.points(), 0.0),
                                            std::vector<double>(3, 0.0)),
               std::invalid_argument);
  const Design lhs = geosim::study::latin_hypercube(geosim::study::ishigami_factors(), 320, 1);
  EXPECT_THROW(geosim::study::sobol_indices(lhs, std::vector<double>(320, 0.0)),
               std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Morris

class IshigamiMorris : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MorrisDesignOptions o;
    o.trajectories = 10000;
    o.levels = 4;
    o.seed = 2024;
    design_ = new Design(geosim::study::morris(geosim::study::ishigami_factors(), o));
    y_ = new std::vector<double>(ishigami_outputs(*design_));
    result_ = new MorrisIndices(geosim::study::morris_indices(*design_, *y_));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete y_;
    delete design_;
  }
  static Design* design_;
  static std::vector<double>* y_;
  static MorrisIndices* result_;
};
Design* IshigamiMorris::design_ = nullptr;
std::vector<double>* IshigamiMorris::y_ = nullptr;
MorrisIndices* IshigamiMorris::result_ = nullptr;

TEST_F(IshigamiMorris, MuStarMatchesTheClosedFormOnTheFourLevelGrid) {
  const MorrisIndices& m = *result_;
  for (std::size_t e : m.effects) EXPECT_EQ(e, 10000u);
  EXPECT_EQ(m.dropped, 0u);
  // x2: every effect is +-7.875 exactly (up to rounding of sin at the grid points).
  EXPECT_NEAR(m.mu_star[1], 7.875, 1e-9);
  EXPECT_NEAR(m.sigma[1] * m.sigma[1] + m.mu[1] * m.mu[1] * (10000.0 / 9999.0),
              7.875 * 7.875 * (10000.0 / 9999.0), 1e-6);
  // x1, x3: averages over the grid, standard error 6.25 / sqrt(10000) = 0.0625; tolerance 4 SE.
  const double pi4 = std::pow(kPi, 4);
  const double mu_star_1 = 1.5 * std::sqrt(3.0) / 2.0 * (1.0 + 0.1 * (pi4 + pi4 / 81.0) / 2.0);
  const double mu_star_3 = 1.5 * 0.1 * (80.0 / 81.0) * pi4 * std::sqrt(3.0) / 4.0;
  EXPECT_NEAR(mu_star_1, 7.7040, 1e-4);
  EXPECT_NEAR(mu_star_3, 6.2488, 1e-4);
  EXPECT_NEAR(m.mu_star[0], mu_star_1, 0.25);
  EXPECT_NEAR(m.mu_star[2], mu_star_3, 0.25);
  // x1's effects are all positive on this grid; x2's and x3's average out.
  EXPECT_DOUBLE_EQ(m.mu[0], m.mu_star[0]);
  EXPECT_LT(std::abs(m.mu[1]), 0.4);
  EXPECT_LT(std::abs(m.mu[2]), 0.4);
}

TEST_F(IshigamiMorris, RanksTheFactorsAsTheLiterature) {
  // mu*: x2 > x1 > x3, as in SALib's regression values (7.875 > 7.537 > 6.309); x3 matters
  // (through its interaction with x1) although its first-order Sobol' index is 0.
  const MorrisIndices& m = *result_;
  EXPECT_GT(m.mu_star[1], m.mu_star[0]);
  EXPECT_GT(m.mu_star[0], m.mu_star[2]);
  EXPECT_GT(m.mu_star[2], 5.0);
  EXPECT_GT(m.sigma[2], 5.0);
}

TEST_F(IshigamiMorris, MuStarIntervalBracketsTheEstimate) {
  const MorrisIndices& m = *result_;
  for (int j = 0; j < 3; ++j) {
    EXPECT_LE(m.mu_star_ci[j].lo, m.mu_star[j]);
    EXPECT_GE(m.mu_star_ci[j].hi, m.mu_star[j]);
  }
  // x1's interval covers the closed form; x2's degenerates to the single value 7.875.
  const double pi4 = std::pow(kPi, 4);
  const double mu_star_1 = 1.5 * std::sqrt(3.0) / 2.0 * (1.0 + 0.1 * (pi4 + pi4 / 81.0) / 2.0);
  EXPECT_LE(m.mu_star_ci[0].lo, mu_star_1);
  EXPECT_GE(m.mu_star_ci[0].hi, mu_star_1);
  EXPECT_NEAR(m.mu_star_ci[1].hi - m.mu_star_ci[1].lo, 0.0, 1e-9);
}

TEST_F(IshigamiMorris, NaNOutputsDropTheEffectsTheyTouchAndAreCounted) {
  std::vector<double> y = *y_;
  y[0] = std::nan("");      // first point of trajectory 0: one effect lost
  y[4 + 2] = std::nan("");  // middle point of trajectory 1: two effects lost
  MorrisOptions o;
  o.bootstrap = 0;
  const auto m = geosim::study::morris_indices(*design_, y, {}, o);
  EXPECT_EQ(m.dropped, 3u);
  EXPECT_EQ(m.effects[0] + m.effects[1] + m.effects[2], 3u * 10000u - 3u);
  EXPECT_NEAR(m.mu_star[1], 7.875, 1e-9);
}

TEST_F(IshigamiMorris, NoiseSdIsTheStandardErrorOfOneEffect) {
  std::vector<double> se(y_->size(), 0.3);
  MorrisOptions o;
  o.bootstrap = 0;
  const auto m = geosim::study::morris_indices(*design_, *y_, se, o);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(m.noise_sd[j], std::sqrt(2.0) * 0.3 / (2.0 / 3.0), 1e-12);
}

TEST(MorrisIndices, RejectsATrajectoryThatMovesTwoFactorsAtOnce) {
  MorrisDesignOptions o;
  o.trajectories = 3;
  Design d = geosim::study::morris(geosim::study::ishigami_factors(), o);
  const std::vector<double> y(d.points(), 1.0);
  EXPECT_NO_THROW(geosim::study::morris_indices(d, y));
  // Move every coordinate of trajectory 1's second point: now two or more factors change.
  for (Eigen::Index j = 0; j < 3; ++j) d.unit(5, j) = d.unit(4, j) == 0.0 ? 1.0 : 0.0;
  EXPECT_THROW(geosim::study::morris_indices(d, y), std::invalid_argument);
}

}  // namespace
