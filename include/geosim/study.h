// The mathematics of studies: many design points x many Monte Carlo runs each, then sensitivity
// indices and scenario discovery. Nothing here knows about scenarios: a design is a matrix of
// factor values, an output is one number per design point (usually a probability estimated from
// that point's runs, with its Monte Carlo standard error). The runner (sweeps, storage, CLI) sits
// on top of this.
//
// Conventions used throughout:
//  - A design is a matrix with one row per design point and one column per factor, in the order
//    of the factor list. Every design keeps both its unit-hypercube coordinates `unit` and the
//    factor values `values` (values(i, j) == factors[j].value(unit(i, j))).
//  - Every random choice is drawn from a geosim::Rng seeded with the seed passed in, in a fixed
//    order, so a design or a bootstrap is a pure function of its arguments (and of the Boost
//    version for the Sobol' direction numbers).
//  - Bad arguments (sizes that do not match, a base size that is not a power of two, ...) throw
//    std::invalid_argument with a message that says what was expected. Bad user files (the CSV
//    design) throw geosim::InputError with file:line:column diagnostics.
//  - A failed design point is given as a NaN output. No estimator drops anything silently: each
//    says below what it drops, and each result counts what was dropped.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosim/stats.h"  // Interval

namespace geosim::study {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// =============================================================================================
// Factors
// =============================================================================================

// One uncertain input of a study, and the map from a unit coordinate u in [0, 1] to its value.
//
//  - uniform_range: value(u) = low + u * (high - low). low < high, both finite.
//  - levels: value(u) = levels[min(floor(u * n), n - 1)], n = levels.size() >= 1. So the n
//    levels split [0, 1] into n equal cells, and u == 1 gives the last level.
//  - distribution: value(u) is the inverse CDF (quantile function) at u, from Boost.Math:
//      normal(mean, sd)             sd > 0
//      lognormal(mean, sd)          mean and sd of log(x), sd > 0
//      triangular(low, mode, high)  low <= mode <= high, low < high
//      beta(alpha, beta) on [low, high]  alpha, beta > 0 (scaled: low + (high - low) * B)
//    For the two with unbounded support (normal, lognormal) u is first clamped into
//    [kTailQuantile, 1 - kTailQuantile], so that designs which touch the ends of [0, 1] (a
//    Morris grid does: its levels are 0, 1/(p-1), ..., 1) still give finite values: a normal
//    factor's ends become mean -+ 4.75 sd. Sampling designs (Latin hypercube, Sobol') reach that
//    far into the tails with probability 2e-6 per coordinate, so the truncation is negligible
//    for them. For Morris, prefer uniform ranges or levels.
// value() throws std::invalid_argument if u is NaN or outside [0, 1], or if the factor is
// invalid (see validate()).
//
// unit(x) is the inverse map, used to read user designs: the CDF for uniform ranges and
// distributions, and the centre (index + 0.5) / n of the level's cell for levels (x must equal
// a level to within 1e-9 relative). It throws std::invalid_argument when x is not a possible
// value of the factor (outside the range or support, not one of the levels, not finite).
struct Factor {
  // `enum class`: a plain enum's enumerator `levels` would clash with the member `levels`.
  enum class Kind { uniform_range, levels, distribution };
  enum class Dist { normal, lognormal, triangular, beta };

  std::string name;
  Kind kind = Kind::uniform_range;
  double low = 0.0, high = 1.0;     // uniform_range; triangular's ends; beta's support
  std::vector<double> levels;       // Kind::levels, in the order given (need not be sorted)
  Dist dist = Dist::normal;         // Kind::distribution
  double mean = 0.0, sd = 1.0;      // normal; lognormal (of log x)
  double mode = 0.5;                // triangular
  double alpha = 1.0, beta_ = 1.0;  // beta

  static constexpr double kTailQuantile = 1e-6;

  static Factor uniform(std::string name, double low, double high);
  static Factor discrete(std::string name, std::vector<double> levels);
  static Factor normal(std::string name, double mean, double sd);
  static Factor lognormal(std::string name, double log_mean, double log_sd);
  static Factor triangular(std::string name, double low, double mode, double high);
  static Factor beta(std::string name, double alpha, double beta, double low = 0.0,
                     double high = 1.0);

