// What the fuzz targets share: FUZZ_CHECK, which reports a broken property and aborts, so that
// libFuzzer (or the replay driver) stops on the input that broke it and keeps it.

#ifndef PORTCULLIS_TESTS_FUZZ_FUZZ_CHECK_H_
#define PORTCULLIS_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Aborts with the file, line and the failed condition unless `condition` holds.
#define FUZZ_CHECK(condition)                                                               \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

// The entry point every target defines (libFuzzer's; replay_main.cc calls it without libFuzzer).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// The fuzzer's bytes as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

#endif  // PORTCULLIS_TESTS_FUZZ_FUZZ_CHECK_H_
