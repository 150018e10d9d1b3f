// The fuzz targets without libFuzzer (the gcc release build): runs the target once
// on every file named on the command line, or in a directory named there, and fails if none was
// found. ctest runs each target on its seed corpus (tests/fuzz/corpus/<target>/), which also holds
// every input a fuzzing run ever broke a property with, so those stay fixed.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz_check.h"

namespace {

void run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 0;
  for (int k = 1; k < argc; ++k) {
    const std::filesystem::path arg(argv[k]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (!entry.is_regular_file()) continue;
        run_file(entry.path());
        ++runs;
      }
    } else {
      run_file(arg);
      ++runs;
    }
  }
  if (runs == 0) {
    std::fprintf(stderr, "no inputs: name files or directories of them\n");
    return 2;
  }
  std::printf("%zu inputs, every property held\n", runs);
  return 0;
}
