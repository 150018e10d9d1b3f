#include "strength/small_sort.h"

namespace portcullis::strength {

void stable_order(std::size_t n, bool (*less)(const void* context, std::uint32_t a, std::uint32_t b),
                  const void* context, std::vector<std::uint32_t>& order) {
  order.resize(n);
  for (std::size_t k = 0; k < n; ++k) order[k] = static_cast<std::uint32_t>(k);
  // Bottom-up merge sort: runs of `width` are merged pairwise from `order` into `buffer`, stably
  // (on ties the left run's element goes first).
  std::vector<std::uint32_t> buffer(n);
  for (std::size_t width = 1; width < n; width *= 2) {
    for (std::size_t lo = 0; lo < n; lo += 2 * width) {
      const std::size_t mid = lo + width < n ? lo + width : n;
      const std::size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      std::size_t a = lo;
      std::size_t b = mid;
      for (std::size_t out = lo; out < hi; ++out) {
        if (a < mid && (b >= hi || !less(context, order[b], order[a]))) {
          buffer[out] = order[a++];
        } else {
          buffer[out] = order[b++];
        }
      }
    }
    order.swap(buffer);
  }
}

}  // namespace portcullis::strength
