// geosim::sample_parameters (include/geosim/model.h): every distribution kind a scenario can
// declare, sampled over many run indices, against its theoretical moments.
//
// Tolerances, all at 4 standard errors with a fixed seed (n = 200,000 run indices):
//   mean:      SE = sqrt(sigma^2 / n), sigma^2 from theory.
//   variance:  the sample variance s^2 (n - 1 denominator) has
//              SE = sqrt((mu4 - sigma^4 (n - 3) / (n - 1)) / n),
//              with the fourth central moment mu4 from theory (formulas at each case).
//   frequency: SE = sqrt(p (1 - p) / n).
//   correlation of independent draws: SE = 1 / sqrt(n).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "geosim/error.h"
#include "load/test_support.h"
#include "geosim/model.h"
#include "geosim/scenario.h"

namespace {

using geosim::Model;

constexpr const char* kParams = R"(
geosim: 1
name: distributions
time: {horizon: 1}
parameters:
  u: {dist: uniform, low: 2, high: 5}
  u_twin: {dist: uniform, low: 2, high: 5}
  n: {dist: normal, mean: 1.5, sd: 2}
  ln: {dist: lognormal, mu: 0.2, sigma: 0.5}
  b: {dist: beta, alpha: 2, beta: 5}
  t: {dist: triangular, low: 1, mode: 2, high: 6}
  c: {dist: choice, values: [1, 2, 5, 9], weights: [0.2, 0.5, 0.3, 0]}
  k: {value: 3.25}
ladder: {start: only, rungs: [{name: only}]}
actors:
  a:
    rationality: {dist: uniform, low: 1, high: 2}
    actions:
      hold: {class: status_quo, gain: 0.1}
)";

using geosim::testing_support::compile_text;

std::size_t param(const Model& m, const std::string& name) {
  const auto it = std::find(m.names.params.begin(), m.names.params.end(), name);
  EXPECT_NE(it, m.names.params.end()) << "no parameter " << name;
  return static_cast<std::size_t>(it - m.names.params.begin());
}

constexpr std::uint64_t kSeed = 2024;
constexpr std::size_t kN = 200000;

// draws[p][i]: parameter p at run index i.
struct Draws {
  const Model* m;
  std::vector<std::vector<double>> by_param;
  const std::vector<double>& operator[](const std::string& name) const {
    return by_param[param(*m, name)];
  }
};

const Draws& draws() {
  static const Model m = compile_text(kParams, "distributions.yaml");
  static const Draws d = [] {
    Draws out{&m, std::vector<std::vector<double>>(m.params.size(), std::vector<double>(kN))};
    std::vector<double> row(m.params.size());
    for (std::size_t i = 0; i < kN; ++i) {
      geosim::sample_parameters(m, kSeed, i, row.data());
      for (std::size_t p = 0; p < row.size(); ++p) out.by_param[p][i] = row[p];
    }
    return out;
  }();
  return d;
}

struct Moments {
  double mean, var;
};
Moments moments(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  const double mean = s / static_cast<double>(x.size());
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return {mean, ss / static_cast<double>(x.size() - 1)};
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const Moments mx = moments(x), my = moments(y);
  double sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx.mean) * (y[i] - my.mean);
  sxy /= static_cast<double>(x.size() - 1);
  return sxy / std::sqrt(mx.var * my.var);
}

// Mean and variance of `name` within 4 SE of theory (mean mu, variance var, 4th central mu4).
void expect_moments(const std::string& name, double mu, double var, double mu4) {
  const Moments s = moments(draws()[name]);
  const double n = static_cast<double>(kN);
  const double se_mean = std::sqrt(var / n);
  const double se_var = std::sqrt((mu4 - var * var * (n - 3) / (n - 1)) / n);
  EXPECT_NEAR(s.mean, mu, 4 * se_mean) << name << " mean (4 SE = " << 4 * se_mean << ")";
  EXPECT_NEAR(s.var, var, 4 * se_var) << name << " variance (4 SE = " << 4 * se_var << ")";
}

double fraction_below(const std::vector<double>& x, double v) {
  return static_cast<double>(std::count_if(x.begin(), x.end(), [&](double y) { return y < v; })) /
         static_cast<double>(x.size());
}

void expect_fraction(double f, double p, const std::string& what) {
  const double se = std::sqrt(p * (1 - p) / static_cast<double>(kN));
  EXPECT_NEAR(f, p, 4 * se) << what << " (4 SE = " << 4 * se << ")";
}

