// Factors and designs: full factorial, Latin hypercube, Sobol'/Saltelli, Morris, user CSV.
// Contracts are in include/geosim/study.h.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/random/sobol.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "geosim/error.h"
#include "geosim/rng.h"
#include "geosim/study.h"
#include "load/yaml_tree.h"

namespace geosim::study {

namespace {

using Index = Eigen::Index;

Index idx(std::size_t i) { return static_cast<Index>(i); }

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

bool finite(double x) { return std::isfinite(x); }


template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {  // Fisher-Yates, from the back
  for (std::size_t i = v.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_below(rng, i));
    std::swap(v[i - 1], v[j]);
  }
}

void check_factors(const std::vector<Factor>& factors, const char* what) {
  if (factors.empty()) fail(fmt::format("{}: no factors given", what));
  std::set<std::string> seen;
  for (const auto& f : factors) {
    f.validate();
    if (!seen.insert(f.name).second)
      fail(
          fmt::format("{}: two factors are named '{}'; factor names must be unique", what, f.name));
  }
}

Design make_design(DesignKind kind, const std::vector<Factor>& factors, std::size_t n) {
  Design d;
  d.kind = kind;
  d.factors = factors;
  d.unit.resize(idx(n), idx(factors.size()));
  d.values.resize(idx(n), idx(factors.size()));
  return d;
}

void fill_values(Design& d) {
  for (Index j = 0; j < d.unit.cols(); ++j) {
    const Factor& f = d.factors[static_cast<std::size_t>(j)];
    for (Index i = 0; i < d.unit.rows(); ++i) d.values(i, j) = f.value(d.unit(i, j));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Factor

Factor Factor::uniform(std::string name, double low, double high) {
  Factor f;
  f.name = std::move(name);
  f.kind = Kind::uniform_range;
  f.low = low;
  f.high = high;
  f.validate();
  return f;
}

Factor Factor::discrete(std::string name, std::vector<double> levels) {
  Factor f;
  f.name = std::move(name);
  f.kind = Kind::levels;
  f.levels = std::move(levels);
  f.validate();
  return f;
}

Factor Factor::normal(std::string name, double mean, double sd) {
  Factor f;
  f.name = std::move(name);
  f.kind = Kind::distribution;
  f.dist = Dist::normal;
  f.mean = mean;
  f.sd = sd;
  f.validate();
  return f;
}

Factor Factor::lognormal(std::string name, double log_mean, double log_sd) {
  Factor f = normal(std::move(name), log_mean, log_sd);
  f.dist = Dist::lognormal;
  return f;
}

Factor Factor::triangular(std::string name, double low, double mode, double high) {
  Factor f;
  f.name = std::move(name);
  f.kind = Kind::distribution;
  f.dist = Dist::triangular;
  f.low = low;
  f.mode = mode;
  f.high = high;
  f.validate();
  return f;
}

Factor Factor::beta(std::string name, double alpha, double beta, double low, double high) {
  Factor f;
  f.name = std::move(name);
  f.kind = Kind::distribution;
  f.dist = Dist::beta;
  f.alpha = alpha;
  f.beta_ = beta;
  f.low = low;
  f.high = high;
  f.validate();
  return f;
}

void Factor::validate() const {
  const std::string who =
      name.empty() ? std::string("a factor with no name") : fmt::format("factor '{}'", name);
  if (name.empty()) fail("a factor has an empty name");
  auto check_range = [&](const char* what) {
    if (!finite(low) || !finite(high) || !(low < high))
      fail(fmt::format("{}: {} needs finite low < high, got low = {}, high = {}", who, what, low,
                       high));
  };
  switch (kind) {
    case Kind::uniform_range:
      check_range("a uniform range");
      return;
    case Kind::levels:
      if (levels.empty()) fail(fmt::format("{}: a levels factor needs at least one level", who));
      for (double v : levels)
        if (!finite(v)) fail(fmt::format("{}: level {} is not a finite number", who, v));
      return;
    case Kind::distribution:
      switch (dist) {
        case Dist::normal:
        case Dist::lognormal:
          if (!finite(mean) || !finite(sd) || !(sd > 0.0))
            fail(
                fmt::format("{}: a {} distribution needs a finite mean and sd > 0, got mean = "
                            "{}, sd = {}",
                            who, dist == Dist::normal ? "normal" : "lognormal", mean, sd));
          return;
        case Dist::triangular:
          check_range("a triangular distribution");
          if (!(mode >= low && mode <= high))
            fail(
                fmt::format("{}: a triangular distribution needs low <= mode <= high, got {} <= "
                            "{} <= {}",
                            who, low, mode, high));
          return;
        case Dist::beta:
          check_range("a beta distribution");
          if (!finite(alpha) || !finite(beta_) || !(alpha > 0.0) || !(beta_ > 0.0))
            fail(fmt::format("{}: a beta distribution needs alpha > 0 and beta > 0, got {}, {}",
                             who, alpha, beta_));
          return;
      }
  }
  fail(fmt::format("{}: unknown kind", who));
}

double Factor::value(double u) const {
  if (!(u >= 0.0 && u <= 1.0))
    fail(fmt::format("factor '{}': unit coordinate must be in [0, 1], got {}", name, u));
  switch (kind) {
    case Kind::uniform_range:
      return u >= 1.0 ? high : low + u * (high - low);
    case Kind::levels: {
      const std::size_t n = levels.size();
      if (n == 0) validate();
      auto i = static_cast<std::size_t>(std::floor(u * static_cast<double>(n)));
      return levels[std::min(i, n - 1)];
    }
    case Kind::distribution: {
      const double uc = std::clamp(u, kTailQuantile, 1.0 - kTailQuantile);
      switch (dist) {
        case Dist::normal:
          return boost::math::quantile(boost::math::normal_distribution<double>(mean, sd), uc);
        case Dist::lognormal:
          return boost::math::quantile(boost::math::lognormal_distribution<double>(mean, sd), uc);
        case Dist::triangular:
          return boost::math::quantile(
              boost::math::triangular_distribution<double>(low, mode, high), u);
        case Dist::beta:
          return low + (high - low) * boost::math::quantile(
                                          boost::math::beta_distribution<double>(alpha, beta_), u);
      }
    }
  }
  validate();
  fail(fmt::format("factor '{}': unknown kind", name));
}

double Factor::unit(double x) const {
  if (!finite(x)) fail(fmt::format("factor '{}': value {} is not a finite number", name, x));
  switch (kind) {
    case Kind::uniform_range:
      if (x < low || x > high)
        fail(
            fmt::format("factor '{}': value {} is outside its range [{}, {}]", name, x, low, high));
      return (x - low) / (high - low);
    case Kind::levels: {
      for (std::size_t i = 0; i < levels.size(); ++i)
        if (std::abs(x - levels[i]) <= 1e-9 * std::max(1.0, std::abs(levels[i])))
          return (static_cast<double>(i) + 0.5) / static_cast<double>(levels.size());
      std::string list;
      for (double v : levels) list += (list.empty() ? "" : ", ") + fmt::format("{}", v);
      fail(fmt::format("factor '{}': value {} is not one of its levels ({})", name, x, list));
    }
    case Kind::distribution:
      switch (dist) {
        case Dist::normal:
          return boost::math::cdf(boost::math::normal_distribution<double>(mean, sd), x);
        case Dist::lognormal:
          if (!(x > 0.0))
            fail(
                fmt::format("factor '{}': value {} is not positive, so not a possible value of "
                            "a lognormal",
                            name, x));
          return boost::math::cdf(boost::math::lognormal_distribution<double>(mean, sd), x);
        case Dist::triangular:
          if (x < low || x > high)
            fail(fmt::format("factor '{}': value {} is outside its triangular support [{}, {}]",
                             name, x, low, high));
          return boost::math::cdf(boost::math::triangular_distribution<double>(low, mode, high), x);
        case Dist::beta:
          if (x < low || x > high)
            fail(fmt::format("factor '{}': value {} is outside its beta support [{}, {}]", name, x,
                             low, high));
          return boost::math::cdf(boost::math::beta_distribution<double>(alpha, beta_),
                                  std::clamp((x - low) / (high - low), 0.0, 1.0));
      }
  }
  fail(fmt::format("factor '{}': unknown kind", name));
}

std::vector<std::string> Design::names() const {
  std::vector<std::string> out;
  out.reserve(factors.size());
  for (const auto& f : factors) out.push_back(f.name);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Full factorial

Design full_factorial(const std::vector<Factor>& factors,
                      const std::vector<std::size_t>& n_levels) {
  check_factors(factors, "full_factorial");
  const std::size_t k = factors.size();
  if (n_levels.size() != k)
    fail(fmt::format("full_factorial: {} level counts given for {} factors", n_levels.size(), k));
  std::vector<std::size_t> n(k);
  std::size_t total = 1;
  for (std::size_t j = 0; j < k; ++j) {
    n[j] = n_levels[j];
    if (n[j] == 0) {
      if (factors[j].kind != Factor::Kind::levels)
        fail(
            fmt::format("full_factorial: factor '{}' needs at least 1 level (0 means 'all "
                        "levels' only for a levels factor)",
                        factors[j].name));
      n[j] = factors[j].levels.size();
    }
    if (total > 100'000'000 / n[j])
      fail(
          "full_factorial: the grid would have more than 10^8 points; use fewer levels or a "
          "sampling design (latin_hypercube, sobol_saltelli)");
    total *= n[j];
  }
  Design d = make_design(DesignKind::grid, factors, total);
  std::vector<std::size_t> at(k, 0);  // odometer, last factor fastest
  for (std::size_t r = 0; r < total; ++r) {
    for (std::size_t j = 0; j < k; ++j) {
      const double nj = static_cast<double>(n[j]);
      const double i = static_cast<double>(at[j]);
      double u;
      if (factors[j].kind == Factor::Kind::uniform_range)
        u = n[j] == 1 ? 0.5 : i / (nj - 1.0);
      else
        u = (i + 0.5) / nj;
      d.unit(idx(r), idx(j)) = u;
    }
    for (std::size_t j = k; j-- > 0;) {
      if (++at[j] < n[j]) break;
      at[j] = 0;
    }
  }
  fill_values(d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Latin hypercube

Design latin_hypercube(const std::vector<Factor>& factors, std::size_t n, std::uint64_t seed) {
  check_factors(factors, "latin_hypercube");
  if (n == 0) fail("latin_hypercube: the number of points must be at least 1");
  Design d = make_design(DesignKind::latin_hypercube, factors, n);
  d.seed = seed;
  Rng rng(seed);
  std::vector<std::size_t> perm(n);
  const double nd = static_cast<double>(n);
  for (std::size_t j = 0; j < factors.size(); ++j) {
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    shuffle(perm, rng);
    for (std::size_t i = 0; i < n; ++i) {
      const double s = static_cast<double>(perm[i]);
      double u = (s + rng.uniform01()) / nd;
      // Rounding of s + U can land on the next stratum; step back inside this one.
      while (u >= 1.0 || std::floor(u * nd) > s) u = std::nextafter(u, 0.0);
      while (std::floor(u * nd) < s) u = std::nextafter(u, 1.0);
      d.unit(idx(i), idx(j)) = u;
    }
  }
  fill_values(d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Sobol' / Saltelli

Design sobol_saltelli(const std::vector<Factor>& factors, std::size_t base_n, std::uint64_t seed) {
  check_factors(factors, "sobol_saltelli");
  const std::size_t k = factors.size();
  if (base_n < 2 || !std::has_single_bit(base_n)) {
    std::string hint;
    if (base_n < 2) {
      hint = "use 2 or more (e.g. 1024)";
    } else {
      const std::size_t lo = std::bit_floor(base_n);
      hint = fmt::format("use {} or {}", lo, lo * 2);
    }
    fail(
        fmt::format("sobol_saltelli: the base sample size N must be a power of two (the Sobol' "
                    "sequence is balanced only over 2^m points), got N = {}: {}",
                    base_n, hint));
  }
  constexpr std::size_t kMaxDims = boost::random::default_sobol_table::max_dimension;
  const std::size_t dims = 2 * k;
  if (dims > kMaxDims)
    fail(
        fmt::format("sobol_saltelli: {} factors need {} Sobol' dimensions; Boost's table has "
                    "{}, so at most {} factors",
                    k, dims, kMaxDims, kMaxDims / 2));
  if (base_n > std::numeric_limits<std::size_t>::max() / (k + 2) ||
      base_n * (k + 2) > std::size_t{1} << 40)
    fail(fmt::format("sobol_saltelli: N = {} with {} factors gives too many points", base_n, k));

  const std::size_t n = base_n;
  Design d = make_design(DesignKind::sobol_saltelli, factors, n * (k + 2));
  d.seed = seed;
  d.base_n = n;
  Rng rng(seed);
  std::vector<std::uint64_t> shift(dims);
  for (auto& s : shift) s = rng();
  // Boost's engine starts at point 1 of the sequence (it skips the origin); the origin is
  // point 0 here, so that rows 0..N-1 are the first 2^m points, a net.
  boost::random::sobol gen(dims);
  constexpr double kScale = 0x1.0p-53;
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < dims; ++c) {
      const std::uint64_t point = r == 0 ? 0 : static_cast<std::uint64_t>(gen());
      const std::uint64_t raw = point ^ shift[c];
      const double u = static_cast<double>(raw >> 11) * kScale;
      if (c < k)
        d.unit(idx(r), idx(c)) = u;  // A
      else
        d.unit(idx(n + r), idx(c - k)) = u;  // B
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    const Index off = idx((2 + i) * n);
    d.unit.middleRows(off, idx(n)) = d.unit.topRows(idx(n));
    d.unit.block(off, idx(i), idx(n), 1) = d.unit.block(idx(n), idx(i), idx(n), 1);
  }
  fill_values(d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Morris

Design morris(const std::vector<Factor>& factors, const MorrisDesignOptions& o) {
  check_factors(factors, "morris");
  const std::size_t k = factors.size();
  const std::size_t r = o.trajectories;
  if (r == 0) fail("morris: the number of trajectories r must be at least 1");
  if (o.levels < 2 || o.levels % 2 != 0)
    fail(
        fmt::format("morris: the number of grid levels p must be even and at least 2 (so that "
                    "delta = p / (2 (p - 1)) lies on the grid), got p = {}",
                    o.levels));
  if (o.candidates != 0 && o.candidates < r)
    fail(
        fmt::format("morris: candidates (M = {}) must be 0 or at least the number of "
                    "trajectories (r = {})",
                    o.candidates, r));
  const std::size_t m_draw = o.candidates == 0 ? r : o.candidates;
  if (m_draw > 100'000'000 / (k + 1)) fail("morris: too many trajectories");
  const int p = o.levels;
  const int half = p / 2;  // delta in grid steps
  const double step = 1.0 / static_cast<double>(p - 1);
  const double delta = static_cast<double>(p) / (2.0 * static_cast<double>(p - 1));
  const std::size_t rows = k + 1;

  Rng rng(o.seed);
  // Level indices of all candidate trajectories: cand[t][m][j].
  std::vector<std::vector<int>> cand(m_draw, std::vector<int>(rows * k));
  std::vector<std::size_t> order(k);
  std::vector<int> start(k), dir(k);
  for (std::size_t t = 0; t < m_draw; ++t) {
    for (std::size_t j = 0; j < k; ++j) {
      const int base = static_cast<int>(uniform_below(rng, static_cast<std::uint64_t>(half)));
      dir[j] = (rng() >> 63) != 0 ? 1 : -1;
      start[j] = dir[j] > 0 ? base : base + half;
    }
    std::iota(order.begin(), order.end(), std::size_t{0});
    shuffle(order, rng);
    auto& tr = cand[t];
    for (std::size_t j = 0; j < k; ++j) tr[j] = start[j];
    for (std::size_t m = 1; m < rows; ++m) {
      for (std::size_t j = 0; j < k; ++j) tr[m * k + j] = tr[(m - 1) * k + j];
      const std::size_t j = order[m - 1];
      tr[m * k + j] += dir[j] * half;
    }
  }

  std::vector<std::size_t> keep(m_draw);
  std::iota(keep.begin(), keep.end(), std::size_t{0});
  if (m_draw > r) {
    // Pairwise spread d_ml = sum over point pairs of Euclidean distances (unit scale).
    std::vector<double> d2(m_draw * m_draw, 0.0);
    for (std::size_t a = 0; a < m_draw; ++a)
      for (std::size_t b = a + 1; b < m_draw; ++b) {
        double s = 0.0;
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t jj = 0; jj < rows; ++jj) {
            double e = 0.0;
            for (std::size_t f = 0; f < k; ++f) {
              const double diff =
                  static_cast<double>(cand[a][i * k + f] - cand[b][jj * k + f]) * step;
              e += diff * diff;
            }
            s += std::sqrt(e);
          }
        d2[a * m_draw + b] = d2[b * m_draw + a] = s * s;
      }
    std::vector<double> contrib(m_draw, 0.0);
    std::vector<char> alive(m_draw, 1);
    for (std::size_t a = 0; a < m_draw; ++a)
      for (std::size_t b = 0; b < m_draw; ++b) contrib[a] += d2[a * m_draw + b];
    for (std::size_t left = m_draw; left > r; --left) {
      std::size_t worst = m_draw;
      for (std::size_t a = 0; a < m_draw; ++a)
        if (alive[a] && (worst == m_draw || contrib[a] < contrib[worst])) worst = a;
      alive[worst] = 0;
      for (std::size_t a = 0; a < m_draw; ++a) contrib[a] -= d2[a * m_draw + worst];
    }
    keep.clear();
    for (std::size_t a = 0; a < m_draw; ++a)
      if (alive[a]) keep.push_back(a);
  }

  Design d = make_design(DesignKind::morris, factors, r * rows);
  d.seed = o.seed;
  d.trajectories = r;
  d.morris_levels = p;
  d.morris_delta = delta;
  for (std::size_t t = 0; t < r; ++t) {
    const auto& tr = cand[keep[t]];
    for (std::size_t m = 0; m < rows; ++m)
      for (std::size_t j = 0; j < k; ++j) {
        const int level = tr[m * k + j];
        // level / (p - 1), with the top level exactly 1.
        d.unit(idx(t * rows + m), idx(j)) =
            level == p - 1 ? 1.0 : static_cast<double>(level) * step;
      }
  }
  fill_values(d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// User CSV

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct Cell {
  std::string_view text;  // trimmed
  int column;             // 1-based character column of the cell's first character
};

std::vector<Cell> split_line(std::string_view line) {
  std::vector<Cell> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view raw = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::size_t lead = 0;
    while (lead < raw.size() && (raw[lead] == ' ' || raw[lead] == '\t')) ++lead;
    cells.push_back({trim(raw), static_cast<int>(start + lead + 1)});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

bool parse_number(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(trim(s));
}

}  // namespace

Design parse_design_csv(std::string_view text, const std::vector<Factor>& factors,
                        std::string_view source, bool ignore_unknown_columns) {
  check_factors(factors, "parse_design_csv");
  const std::string file(source);
  const std::size_t k = factors.size();
  std::vector<std::string> names;
  for (const auto& f : factors) names.push_back(f.name);
  DiagnosticSink sink;
  auto error = [&](int line, int column, std::string msg, std::string hint = {}) {
    sink.error(Location{file, line, column}, "", std::move(msg), std::move(hint));
  };

  // Split into lines, keeping 1-based line numbers.
  std::vector<std::pair<int, std::string_view>> lines;
  {
    int number = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t nl = text.find('\n', pos);
      const std::string_view line =
          text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      ++number;
      const std::string_view t = trim(line);
      if (!t.empty() && t.front() != '#') lines.emplace_back(number, line);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }
  if (lines.empty()) {
    error(0, 0,
          fmt::format("the design is empty: expected a header line naming the factors ({}) "
                      "and one line per point",
                      fmt::join(names, ", ")));
    sink.throw_if_any();
  }

  // Header.
  const auto [header_line, header_text] = lines.front();
  const std::vector<Cell> header = split_line(header_text);
  std::vector<std::ptrdiff_t> column_of(k, -1);  // factor -> column
  std::vector<std::ptrdiff_t> factor_of(header.size(), -1);
  {
    bool all_numbers = true;
    for (const auto& c : header) {
      double v;
      if (!parse_number(c.text, v)) all_numbers = false;
    }
    if (all_numbers) {
      error(header_line, 1,
            fmt::format("the first line must be a header naming the factors ({}), but it holds "
                        "only numbers",
                        fmt::join(names, ", ")),
            "add a header line; SALib's and numpy's savetxt write none");
      sink.throw_if_any();
    }
  }
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string name = unquote(header[c].text);
    if (name.empty()) {
      error(header_line, header[c].column, fmt::format("column {} has an empty name", c + 1),
            c == 0 ? "R's write.csv adds a column of row names: use row.names = FALSE" : "");
      continue;
    }
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      if (!ignore_unknown_columns)
        error(header_line, header[c].column,
              fmt::format("column '{}' names no factor (the factors are {})", name,
                          fmt::join(names, ", ")),
              did_you_mean(name, names));
      continue;
    }
    const auto j = static_cast<std::size_t>(it - names.begin());
    if (column_of[j] >= 0) {
      error(header_line, header[c].column,
            fmt::format("factor '{}' is named by two columns ({} and {})", name, column_of[j] + 1,
                        c + 1));
      continue;
    }
    column_of[j] = static_cast<std::ptrdiff_t>(c);
    factor_of[c] = static_cast<std::ptrdiff_t>(j);
  }
  std::vector<std::string> missing;
  for (std::size_t j = 0; j < k; ++j)
    if (column_of[j] < 0) missing.push_back(names[j]);
  if (!missing.empty())
    error(header_line, 1,
          fmt::format("the header names no column for factor{} {}", missing.size() > 1 ? "s" : "",
                      fmt::join(missing, ", ")));
  sink.throw_if_any();

  // Rows.
  const std::size_t n = lines.size() - 1;
  if (n == 0) {
    error(header_line, 1, "the design has a header but no points");
    sink.throw_if_any();
  }
  Design d = make_design(DesignKind::user, factors, n);
  for (std::size_t r = 0; r < n; ++r) {
    const auto [line_no, line] = lines[r + 1];
    const std::vector<Cell> cells = split_line(line);
    if (cells.size() != header.size()) {
      error(line_no, 1,
            fmt::format("expected {} values (one per header column), found {}", header.size(),
                        cells.size()));
      continue;
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (factor_of[c] < 0) continue;
      const auto j = static_cast<std::size_t>(factor_of[c]);
      double v = 0.0;
      const std::string_view t = cells[c].text;
      if (!parse_number(t, v)) {
        error(line_no, cells[c].column,
              t.empty() ? fmt::format("factor '{}': the value is missing", names[j])
                        : fmt::format("factor '{}': '{}' is not a number", names[j], t));
        continue;
      }
      if (!finite(v)) {
        error(line_no, cells[c].column,
              fmt::format("factor '{}': '{}' is not a finite number", names[j], t));
        continue;
      }
      try {
        d.unit(idx(r), idx(j)) = factors[j].unit(v);
        d.values(idx(r), idx(j)) = v;
      } catch (const std::invalid_argument& e) {
        error(line_no, cells[c].column, e.what());
      }
    }
  }
  sink.throw_if_any();
  return d;
}

Design read_design_csv(const std::string& path, const std::vector<Factor>& factors,
                       bool ignore_unknown_columns) {
  std::string text;
  std::string why;
  switch (load::read_file_limited(path, kMaxDesignCsvBytes, text, &why)) {
    case load::ReadStatus::ok: break;
    case load::ReadStatus::cannot_open:
      throw InputError(
          Diagnostic{Location{path, 0, 0}, "", "cannot open the design file: " + why, ""});
    case load::ReadStatus::too_large:
      throw InputError(Diagnostic{Location{path, 0, 0}, "",
                                  fmt::format("design file too large: over {} bytes",
                                              kMaxDesignCsvBytes),
                                  "split the design, or give a sampling design in the study file"});
  }
  return parse_design_csv(text, factors, path, ignore_unknown_columns);
}

}  // namespace geosim::study
