// Internal: a stable sort with little code per use. std::stable_sort instantiates ~4 KB of wasm
// per element type and comparator; here the merge sort is written once, over indices, and each use
// adds only its comparator and a pass of moves. For the short lists the estimator sorts (matches,
// substitutions, lengths), the extra pass costs nothing measurable.

#ifndef PORTCULLIS_SRC_STRENGTH_SMALL_SORT_H_
#define PORTCULLIS_SRC_STRENGTH_SMALL_SORT_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace portcullis::strength {

// Sets `order` to the indices 0..n-1 sorted stably by less(context, a, b).
void stable_order(std::size_t n, bool (*less)(const void* context, std::uint32_t a, std::uint32_t b),
                  const void* context, std::vector<std::uint32_t>& order);

// Sorts `items` stably by `less` (a strict weak order on T), as std::stable_sort does.
template <class T, class Less>
void small_stable_sort(std::vector<T>& items, const Less& less) {
  if (items.size() < 2) return;
  struct Context {
    const std::vector<T>& items;
    const Less& less;
  } context{items, less};
  std::vector<std::uint32_t> order;
  stable_order(
      items.size(),
      [](const void* c, std::uint32_t a, std::uint32_t b) {
        const Context& x = *static_cast<const Context*>(c);
        return x.less(x.items[a], x.items[b]);
      },
      &context, order);
  std::vector<T> sorted;
  sorted.reserve(items.size());
  for (const std::uint32_t k : order) sorted.push_back(std::move(items[k]));
  items.swap(sorted);
}

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_SMALL_SORT_H_
