// Tests for the factor maps and designs of include/geosim/study.h: every expectation is checked
// against an independent reference (a closed-form CDF, a count by brute force, the defining
// property of the design) rather than against the code's own output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "geosim/study.h"

namespace {

using geosim::InputError;
using geosim::study::Design;
using geosim::study::DesignKind;
using geosim::study::Factor;
using geosim::study::MorrisDesignOptions;

std::vector<Factor> four_factors() {
  return {Factor::uniform("a", -1.0, 3.0), Factor::discrete("b", {10.0, 20.0, 30.0}),
          Factor::normal("c", 5.0, 2.0), Factor::beta("d", 2.0, 5.0)};
}

// Runs f and returns the exception message of type E (fails the test if none is thrown).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

// ---------------------------------------------------------------------------------------------
// Factors

TEST(Factor, UniformRangeMapsLinearlyAndIncludesBothEnds) {
  const Factor f = Factor::uniform("x", 2.0, 6.0);
  EXPECT_EQ(f.value(0.0), 2.0);
  EXPECT_EQ(f.value(0.25), 3.0);
  EXPECT_EQ(f.value(1.0), 6.0);
  EXPECT_DOUBLE_EQ(f.unit(5.0), 0.75);
}

TEST(Factor, LevelsSplitTheUnitIntervalIntoEqualCells) {
  const Factor f = Factor::discrete("x", {7.0, -1.0, 4.0});
  EXPECT_EQ(f.value(0.0), 7.0);
  EXPECT_EQ(f.value(0.3333), 7.0);
  EXPECT_EQ(f.value(0.3334), -1.0);
  EXPECT_EQ(f.value(0.9999), 4.0);
  EXPECT_EQ(f.value(1.0), 4.0);  // u == 1 is the last level, not past the end
  EXPECT_DOUBLE_EQ(f.unit(-1.0), 0.5);
  EXPECT_THROW((void)f.unit(5.0), std::invalid_argument);
}

TEST(Factor, NormalQuantilesMatchTheStandardTable) {
  const Factor f = Factor::normal("x", 5.0, 2.0);
  EXPECT_NEAR(f.value(0.5), 5.0, 1e-12);
  EXPECT_NEAR(f.value(0.975), 5.0 + 2.0 * 1.959963984540054, 1e-9);
  EXPECT_NEAR(f.value(0.8413447460685429), 7.0, 1e-9);  // Phi(1)
  // The tails are clamped at the 1e-6 quantiles: -4.753424 sd (Phi^-1(1e-6)).
  EXPECT_NEAR(f.value(0.0), 5.0 - 2.0 * 4.753424308822899, 1e-6);
  EXPECT_NEAR(f.value(1.0), 5.0 + 2.0 * 4.753424308822899, 1e-6);
}

TEST(Factor, LognormalIsExpOfNormal) {
  const Factor f = Factor::lognormal("x", 1.0, 0.5);
  EXPECT_NEAR(f.value(0.5), std::exp(1.0), 1e-12);
  EXPECT_NEAR(f.value(0.975), std::exp(1.0 + 0.5 * 1.959963984540054), 1e-9);
  EXPECT_THROW((void)f.unit(-1.0), std::invalid_argument);
}

TEST(Factor, TriangularQuantileInvertsTheClosedFormCdf) {
  const double a = 1.0, c = 2.0, b = 5.0;
  const Factor f = Factor::triangular("x", a, c, b);
  auto cdf = [&](double x) {
    return x <= c ? (x - a) * (x - a) / ((b - a) * (c - a))
                  : 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
  };
  for (double u : {0.0, 0.05, 0.25, 0.5, 0.9, 1.0}) EXPECT_NEAR(cdf(f.value(u)), u, 1e-12) << u;
}

TEST(Factor, BetaQuantileInvertsTheClosedFormCdf) {
  // Beta(2, 5) on [10, 20]: I_x(2, 5) = P(Binomial(6, x) >= 2) = 1 - (1-x)^6 - 6x(1-x)^5.
  const Factor f = Factor::beta("x", 2.0, 5.0, 10.0, 20.0);
  auto cdf = [](double v) {
    const double x = (v - 10.0) / 10.0;
    return 1.0 - std::pow(1.0 - x, 6) - 6.0 * x * std::pow(1.0 - x, 5);
  };
  for (double u : {0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0}) {
    EXPECT_NEAR(cdf(f.value(u)), u, 1e-10) << u;
    EXPECT_NEAR(f.unit(f.value(u)), u, 1e-10) << u;
  }
}

TEST(Factor, RejectsUnitCoordinatesOutsideZeroOne) {
  const Factor f = Factor::uniform("x", 0.0, 1.0);
  EXPECT_THROW((void)f.value(-0.01), std::invalid_argument);
  EXPECT_THROW((void)f.value(1.01), std::invalid_argument);
  EXPECT_THROW((void)f.value(std::nan("")), std::invalid_argument);
}

TEST(Factor, RejectsInvalidParametersNamingTheFactor) {
  EXPECT_NE(message_of<std::invalid_argument>([] {
              Factor::uniform("tension", 3.0, 3.0);
            }).find("factor 'tension'"),
            std::string::npos);
  EXPECT_THROW(Factor::normal("x", 0.0, 0.0), std::invalid_argument);
  EXPECT_THROW(Factor::triangular("x", 0.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Factor::beta("x", 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Factor::discrete("x", {}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Full factorial

TEST(FullFactorial, HasTheProductOfLevelsAndEveryCombinationOnce) {
  const auto fs = four_factors();
  const Design d = geosim::study::full_factorial(fs, {3, 0, 2, 4});  // 0: all 3 levels of b
  ASSERT_EQ(d.points(), 3u * 3u * 2u * 4u);
  EXPECT_EQ(d.kind, DesignKind::grid);
  std::set<std::vector<double>> rows;
  for (Eigen::Index i = 0; i < d.values.rows(); ++i)
    rows.insert({d.values(i, 0), d.values(i, 1), d.values(i, 2), d.values(i, 3)});
  EXPECT_EQ(rows.size(), d.points());
  // Uniform range: both ends and the middle; levels: every level.
  std::set<double> a, b;
  for (Eigen::Index i = 0; i < d.values.rows(); ++i) {
    a.insert(d.values(i, 0));
    b.insert(d.values(i, 1));
  }
  EXPECT_EQ(a, (std::set<double>{-1.0, 1.0, 3.0}));
  EXPECT_EQ(b, (std::set<double>{10.0, 20.0, 30.0}));
}

TEST(FullFactorial, LastFactorVariesFastest) {
  const std::vector<Factor> fs{Factor::discrete("p", {1, 2}), Factor::discrete("q", {5, 6, 7})};
  const Design d = geosim::study::full_factorial(fs, {0, 0});
  const std::vector<std::vector<double>> want{{1, 5}, {1, 6}, {1, 7}, {2, 5}, {2, 6}, {2, 7}};
  ASSERT_EQ(d.points(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(d.values(static_cast<Eigen::Index>(i), 0), want[i][0]);
    EXPECT_EQ(d.values(static_cast<Eigen::Index>(i), 1), want[i][1]);
  }
}

TEST(FullFactorial, RejectsAMismatchedLevelList) {
  EXPECT_THROW(geosim::study::full_factorial(four_factors(), {2, 2}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Latin hypercube

TEST(LatinHypercube, HasExactlyOnePointPerStratumPerFactor) {
  for (std::size_t n : {1u, 7u, 97u, 1000u}) {
    const Design d = geosim::study::latin_hypercube(four_factors(), n, 42);
    ASSERT_EQ(d.points(), n);
    for (Eigen::Index j = 0; j < d.unit.cols(); ++j) {
      std::vector<int> hits(n, 0);
      for (Eigen::Index i = 0; i < d.unit.rows(); ++i) {
        const double u = d.unit(i, j);
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        ++hits[static_cast<std::size_t>(std::floor(u * static_cast<double>(n)))];
      }
      EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }))
          << "n = " << n << ", factor " << j;
    }
  }
}

TEST(LatinHypercube, PermutesEachFactorIndependently) {
  // One point per stratum also holds for the diagonal u(i, j) = (i + U) / n; independent random
  // permutations make the columns uncorrelated instead (rank correlation SD ~ 1/sqrt(n) = 0.03).
  const std::size_t n = 1000;
  const Design d = geosim::study::latin_hypercube(four_factors(), n, 8);
  for (Eigen::Index a = 0; a < 4; ++a)
    for (Eigen::Index b = a + 1; b < 4; ++b) {
      // The strata are the ranks, so Pearson on the strata is Spearman's rho.
      double sab = 0.0;
      const double mean = (static_cast<double>(n) - 1.0) / 2.0;
      double saa = 0.0;
      for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(n); ++i) {
        const double ra = std::floor(d.unit(i, a) * static_cast<double>(n)) - mean;
        const double rb = std::floor(d.unit(i, b) * static_cast<double>(n)) - mean;
        sab += ra * rb;
        saa += ra * ra;
      }
      EXPECT_LT(std::abs(sab / saa), 0.12) << "columns " << a << ", " << b;
    }
  // Consecutive rows are not in stratum order either.
  int ascending = 0;
  for (Eigen::Index i = 1; i < static_cast<Eigen::Index>(n); ++i)
    ascending += d.unit(i, 0) > d.unit(i - 1, 0);
  EXPECT_NEAR(ascending, 500, 100);
}

TEST(LatinHypercube, ValuesAreTheFactorMapsOfTheUnitCoordinates) {
  const auto fs = four_factors();
  const Design d = geosim::study::latin_hypercube(fs, 50, 3);
  for (Eigen::Index i = 0; i < 50; ++i)
    for (Eigen::Index j = 0; j < 4; ++j)
      EXPECT_EQ(d.values(i, j), fs[static_cast<std::size_t>(j)].value(d.unit(i, j)));
}

TEST(LatinHypercube, IsAPureFunctionOfTheSeed) {
  const auto a = geosim::study::latin_hypercube(four_factors(), 64, 9);
  const auto b = geosim::study::latin_hypercube(four_factors(), 64, 9);
  const auto c = geosim::study::latin_hypercube(four_factors(), 64, 10);
  EXPECT_TRUE(a.unit == b.unit);
  EXPECT_FALSE(a.unit == c.unit);
}

// ---------------------------------------------------------------------------------------------
// Sobol' / Saltelli

TEST(SobolSaltelli, RejectsABaseSizeThatIsNotAPowerOfTwoSuggestingTheNearestPowers) {
  const std::string msg = message_of<std::invalid_argument>(
      [] { geosim::study::sobol_saltelli(geosim::study::ishigami_factors(), 1000, 1); });
  EXPECT_NE(msg.find("power of two"), std::string::npos) << msg;
  EXPECT_NE(msg.find("N = 1000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("512 or 1024"), std::string::npos) << msg;
  EXPECT_NE(message_of<std::invalid_argument>([] {
              geosim::study::sobol_saltelli(geosim::study::ishigami_factors(), 0, 1);
            }).find("power of two"),
            std::string::npos);
  EXPECT_NO_THROW(geosim::study::sobol_saltelli(geosim::study::ishigami_factors(), 1024, 1));
}

TEST(SobolSaltelli, LaysOutABThenEachABiWithColumnIFromB) {
  const std::size_t n = 64, k = 4;
  const Design d = geosim::study::sobol_saltelli(four_factors(), n, 5);
  ASSERT_EQ(d.points(), n * (k + 2));
  EXPECT_EQ(d.base_n, n);
  const auto N = static_cast<Eigen::Index>(n);
  for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(k); ++i)
    for (Eigen::Index r = 0; r < N; ++r)
      for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(k); ++j) {
        const double want = j == i ? d.unit(N + r, j) : d.unit(r, j);  // B's or A's
        EXPECT_EQ(d.unit((2 + i) * N + r, j), want) << "AB_" << i << " row " << r;
      }
  // A and B are different points.
  EXPECT_FALSE(d.unit.topRows(N) == d.unit.middleRows(N, N));
}

TEST(SobolSaltelli, EachColumnOfAAndBHasOnePointPerStratum) {
  // The 1-D projections of 2^m Sobol' points are the 2^m strata, one point each; a digital shift
  // permutes the strata, so this holds for the shifted design too.
  const std::size_t n = 256;
  const Design d = geosim::study::sobol_saltelli(four_factors(), n, 77);
  for (Eigen::Index block = 0; block < 2; ++block)
    for (Eigen::Index j = 0; j < 4; ++j) {
      std::vector<int> hits(n, 0);
      for (Eigen::Index r = 0; r < static_cast<Eigen::Index>(n); ++r)
        ++hits[static_cast<std::size_t>(
            std::floor(d.unit(block * static_cast<Eigen::Index>(n) + r, j) * 256.0))];
      EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }))
          << "block " << block << " column " << j;
    }
}

TEST(SobolSaltelli, FirstTwoDimensionsFormA02Net) {
  // Sobol's first two dimensions are a (0, 2)-sequence: 2^m points put exactly one point in
  // every elementary box of area 2^-m. A broken shift or sequence breaks this.
  const std::size_t n = 128;  // m = 7
  const Design d = geosim::study::sobol_saltelli(four_factors(), n, 3);
  for (int i = 0; i <= 7; ++i) {
    const double cols = std::ldexp(1.0, i), rows = std::ldexp(1.0, 7 - i);
    std::map<std::pair<int, int>, int> hits;
    for (Eigen::Index r = 0; r < 128; ++r)
      ++hits[{static_cast<int>(std::floor(d.unit(r, 0) * cols)),
              static_cast<int>(std::floor(d.unit(r, 1) * rows))}];
    EXPECT_EQ(hits.size(), 128u) << "boxes 2^-" << i << " x 2^-" << 7 - i;
  }
}

TEST(SobolSaltelli, IsAPureFunctionOfTheSeedAndAvoidsTheOrigin) {
  const auto a = geosim::study::sobol_saltelli(four_factors(), 32, 1);
  const auto b = geosim::study::sobol_saltelli(four_factors(), 32, 1);
  const auto c = geosim::study::sobol_saltelli(four_factors(), 32, 2);
  EXPECT_TRUE(a.unit == b.unit);
  EXPECT_FALSE(a.unit == c.unit);
  EXPECT_GT(a.unit.row(0).maxCoeff(), 0.0);
  EXPECT_TRUE((a.values.array().isFinite()).all());
}

// ---------------------------------------------------------------------------------------------
// Morris

TEST(MorrisDesign, EachStepChangesOneFactorByPlusOrMinusDelta) {
  MorrisDesignOptions o;
  o.trajectories = 50;
  o.levels = 6;
  o.seed = 11;
  const std::size_t k = 4;
  const Design d = geosim::study::morris(four_factors(), o);
  const double delta = 6.0 / (2.0 * 5.0);
  EXPECT_DOUBLE_EQ(d.morris_delta, delta);
  ASSERT_EQ(d.points(), 50u * (k + 1));
  for (std::size_t t = 0; t < 50; ++t) {
    std::vector<int> changed(k, 0);
    for (std::size_t m = 1; m <= k; ++m) {
      const auto r1 = static_cast<Eigen::Index>(t * (k + 1) + m);
      int n_changed = 0;
      for (Eigen::Index j = 0; j < static_cast<Eigen::Index>(k); ++j) {
        const double du = d.unit(r1, j) - d.unit(r1 - 1, j);
        if (du != 0.0) {
          ++n_changed;
          ++changed[static_cast<std::size_t>(j)];
          EXPECT_NEAR(std::abs(du), delta, 1e-12);
        }
      }
      EXPECT_EQ(n_changed, 1) << "trajectory " << t << " step " << m;
    }
    for (int c : changed) EXPECT_EQ(c, 1) << "every factor moves once per trajectory";
  }
  // Every coordinate is on the p-level grid {0, 1/5, ..., 1}.
  for (Eigen::Index i = 0; i < d.unit.rows(); ++i)
    for (Eigen::Index j = 0; j < d.unit.cols(); ++j) {
      const double g = d.unit(i, j) * 5.0;
      EXPECT_NEAR(g, std::round(g), 1e-12);
    }
}

TEST(MorrisDesign, StepsGoUpAndDownAndStartsCoverTheGridEvenly) {
  // Directions are +-1 with probability 1/2 and base levels uniform on {0, ..., p/2 - 1}, so
  // every level of the grid is equally likely at every point of a trajectory.
  MorrisDesignOptions o;
  o.trajectories = 2000;
  o.levels = 4;
  o.seed = 5;
  const std::size_t k = 4;
  const Design d = geosim::study::morris(four_factors(), o);
  int up = 0, down = 0;
  std::vector<int> start_level(4, 0);
  for (std::size_t t = 0; t < 2000; ++t) {
    const auto r0 = static_cast<Eigen::Index>(t * (k + 1));
    for (Eigen::Index j = 0; j < 4; ++j)
      ++start_level[static_cast<std::size_t>(std::lround(d.unit(r0, j) * 3.0))];
    for (std::size_t m = 1; m <= k; ++m)
      for (Eigen::Index j = 0; j < 4; ++j) {
        const double du = d.unit(r0 + static_cast<Eigen::Index>(m), j) -
                          d.unit(r0 + static_cast<Eigen::Index>(m) - 1, j);
        up += du > 0.0;
        down += du < 0.0;
      }
  }
  // 8000 steps: binomial SD 45; 8000 starting coordinates over 4 levels: SD 39.
  EXPECT_NEAR(up, 4000, 200);
  EXPECT_NEAR(down, 4000, 200);
  for (int c : start_level) EXPECT_NEAR(c, 2000, 180);
}

TEST(MorrisDesign, RejectsAnOddNumberOfLevels) {
  MorrisDesignOptions o;
  o.levels = 5;
  EXPECT_NE(message_of<std::invalid_argument>([&] {
              geosim::study::morris(four_factors(), o);
            }).find("even"),
            std::string::npos);
}

TEST(MorrisDesign, CampolongoSelectionSpreadsTrajectoriesMoreThanTheFirstDraws) {
  // The spread objective of Campolongo et al. (2007), recomputed here from the design.
  auto spread = [](const Design& d, std::size_t r, std::size_t k) {
    double total = 0.0;
    for (std::size_t a = 0; a < r; ++a)
      for (std::size_t b = a + 1; b < r; ++b) {
        double s = 0.0;
        for (std::size_t i = 0; i <= k; ++i)
          for (std::size_t j = 0; j <= k; ++j)
            s += (d.unit.row(static_cast<Eigen::Index>(a * (k + 1) + i)) -
                  d.unit.row(static_cast<Eigen::Index>(b * (k + 1) + j)))
                     .norm();
        total += s * s;
      }
    return total;
  };
  MorrisDesignOptions plain;
  plain.trajectories = 8;
  plain.seed = 4;
  MorrisDesignOptions chosen = plain;
  chosen.candidates = 60;
  const auto fs = four_factors();
  const Design a = geosim::study::morris(fs, plain);
  const Design b = geosim::study::morris(fs, chosen);
  // The first 8 of the 60 candidates are exactly the plain draw (same seed, same order).
  EXPECT_GT(spread(b, 8, 4), spread(a, 8, 4));
}

// ---------------------------------------------------------------------------------------------
// User CSV

TEST(DesignCsv, ParsesColumnsInAnyOrderWithQuotesCommentsAndCrlf) {
  const auto fs = four_factors();
  const std::string text =
      "# from SALib\r\n"
      "\"d\", b ,a,c\r\n"
      "0.25,20,-1,5\r\n"
      "\r\n"
      "0.5,30,+2.5e0,-3\n";
  const Design d = geosim::study::parse_design_csv(text, fs, "points.csv");
  ASSERT_EQ(d.points(), 2u);
  EXPECT_EQ(d.kind, DesignKind::user);
  EXPECT_EQ(d.values(0, 0), -1.0);
  EXPECT_EQ(d.values(0, 1), 20.0);
  EXPECT_EQ(d.values(0, 2), 5.0);
  EXPECT_EQ(d.values(0, 3), 0.25);
  EXPECT_EQ(d.values(1, 0), 2.5);
  EXPECT_EQ(d.values(1, 2), -3.0);
  EXPECT_DOUBLE_EQ(d.unit(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(d.unit(1, 0), 0.875);
  EXPECT_DOUBLE_EQ(d.unit(0, 1), 0.5);  // level 20 is the middle cell
  EXPECT_NEAR(d.unit(0, 2), 0.5, 1e-15);
}

TEST(DesignCsv, RejectsAHeaderlessFileAtLineOne) {
  const std::string msg = message_of<InputError>(
      [] { geosim::study::parse_design_csv("1,20,3,0.5\n2,10,4,0.1\n", four_factors(), "s.csv"); });
  EXPECT_NE(msg.find("s.csv:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("header"), std::string::npos) << msg;
}

// An endless file (here /dev/zero) is read no further than kMaxDesignCsvBytes, then refused.
TEST(DesignCsv, AnEndlessFileIsRefusedAsTooLarge) {
  const std::string msg = message_of<InputError>(
      [] { geosim::study::read_design_csv("/dev/zero", four_factors()); });
  EXPECT_NE(msg.find("/dev/zero"), std::string::npos) << msg;
  EXPECT_NE(msg.find("design file too large: over 268435456 bytes"), std::string::npos) << msg;
  const std::string missing = message_of<InputError>(
      [] { geosim::study::read_design_csv("/nonexistent/design.csv", four_factors()); });
  EXPECT_NE(missing.find("cannot open the design file"), std::string::npos) << missing;
}

TEST(DesignCsv, RejectsAnUnknownColumnWithASuggestionAndAMissingFactor) {
  const std::vector<Factor> fs{Factor::uniform("tension", 0, 1), Factor::uniform("resolve", 0, 1)};
  const std::string msg = message_of<InputError>(
      [&] { geosim::study::parse_design_csv("resolve,tensoin\n0.5,0.5\n", fs, "s.csv"); });
  EXPECT_NE(msg.find("s.csv:1:9: error: column 'tensoin' names no factor"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("did you mean 'tension'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no column for factor tension"), std::string::npos) << msg;
}

TEST(DesignCsv, IgnoresUnknownColumnsWhenAsked) {
  const Design d = geosim::study::parse_design_csv("scenario,a,b,c,d\n7,1,20,3,0.5\n",
                                                   four_factors(), "s.csv", true);
  ASSERT_EQ(d.points(), 1u);
  EXPECT_EQ(d.values(0, 0), 1.0);
}

TEST(DesignCsv, RejectsBadRowsNamingEachLineAndColumn) {
  const std::string text =
      "a,b,c,d\n"
      "1,20,3,0.5\n"
      "1,20,3\n"         // line 3: too few values
      "1,20,x3,0.5\n"    // line 4: not a number, column 6
      "9,20,3,0.5\n"     // line 5: outside [-1, 3]
      "1,25,3,0.5\n"     // line 6: not a level
      "1,20,nan,0.5\n";  // line 7: not finite
  const std::string msg = message_of<InputError>(
      [&] { geosim::study::parse_design_csv(text, four_factors(), "p.csv"); });
  EXPECT_NE(msg.find("p.csv:3:1: error: expected 4 values"), std::string::npos) << msg;
  EXPECT_NE(msg.find("p.csv:4:6: error: factor 'c': 'x3' is not a number"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("p.csv:5:1: error: factor 'a': value 9 is outside its range"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("p.csv:6:3: error: factor 'b': value 25 is not one of its levels"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("p.csv:7:"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("p.csv:2:"), std::string::npos) << "line 2 is fine: " << msg;
}

TEST(DesignCsv, ExplainsREmptyRowNameColumn) {
  const std::string msg = message_of<InputError>([] {
    geosim::study::parse_design_csv("\"\",a,b,c,d\n\"1\",1,20,3,0.5\n", four_factors(), "r.csv");
  });
  EXPECT_NE(msg.find("row.names = FALSE"), std::string::npos) << msg;
}

TEST(DesignCsv, RejectsAnEmptyFileAndAHeaderWithoutPoints) {
  EXPECT_THROW(geosim::study::parse_design_csv("", four_factors()), InputError);
  EXPECT_THROW(geosim::study::parse_design_csv("a,b,c,d\n", four_factors()), InputError);
}

}  // namespace
