// Numbers as people read them in the text outputs (run's summary, compare's table, the story):
// thousands separated by commas and no exponent between 1e-4 and 1e15, at a stated number of
// significant digits. The JSON and CSV outputs keep every digit.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include <fmt/format.h>

namespace geosim::detail {

// x to `digits` significant digits: 1234567.8 -> "1,230,000" (3), 8212.8 -> "8,213" (4),
// 3.005 -> "3" (3), 0.47535 -> "0.4754" (4). Integers below 10^digits keep all their digits.
inline std::string readable(double x, int digits) {
  if (std::isnan(x)) return "nan";  // whatever its sign bit (inf - inf is -nan on x86)
  if (!std::isfinite(x)) return fmt::format("{}", x);
  const double a0 = std::abs(x);
  if (a0 >= 1e-4 && a0 < 1e15) {
    // Rounded to `digits` significant digits first, so that 999.95 at 3 digits is 1,000.
    const double a = std::stod(fmt::format("{:.{}e}", a0, digits - 1));
    if (a >= 1000) {
      const std::string d = fmt::format("{:.0f}", a);
      std::string out;
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
        out += d[i];
      }
      return (x < 0 ? "-" : "") + out;
    }
  }
  const std::string s = fmt::format("{:.{}g}", x, digits);
  return s == "-0" ? "0" : s;
}

}  // namespace geosim::detail
