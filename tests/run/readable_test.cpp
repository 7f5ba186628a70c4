// The numbers of the text outputs (engine/run/readable.h): significant digits, commas, no exponent
// in the range people read, and integers kept whole.
#include "run/readable.h"

#include <cmath>

#include <gtest/gtest.h>

namespace {

using geosim::detail::readable;

TEST(Readable, SignificantDigitsCommasAndNoExponent) {
  EXPECT_EQ(readable(1234567.8, 3), "1,230,000");
  EXPECT_EQ(readable(8212.8, 4), "8,213");
  EXPECT_EQ(readable(12310.0, 3), "12,300");
  EXPECT_EQ(readable(2.5442e8, 5), "254,420,000");
  EXPECT_EQ(readable(-9676.4, 3), "-9,680");
  EXPECT_EQ(readable(999.95, 3), "1,000");  // rounded first, then grouped
  EXPECT_EQ(readable(999.4, 3), "999");
  EXPECT_EQ(readable(3.005, 3), "3");       // a sketch's bucket value of 3, within its 0.5%
  EXPECT_EQ(readable(0.47536, 4), "0.4754");
  EXPECT_EQ(readable(0.0009913, 3), "0.000991");
  EXPECT_EQ(readable(-2.002, 3), "-2");
  EXPECT_EQ(readable(0.0, 3), "0");
  EXPECT_EQ(readable(-0.0, 3), "0");
  EXPECT_EQ(readable(1000.0, 3), "1,000");
  EXPECT_EQ(readable(1e15, 3), "1e+15");  // past the grouped range: an exponent again
  EXPECT_EQ(readable(NAN, 3), "nan");
}

}  // namespace
