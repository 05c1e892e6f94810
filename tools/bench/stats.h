#pragma once

#include <algorithm>
#include <vector>

namespace infobus::bench {

// The median of `values` (the mean of the middle two for an even count); 0 for none.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace infobus::bench