// Uniform(a, b): mean (a+b)/2, variance (b-a)^2/12, mu4 = (b-a)^4/80.
// With a = 2, b = 5: 3.5, 0.75, 1.0125. (Uniform on [0, b) would have mean 2.5.)
TEST(Distribution, UniformMatchesTheoreticalMoments) {
  expect_moments("u", 3.5, 0.75, 81.0 / 80.0);
  for (double x : draws()["u"]) {
    ASSERT_GE(x, 2.0);
    ASSERT_LT(x, 5.0);
  }
}

// Normal(mu, sd): variance sd^2, mu4 = 3 sd^4. With 1.5, 2: var 4, mu4 48. (sd read as the
// variance would give var 2: 50 SE away.) The median is the mean.
TEST(Distribution, NormalMatchesTheoreticalMoments) {
  expect_moments("n", 1.5, 4.0, 48.0);
  expect_fraction(fraction_below(draws()["n"], 1.5), 0.5, "P(normal < mean)");
}

// Lognormal(mu, s) of log: mean exp(mu + s^2/2), variance (exp(s^2) - 1) exp(2 mu + s^2),
// mu4 = var^2 (exp(4 s^2) + 2 exp(3 s^2) + 3 exp(2 s^2) - 3) (excess kurtosis + 3). Median
// exp(mu). With mu = 0.2, s = 0.5: mean 1.384, var 0.5440. (s read as the variance of log: mean
// 1.568, 100+ SE away.)
TEST(Distribution, LognormalMatchesTheoreticalMoments) {
  const double mu = 0.2, s2 = 0.25;
  const double var = (std::exp(s2) - 1) * std::exp(2 * mu + s2);
  const double mu4 = var * var * (std::exp(4 * s2) + 2 * std::exp(3 * s2) + 3 * std::exp(2 * s2) - 3);
  expect_moments("ln", std::exp(mu + s2 / 2), var, mu4);
  expect_fraction(fraction_below(draws()["ln"], std::exp(mu)), 0.5, "P(lognormal < exp(mu))");
  for (double x : draws()["ln"]) ASSERT_GT(x, 0.0);
}

// Beta(a, b): mean a/(a+b), variance ab/((a+b)^2 (a+b+1)),
// excess kurtosis 6 [(a-b)^2 (a+b+1) - ab (a+b+2)] / [ab (a+b+2)(a+b+3)].
// With a = 2, b = 5: mean 2/7, var 10/392, excess kurtosis -0.12. (Swapped: mean 5/7.)
TEST(Distribution, BetaMatchesTheoreticalMoments) {
  const double a = 2, b = 5;
  const double var = a * b / ((a + b) * (a + b) * (a + b + 1));
  const double exk = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) /
                     (a * b * (a + b + 2) * (a + b + 3));
  expect_moments("b", a / (a + b), var, var * var * (3 + exk));
  for (double x : draws()["b"]) {
    ASSERT_GE(x, 0.0);
    ASSERT_LE(x, 1.0);
  }
}

// Triangular(low a, mode c, high b): mean (a+b+c)/3, variance (a^2+b^2+c^2-ab-ac-bc)/18,
// excess kurtosis -3/5. With 1, 2, 6: mean 3, var 7/6. Mean and variance are symmetric in the
// three arguments, so the order is checked by P(X < mode) = (c - a)/(b - a) = 0.2 (mode and high
// swapped would give 1).
TEST(Distribution, TriangularMatchesTheoreticalMoments) {
  const double var = 7.0 / 6.0;
  expect_moments("t", 3.0, var, var * var * (3 - 0.6));
  expect_fraction(fraction_below(draws()["t"], 2.0), 0.2, "P(triangular < mode)");
  for (double x : draws()["t"]) {
    ASSERT_GE(x, 1.0);
    ASSERT_LE(x, 6.0);
  }
}

// Choice: values 1, 2, 5, 9 with weights 0.2, 0.5, 0.3, 0. Moments from the pmf; each frequency
// within 4 SE; the zero-weight value never drawn.
TEST(Distribution, ChoiceMatchesItsWeights) {
  const double v[] = {1, 2, 5, 9}, w[] = {0.2, 0.5, 0.3, 0.0};
  double mean = 0;
  for (int i = 0; i < 4; ++i) mean += w[i] * v[i];
  double var = 0, mu4 = 0;
  for (int i = 0; i < 4; ++i) {
    var += w[i] * std::pow(v[i] - mean, 2);
    mu4 += w[i] * std::pow(v[i] - mean, 4);
  }
  expect_moments("c", mean, var, mu4);  // mean 2.7, var 2.41
  const auto& x = draws()["c"];
  for (int i = 0; i < 4; ++i) {
    const double f =
        static_cast<double>(std::count(x.begin(), x.end(), v[i])) / static_cast<double>(kN);
    if (w[i] == 0.0)
      EXPECT_EQ(f, 0.0) << "value " << v[i] << " has weight 0";
    else
      expect_fraction(f, w[i], "P(choice = " + std::to_string(v[i]) + ")");
  }
  // Nothing outside the values.
  EXPECT_EQ(std::count_if(x.begin(), x.end(),
                          [](double y) { return y != 1 && y != 2 && y != 5 && y != 9; }),
            0);
}

