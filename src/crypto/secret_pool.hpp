// The allocator behind SecretBytes: small secrets are carved out of a few large guarded
// regions instead of one sodium_malloc each. A sodium_malloc costs mmap + 4 mprotect + mlock
// + madvise (and munmap + munlock on free), ~20 µs natively and ~245 KiB of heap under
// WebAssembly; a handshake allocates ~45 short-lived secrets.
//
// What a secret keeps compared with its own sodium_malloc (docs/crypto.md "Where secrets
// live"): its region is still guarded (guard pages around each chunk), mlocked and excluded
// from core dumps; every slot is wiped with sodium_memzero when freed; a random canary
// right after the secret's last byte is checked on free (an overflow aborts). What it gives
// up: a guard page between two secrets of the same chunk (an overflow is caught at free time
// by the canary rather than at the faulting write; under AddressSanitizer free slots and
// canaries are poisoned, so fuzz builds catch it at the write).
//
// Under emscripten chunks come from plain calloc (no guard pages or mlock exist there) and
// are wiped the same way.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zmesh::crypto::detail {

struct SecretChunk;

struct SecretAllocation {
  std::uint8_t* data = nullptr;
  SecretChunk* chunk = nullptr;  // nullptr: a dedicated sodium_malloc region (large secrets)
};

// Zero-filled, `size` > 0. Aborts if memory cannot be obtained. Thread-safe.
SecretAllocation secret_allocate(std::size_t size);
// Checks the canary (aborts on overflow), wipes and returns the slot. `size` as allocated.
void secret_release(SecretAllocation allocation, std::size_t size);

// Largest size served from pooled slots; larger secrets get their own sodium_malloc region.
inline constexpr std::size_t kMaxPooledSecretBytes = 4096;

struct SecretPoolStats {
  std::size_t chunks = 0;             // pooled regions currently mapped
  std::size_t live_slots = 0;         // pooled secrets currently allocated
  std::size_t dedicated_regions = 0;  // large secrets currently allocated with sodium_malloc
};
SecretPoolStats secret_pool_stats();

}  // namespace zmesh::crypto::detail
