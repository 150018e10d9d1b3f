#include "auth/hash_memory.h"

#include <sodium.h>
#include <sys/mman.h>
#include <sys/types.h>

#include <cstddef>

extern "C" {
void* __real_mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset);
int __real_munmap(void* addr, std::size_t length);
void* __wrap_mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset);
int __wrap_munmap(void* addr, std::size_t length);
}

namespace portcullis::auth {
namespace {

// Smaller mappings are not hash memory (and cost little).
constexpr std::size_t kHashMemoryFrom = std::size_t{1} << 20;

// A hash worker's kept region.
struct KeptRegion {
  bool enabled = false;
  void* base = nullptr;
  std::size_t length = 0;
  int prot = 0;
  bool in_use = false;

  ~KeptRegion() {
    if (base != nullptr) (void)__real_munmap(base, length);
  }
};

thread_local KeptRegion kept;

}  // namespace

void keep_hash_memory() { kept.enabled = true; }

}  // namespace portcullis::auth

using portcullis::auth::kept;

extern "C" void* __wrap_mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset) {
  // libsodium's: mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0).
  const bool hash_memory = kept.enabled && addr == nullptr && fd == -1 &&
                           (flags & (MAP_ANONYMOUS | MAP_PRIVATE | MAP_SHARED | MAP_FIXED)) ==
                               (MAP_ANONYMOUS | MAP_PRIVATE) &&
                           length >= portcullis::auth::kHashMemoryFrom;
  if (!hash_memory || kept.in_use) return __real_mmap(addr, length, prot, flags, fd, offset);
  if (kept.base != nullptr && (kept.length != length || kept.prot != prot)) {
    (void)__real_munmap(kept.base, kept.length);  // another size (another hash's parameters)
    kept.base = nullptr;
  }
  if (kept.base == nullptr) {
    void* p = __real_mmap(addr, length, prot, flags, fd, offset);
    if (p == MAP_FAILED) return p;
    kept.base = p;
    kept.length = length;
    kept.prot = prot;
  }
  kept.in_use = true;
  return kept.base;
}

extern "C" int __wrap_munmap(void* addr, std::size_t length) {
  if (addr != nullptr && addr == kept.base && length == kept.length && kept.in_use) {
    // As good as unmapping for what the hash leaves behind: nothing of it survives.
    sodium_memzero(addr, length);
    kept.in_use = false;
    return 0;
  }
  return __real_munmap(addr, length);
}