  [[nodiscard]] double value(double u) const;
  [[nodiscard]] double unit(double x) const;
  // Throws std::invalid_argument naming the factor and the broken condition.
  void validate() const;
};

// =============================================================================================
// Designs
// =============================================================================================

enum class DesignKind { grid, latin_hypercube, sobol_saltelli, morris, user };

struct Design {
  DesignKind kind = DesignKind::user;
  std::vector<Factor> factors;
  Eigen::MatrixXd unit;    // points x factors, in [0, 1]
  Eigen::MatrixXd values;  // points x factors: factors[j].value(unit(i, j))
  std::uint64_t seed = 0;  // the seed it was made with (0 for grid and user designs)

  // sobol_saltelli: the base size N (a power of two). points() == N * (k + 2).
  std::size_t base_n = 0;
  // morris: r trajectories on a p-level grid, each k + 1 points; delta = p / (2 (p - 1)).
  std::size_t trajectories = 0;
  int morris_levels = 0;
  double morris_delta = 0.0;

  [[nodiscard]] std::size_t points() const { return static_cast<std::size_t>(unit.rows()); }
  [[nodiscard]] std::size_t k() const { return factors.size(); }
  [[nodiscard]] std::vector<std::string> names() const;
};

// Full factorial grid. n_levels[j] points for factor j (n_levels.size() == factors.size()):
//  - uniform range: u = i / (n - 1), i = 0..n-1, so both ends are included (n == 1: u = 0.5);
//  - levels and distributions: cell centres u = (i + 0.5) / n. For a levels factor, pass n = 0
//    (or its number of levels) to get every level once; fewer points take evenly spread levels.
// Rows are in lexicographic order of the level indices with the LAST factor varying fastest
// (the order of nested loops, or Python's itertools.product; R's expand.grid varies the first
// fastest). points() == product of the n's; throws if that exceeds 10^8.
Design full_factorial(const std::vector<Factor>& factors, const std::vector<std::size_t>& n_levels);

// Latin hypercube of n points: for each factor j (in order) a uniformly random permutation
// pi_j of 0..n-1 (Fisher-Yates), then for each point i a jitter U in [0, 1): u(i, j) =
// (pi_j(i) + U) / n. Exactly one point falls in each stratum [s/n, (s+1)/n) of each factor.
Design latin_hypercube(const std::vector<Factor>& factors, std::size_t n, std::uint64_t seed);

// Sobol' design for the Saltelli scheme.
//
// N (base_n) must be a power of two, >= 2: the Sobol' sequence is balanced (a (t, m, s)-net)
// only over 2^m points. Anything else throws std::invalid_argument naming the two nearest powers.
//
// Points of the 2k-dimensional Sobol' sequence (boost::random::sobol: Joe and Kuo 2008
// direction numbers, at most 3667 dimensions, so k <= 1833), points 0..N-1 in Gray-code order
// (point 0 is the origin, which Boost's engine skips, so it is put first by hand; the first 2^m
// points are then a net, as the tests check). Each of the 2k coordinates is scrambled by a random
// digital shift (XOR with a 64-bit word drawn from Rng(seed) per dimension), which keeps the net
// property, moves point 0 off the origin and makes replicates with different seeds independent. The
// first k coordinates form A, the last k form B.
//
// Layout of the N * (k + 2) rows (k = number of factors; row r of block b is design row
// b * N + r):
//   block 0:       A                 rows [0, N)
//   block 1:       B                 rows [N, 2N)
//   block 2 + i:   AB_i, i = 0..k-1  rows [(2 + i) N, (3 + i) N): A with column i taken from B
// So base row r has the k + 2 "row group" {r, N + r, 2N + r, ..., (k + 1) N + r}.
Design sobol_saltelli(const std::vector<Factor>& factors, std::size_t base_n, std::uint64_t seed);

// Morris elementary-effects design (Morris 1991, as in Campolongo, Cariboni and Saltelli 2007).
//
// The grid in unit space is {0, 1/(p-1), ..., 1}; p must be even and >= 2, and the step is
// delta = p / (2 (p - 1)) (p = 4: delta = 2/3). Trajectory t is rows [t (k+1), (t+1) (k+1)):
// a base point x* with each coordinate drawn from the levels {0, ..., 1 - delta}, a random
// direction d_j = +-1 per factor (the start is x*_j when d_j = +1 and x*_j + delta when
// d_j = -1) and a random order of the factors; step m changes exactly one factor, by d_j *
// delta. Every point lies on the grid.
//
// With candidates > r, that many trajectories are drawn and r of them are kept to spread out
// over the space, as Campolongo et al. (2007) suggest: the objective is the sum over kept pairs
// of d_ml^2, d_ml = sum of Euclidean distances between the points of trajectories m and l;
// it is maximised greedily by removing, one at a time, the trajectory whose contribution to the
// sum is smallest (in the manner of Ruano et al. 2012; not the brute-force optimum). Kept
// trajectories stay in the order they were drawn. candidates == 0 (or == r) keeps all.
struct MorrisDesignOptions {
  std::size_t trajectories = 10;  // r
  int levels = 4;                 // p
  std::size_t candidates = 0;     // M, 0 or >= r
  std::uint64_t seed = 1;
};
Design morris(const std::vector<Factor>& factors, const MorrisDesignOptions& options);

// A design given by the user as CSV (from SALib, EMA Workbench, R, a spreadsheet, ...).
//
// Format: comma-separated; the first non-blank line is a header naming the factors (any order,
// each exactly once; names may be double-quoted; surrounding spaces are ignored); then one
// line per point with one number per column. Blank lines and lines starting with '#' are
// skipped; CRLF line ends are accepted. Numbers are plain decimal or exponent notation (a
// leading '+' is allowed); NaN and infinities are rejected. Each value must be a possible value
// of its factor (see Factor::unit); `unit` is filled from Factor::unit.
// Columns that name no factor are an error (with a did-you-mean hint), unless
// ignore_unknown_columns is set (EMA Workbench's experiments tables carry "scenario", "policy",
// "model"); an empty column name gets a hint about R's row names.
// Every problem found is reported (up to 50), as `source:line:column: error: message`, in a
// geosim::InputError. kind == DesignKind::user, seed == 0.
Design parse_design_csv(std::string_view text, const std::vector<Factor>& factors,
                        std::string_view source = "<csv>", bool ignore_unknown_columns = false);
// Reads the file and calls parse_design_csv with the path as source. Throws InputError if the
// file cannot be read or is larger than kMaxDesignCsvBytes (about 2.5 million rows of ten factors).
inline constexpr std::size_t kMaxDesignCsvBytes = 256u << 20;
Design read_design_csv(const std::string& path, const std::vector<Factor>& factors,
                       bool ignore_unknown_columns = false);

// =============================================================================================
// Sobol' indices (variance-based sensitivity)
// =============================================================================================
//
// Input: a sobol_saltelli design, y[r] = the output at design row r (y.size() == points()), and
// optionally se[r] = the Monte Carlo standard error of y[r] (same size; e.g. for a probability p
// estimated from n runs, sqrt(p (1 - p) / (n - 1)), the unbiased estimate of Var(p-hat)).
//
// Estimators, over the N' base rows kept (see NaN handling), with y centred first on the mean of
// the f(A) and f(B) values kept (this changes nothing in expectation but makes the estimates
// invariant to adding a constant to y, which raw products such as f(B) f(AB_i) are not):
//   V        = population variance of the 2N' values f(A), f(B)
//   S_i      = mean_r f(B)_r (f(AB_i)_r - f(A)_r) / V                (Saltelli et al. 2010)
//   ST_i     = mean_r (f(A)_r - f(AB_i)_r)^2 / (2 V)                 (Jansen 1999)
//
// Monte Carlo noise: y = f + e with independent e of variance se^2. Then the observed variance
// is inflated, E[V_obs] = V_f + mean(se^2), and the Jansen numerator is inflated by
// mean(se_A^2 + se_AB_i^2); the Saltelli first-order numerator is unbiased (the noises are
// independent of each other), only noisier. With se given and correct_noise set:
//   noise_variance = mean of se^2 over the A and B rows kept
//   V              = V_obs - noise_variance
//   ST_i           = (mean (y_A - y_AB_i)^2 - mean (se_A^2 + se_AB_i^2)) / (2 V)
//   S_i            = mean y_B (y_AB_i - y_A) / V
// and noise_share = noise_variance / V_obs is reported either way. If the corrected V is not
// positive the outputs are all noise: every index is NaN. Indices are not clamped to [0, 1]
// (small negative values are estimation error and are shown as such). A noise_share above
// about 0.5 means the indices rest mostly on the correction: run more replicates per point.
//
// Confidence intervals: nonparametric bootstrap over base rows. `bootstrap` resamples (default
// 1000) of the N' kept base rows with replacement (whole row groups, so A, B and AB_i stay
// paired), each recomputing V (with its noise correction), S_i and ST_i; the interval is the
// percentile interval at `level` (default 0.95): the (1 - level)/2 and (1 + level)/2 quantiles
// of the resampled values, interpolated linearly between order statistics (R's type 7).
// Resamples whose corrected V is not positive give NaN and are left out of the quantiles; if
// more than half are, the interval is NaN. bootstrap == 0 gives NaN intervals.
//
// NaN handling: base row r is dropped whole (its entire row group of k + 2 points) if any of
// its outputs, or any of its standard errors when given, is NaN. `dropped` counts them and
// `used` is N'. Dropping breaks the balance of the Sobol' net slightly, and biases the indices
// if failures depend on the factors: check `dropped`. Fewer than 2 rows kept: all indices NaN.
struct SobolOptions {
  std::size_t bootstrap = 1000;
  double level = 0.95;
  std::uint64_t seed = 1;  // of the bootstrap
  bool correct_noise = true;
};

struct SobolIndices {
  std::vector<std::string> names;
  std::vector<double> first, total;          // S_i, ST_i
  std::vector<Interval> first_ci, total_ci;  // bootstrap percentile intervals
  double variance = kNaN;                    // V: the denominator used (noise-corrected if applied)
  double variance_observed = kNaN;           // V_obs: variance of the observed f(A), f(B)
  double noise_variance = 0.0;               // mean se^2 over A and B rows (0 when se not given)
  double noise_share = 0.0;                  // noise_variance / variance_observed
  bool noise_corrected = false;              // se given and correct_noise set
  std::size_t base_n = 0, used = 0, dropped = 0;
  std::size_t bootstrap = 0;
  double level = 0.0;
};

SobolIndices sobol_indices(const Design& design, std::span<const double> y,
                           std::span<const double> se = {}, const SobolOptions& options = {});

// =============================================================================================
// Morris elementary effects
// =============================================================================================
//
// Input: a morris design, y (and optionally se) per design row as for Sobol'. For each
// trajectory and each step m (rows m-1 -> m), the factor j that changed is read from the unit
// coordinates (exactly one must differ, by +-delta; anything else throws), and
//   EE = (y[m] - y[m-1]) / (u_j[m] - u_j[m-1])      (in units of y per unit of the unit scale,
//                                                     as SALib does)
// Per factor, over its r effects:
//   mu = mean EE, mu_star = mean |EE| (Campolongo et al. 2007), sigma = sample SD of EE (n - 1).
// mu_star_ci: percentile bootstrap of mu_star over the factor's effects (bootstrap resamples,
// level, seed as for Sobol'; R type 7 quantiles).
// noise_sd: with se given, sqrt(mean over the factor's effects of (se[m]^2 + se[m-1]^2)) /
// delta, the typical Monte Carlo noise in one elementary effect; compare it with mu_star (noise
// alone makes mu_star about 0.8 noise_sd). 0 without se.
// NaN handling: an effect with a NaN output at either end is dropped (so one failed point costs
// up to two effects, of two factors); `effects[j]` counts the effects used for factor j and
// `dropped` the total dropped. A factor with no effect left has NaN statistics; with one,
// sigma is NaN.
struct MorrisOptions {
  std::size_t bootstrap = 1000;
  double level = 0.95;
  std::uint64_t seed = 1;
};

struct MorrisIndices {
  std::vector<std::string> names;
  std::vector<double> mu, mu_star, sigma;
  std::vector<Interval> mu_star_ci;
  std::vector<double> noise_sd;
  std::vector<std::size_t> effects;
  std::size_t dropped = 0;
  std::size_t bootstrap = 0;
  double level = 0.0;
};

MorrisIndices morris_indices(const Design& design, std::span<const double> y,
                             std::span<const double> se = {}, const MorrisOptions& options = {});

// =============================================================================================
// PRIM scenario discovery (Friedman and Fisher 1999, in the manner of EMA Workbench)
// =============================================================================================
//
// Input: X (n points x k factors, usually Design::values), y (n outputs) and a threshold. A
// point is "of interest" when y > threshold (above == true) or y < threshold (above == false);
// for a binary outcome pass 0/1 and threshold 0.5.
//
// Monte Carlo-aware variant: when y is an estimated probability, also pass y_lo and y_hi (an
// interval per point, e.g. Wilson). Three classifications are then kept:
//   estimate:     y    > threshold
//   conservative: y_lo > threshold  (the point is of interest even at the low end of its
//                                    interval; for above == false: y_hi < threshold)
//   liberal:      y_hi > threshold  (it might be; for above == false: y_lo < threshold)
// The peeling follows the classification `peel_on` (estimate by default; conservative gives a
// box for cases that are surely of interest). Every step reports coverage and density under all
// three (the two others are NaN without intervals). For any one box, density_conservative <=
// density <= density_liberal; coverages are each relative to their own total of points of
// interest, so they are not ordered.
//
// Peeling: the box starts as [min, max] of each factor over the points kept. At each step, for
// each factor and each side, the candidate peel removes the m = max(1, floor(peel_alpha *
// n_box)) points with the smallest (or largest) values of that factor in the box, together with
// any ties of the m-th value (so discrete factors peel whole levels). Candidates that would
// leave fewer than mass_min * n points, or no point, are skipped. The best candidate by the
// objective is taken (ties: the one that removes fewer points, then the lower factor index,
// then the lower side):
//   original: the density of the box after the peel (Friedman and Fisher);
//   lenient1: (density after - density before) / (mass before - mass after), EMA Workbench's
//             default; it differs from original only when candidates remove different numbers
//             of points (ties, discrete factors).
// Peeling stops when no candidate is left or the best one does not increase density (so a box
// of density 1 is final). No pasting is done.
//
// Box limits are inclusive and are data values: a peel on factor j moves that one limit to the
// smallest (lower peel) or largest (upper peel) value of factor j among the points left; other
// limits do not move. A factor is restricted when a limit differs from the initial box. For each
// restricted factor, quasi_p is EMA Workbench's quasi-p-value: the probability, under a
// hypergeometric draw of the box's n_in points from the box without that restriction, of seeing at
// least the box's number of points of interest. Large values (say > 0.05) mean the restriction may
// be chance.
//
// Choosing a box: prim_select(result, min_density, by) returns the index of the step with the
// largest coverage among those with density >= min_density, both under classification `by`
// (estimate by default; conservative/liberal need intervals, else nothing qualifies). Coverage
// never increases along the trajectory, so this is the first such step (ties: the earliest).
// Returns trajectory.size() when none qualifies.
//
// NaN handling: points whose y (or y_lo / y_hi when given) is NaN are dropped before peeling
// and counted in `dropped`; a NaN in X throws. Sizes that do not match throw.
struct PrimOptions {
  enum class Objective { original, lenient1 };
  enum class Classify { estimate, conservative, liberal };
  double peel_alpha = 0.05;
  double mass_min = 0.05;
  bool above = true;
  Objective objective = Objective::lenient1;
  Classify peel_on = Classify::estimate;
};

struct BoxLimit {
  std::size_t factor = 0;
  std::string name;
  double lo = 0.0, hi = 0.0;
  double quasi_p = kNaN;
};

struct PrimBox {
  std::vector<double> lo, hi;            // per factor, inclusive
  std::size_t n_in = 0;                  // points in the box
  std::size_t n_interest = 0;            // of them of interest (under peel_on)
  double mass = 0.0;                     // n_in / n
  double coverage = 0.0, density = 0.0;  // estimate
  double coverage_conservative = kNaN, density_conservative = kNaN;  // y_lo (NaN if no bounds)
  double coverage_liberal = kNaN, density_liberal = kNaN;            // y_hi (NaN if no bounds)
  std::vector<BoxLimit> restricted;  // only the restricted factors, in factor order
};

struct PrimResult {
  std::vector<std::string> names;
  std::vector<double> initial_lo, initial_hi;
  std::vector<PrimBox> trajectory;  // step 0 is the initial box (all points)
  std::size_t n = 0;                // points kept
  std::size_t n_interest = 0;       // of interest under peel_on
  std::size_t dropped = 0;          // NaN outputs
};

// names may be empty (then "x1", "x2", ...); otherwise names.size() == X.cols().
PrimResult prim(const Eigen::MatrixXd& X, std::span<const double> y, double threshold,
                const PrimOptions& options = {}, const std::vector<std::string>& names = {},
                std::span<const double> y_lo = {}, std::span<const double> y_hi = {});

std::size_t prim_select(const PrimResult& result, double min_density,
                        PrimOptions::Classify by = PrimOptions::Classify::estimate);

// =============================================================================================
// Test function
// =============================================================================================

// Ishigami and Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on [-pi, pi].
double ishigami(double x1, double x2, double x3, double a = 7.0, double b = 0.1);

// The three factors x1, x2, x3, uniform on [-pi, pi].
std::vector<Factor> ishigami_factors();

// Analytic variance and indices (Sobol' and Levitan 1999):
//   V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50),
//   V = V1 + V2 + V13 = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2,
//   S = (V1, V2, 0) / V, ST = (V1 + V13, V2, V13) / V.
// a = 7, b = 0.1: V = 13.8446, S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
struct IshigamiReference {
  double variance;
  std::array<double, 3> first, total;
};
IshigamiReference ishigami_reference(double a = 7.0, double b = 0.1);

}  // namespace geosim::study