TEST(Distribution, ConstantsAreReturnedExactly) {
  const Model& m = *draws().m;
  std::vector<double> row(m.params.size());
  geosim::sample_parameters(m, kSeed, 3, row.data());
  EXPECT_EQ(row[param(m, "k")], 3.25);
  EXPECT_EQ(row[param(m, "actors.a.actions.hold.gain")], 0.1);  // the double nearest 0.1
  EXPECT_EQ(row[param(m, "actors.a.risk_tolerance")], 0.5);     // the documented default
  for (double x : draws()["k"]) ASSERT_EQ(x, 3.25);
  // An inline distribution in a field is a parameter too, sampled in its range.
  for (double x : draws()["actors.a.rationality"]) {
    ASSERT_GE(x, 1.0);
    ASSERT_LT(x, 2.0);
  }
}

// Two parameters of the same run are independent: sample correlations within 4 / sqrt(n) = 0.009
// for every pair (including two parameters with identical distributions, which would correlate
// perfectly if they shared a stream). Successive run indices are independent too (lag-1
// correlation).
TEST(Distribution, ParametersAreIndependentWithinARunAndAcrossRuns) {
  const std::vector<std::string> random = {"u", "u_twin", "n", "ln", "b", "t", "c",
                                           "actors.a.rationality"};
  const double bound = 4 / std::sqrt(static_cast<double>(kN));
  EXPECT_NE(draws()["u"], draws()["u_twin"]);
  for (std::size_t i = 0; i < random.size(); ++i)
    for (std::size_t j = i + 1; j < random.size(); ++j)
      EXPECT_NEAR(correlation(draws()[random[i]], draws()[random[j]]), 0.0, bound)
          << random[i] << " vs " << random[j];
  for (const auto& name : random) {
    const auto& x = draws()[name];
    const std::vector<double> a(x.begin(), x.end() - 1), b(x.begin() + 1, x.end());
    EXPECT_NEAR(correlation(a, b), 0.0, 4 / std::sqrt(static_cast<double>(kN - 1)))
        << name << " lag-1 across run indices";
  }
}

TEST(Distribution, SameSeedAndRunGiveTheSameDraws) {
  const Model& m = *draws().m;
  std::vector<double> a(m.params.size()), b(m.params.size()), c(m.params.size());
  for (std::uint64_t run : {0ull, 1ull, 99999ull, 1ull << 40}) {
    geosim::sample_parameters(m, kSeed, run, a.data());
    geosim::sample_parameters(m, kSeed, run, b.data());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << "run " << run;
    geosim::sample_parameters(m, kSeed + 1, run, c.data());
    EXPECT_NE(a[param(m, "u")], c[param(m, "u")]) << "another seed, run " << run;
    geosim::sample_parameters(m, kSeed, run + 1, c.data());
    EXPECT_NE(a[param(m, "n")], c[param(m, "n")]) << "another run index, run " << run;
  }
  // Matches the table drawn earlier (sampling order does not matter).
  geosim::sample_parameters(m, kSeed, 12345, a.data());
  for (std::size_t p = 0; p < a.size(); ++p) EXPECT_EQ(a[p], draws().by_param[p][12345]);
}

// A parameter's stream is keyed by its name (rng.h: common random numbers), so the same
// parameter declared in another scenario, at another position, gets the same draws.
TEST(Distribution, DrawsAreKeyedByParameterNameNotPosition) {
  const Model other = compile_text(R"(
geosim: 1
name: other
time: {horizon: 1}
parameters:
  extra: {dist: normal, mean: 0, sd: 1}
  t: {dist: triangular, low: 1, mode: 2, high: 6}
  u: {dist: uniform, low: 2, high: 5}
ladder: {start: only, rungs: [{name: only}]}
actors:
  z:
    rationality: 1
    actions:
      hold: {class: status_quo}
)", "other.yaml");
  std::vector<double> row(other.params.size());
  for (std::size_t run : {0u, 7u, 4242u}) {
    geosim::sample_parameters(other, kSeed, run, row.data());
    EXPECT_EQ(row[param(other, "u")], draws()["u"][run]) << "run " << run;
    EXPECT_EQ(row[param(other, "t")], draws()["t"][run]) << "run " << run;
  }
}

}  // namespace
