// Internal: zxcvbn 4.4.2's keyboard graphs (qwerty, dvorak, keypad, mac_keypad), generated into
// adjacency_graphs.cc by tools/gen-strength-tables.mjs.

#ifndef PORTCULLIS_SRC_STRENGTH_ADJACENCY_GRAPHS_H_
#define PORTCULLIS_SRC_STRENGTH_ADJACENCY_GRAPHS_H_

#include <cstddef>

namespace portcullis::strength {

// One key and its neighbours. A slot holds the neighbouring key's characters (unshifted, then
// shifted, for the keyboards; one character, then '\0', for the keypads), or two '\0' if there is
// no neighbour that way; the slot's index is the direction. Keypads use the first 8 slots,
// keyboards the first 6.
struct GraphKey {
  char key;
  char slots[8][2];
};

struct Graph {
  const char* name;  // zxcvbn's name: "qwerty", "dvorak", "keypad", "mac_keypad"
  int slot_count;
  const GraphKey* keys;  // in zxcvbn's key order
  std::size_t key_count;
};

inline constexpr int kGraphCount = 4;

// In zxcvbn's order (which orders spatial matches on the same span).
extern const Graph kGraphs[kGraphCount];

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_ADJACENCY_GRAPHS_H_
