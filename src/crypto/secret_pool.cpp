#include "crypto/secret_pool.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/secure.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZMESH_SECRET_POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ZMESH_SECRET_POOL_ASAN 1
#endif
#ifdef ZMESH_SECRET_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace zmesh::crypto::detail {
namespace {

// Free slots and canaries are unaddressable under AddressSanitizer, so a stray write is
// reported where it happens instead of at free time.
void poison(const std::uint8_t* p, std::size_t n) {
#ifdef ZMESH_SECRET_POOL_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  static_cast<void>(p);
  static_cast<void>(n);
#endif
}

void unpoison(const std::uint8_t* p, std::size_t n) {
#ifdef ZMESH_SECRET_POOL_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  static_cast<void>(p);
  static_cast<void>(n);
#endif
}

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "zmesh: %s; aborting\n", what);
  std::abort();
}

constexpr std::size_t kCanaryBytes = 16;
constexpr std::size_t kSmallestClassBytes = 16;
constexpr std::size_t kClassCount = 9;  // 16, 32, ..., 4096 bytes
static_assert(kSmallestClassBytes << (kClassCount - 1) == kMaxPooledSecretBytes);
// Each chunk is about this large (at least 8 slots): a handful of chunks serve a process.
constexpr std::size_t kChunkTargetBytes = 32 * 1024;
constexpr std::size_t kMinSlotsPerChunk = 8;

// Natively: libsodium's guarded allocation (guard pages, mlock, MADV_DONTDUMP, canary).
// emscripten: libsodium has no mmap/mprotect/mlock there and would spend 4 wasm pages
// (256 KiB) per region, so plain zeroed memory.
std::uint8_t* region_allocate(std::size_t bytes) {
#ifdef __EMSCRIPTEN__
  void* p = std::calloc(bytes, 1);
#else
  init();  // sodium_malloc needs the page size libsodium learns in sodium_init
  void* p = sodium_malloc(bytes);
#endif
  if (p == nullptr) fatal("cannot allocate guarded memory for secrets");
  return static_cast<std::uint8_t*>(p);
}

void region_free(std::uint8_t* p, std::size_t bytes) {
  sodium_memzero(p, bytes);
#ifdef __EMSCRIPTEN__
  std::free(p);
#else
  sodium_free(p);
#endif
}

}  // namespace

struct SecretChunk {
  std::uint8_t* base = nullptr;
  std::size_t slot_bytes = 0;  // class size + canary
  std::size_t slot_count = 0;
  std::vector<std::uint32_t> free_slots;  // indices; not secret, so ordinary heap memory
  std::size_t region_bytes() const { return slot_bytes * slot_count; }
};

namespace {

struct Pool {
  std::mutex mutex;
  std::array<std::vector<std::unique_ptr<SecretChunk>>, kClassCount> classes;
  std::array<std::uint8_t, kCanaryBytes> canary{};
  std::size_t live_slots = 0;
  std::size_t dedicated_regions = 0;

  Pool() {
    init();
    randombytes_buf(canary.data(), canary.size());
  }
};

// Never destroyed: a SecretBytes with static storage duration may be destroyed after any
// other static object, and must still find its pool. Live secrets wipe themselves.
Pool& pool() {
  static Pool* const instance = new Pool();
  return *instance;
}

std::size_t class_of(std::size_t size) {
  std::size_t index = 0;
  while ((kSmallestClassBytes << index) < size) ++index;
  return index;
}

std::unique_ptr<SecretChunk> make_chunk(std::size_t class_index) {
  auto chunk = std::make_unique<SecretChunk>();
  chunk->slot_bytes = (kSmallestClassBytes << class_index) + kCanaryBytes;
  chunk->slot_count = std::max(kMinSlotsPerChunk, kChunkTargetBytes / chunk->slot_bytes);
  chunk->base = region_allocate(chunk->region_bytes());
  sodium_memzero(chunk->base, chunk->region_bytes());  // sodium_malloc fills with 0xdb
  poison(chunk->base, chunk->region_bytes());
  chunk->free_slots.reserve(chunk->slot_count);
  // Highest index first, so slots are handed out from the start of the region.
  for (std::size_t i = chunk->slot_count; i-- > 0;) chunk->free_slots.push_back(static_cast<std::uint32_t>(i));
  return chunk;
}

void destroy_chunk(SecretChunk& chunk) {
  unpoison(chunk.base, chunk.region_bytes());
  region_free(chunk.base, chunk.region_bytes());
  chunk.base = nullptr;
}

// Older chunks first, so that newer ones drain and can be unmapped.
SecretChunk& chunk_with_free_slot(std::vector<std::unique_ptr<SecretChunk>>& chunks, std::size_t class_index) {
  for (auto& chunk : chunks)
    if (!chunk->free_slots.empty()) return *chunk;
  chunks.push_back(make_chunk(class_index));
  return *chunks.back();
}

// A chunk whose last slot was returned is unmapped unless it is the class's only empty chunk
// (one spare avoids an mmap/munmap cycle when usage hovers around a chunk boundary).
void maybe_unmap(std::vector<std::unique_ptr<SecretChunk>>& chunks, SecretChunk& emptied) {
  std::size_t empty_chunks = 0;
  for (const auto& chunk : chunks)
    if (chunk->free_slots.size() == chunk->slot_count) ++empty_chunks;
  if (empty_chunks < 2) return;
  for (auto it = chunks.begin(); it != chunks.end(); ++it) {
    if (it->get() != &emptied) continue;
    destroy_chunk(**it);
    chunks.erase(it);
    return;
  }
}

}  // namespace

SecretAllocation secret_allocate(std::size_t size) {
  if (size == 0) fatal("secret_allocate called with size 0");
  Pool& p = pool();
  if (size > kMaxPooledSecretBytes) {
    std::uint8_t* data = region_allocate(size);
    sodium_memzero(data, size);
    std::lock_guard lock(p.mutex);
    ++p.dedicated_regions;
    return {data, nullptr};
  }
  const std::size_t class_index = class_of(size);
  SecretChunk* chunk = nullptr;
  std::uint32_t slot = 0;
  {
    std::lock_guard lock(p.mutex);
    chunk = &chunk_with_free_slot(p.classes[class_index], class_index);
    slot = chunk->free_slots.back();
    chunk->free_slots.pop_back();
    ++p.live_slots;
  }
  std::uint8_t* data = chunk->base + std::size_t{slot} * chunk->slot_bytes;
  unpoison(data, chunk->slot_bytes);
  sodium_memzero(data, size);  // freed slots are wiped already; this keeps the promise local
  std::memcpy(data + size, p.canary.data(), kCanaryBytes);
  poison(data + size, chunk->slot_bytes - size);  // canary and unused tail
  return {data, chunk};
}

void secret_release(SecretAllocation allocation, std::size_t size) {
  Pool& p = pool();
  if (allocation.chunk == nullptr) {
    region_free(allocation.data, size);
    std::lock_guard lock(p.mutex);
    --p.dedicated_regions;
    return;
  }
  SecretChunk& chunk = *allocation.chunk;
  unpoison(allocation.data, chunk.slot_bytes);
  if (sodium_memcmp(allocation.data + size, p.canary.data(), kCanaryBytes) != 0)
    fatal("a secret buffer was written past its end (canary overwritten)");
  sodium_memzero(allocation.data, chunk.slot_bytes);
  poison(allocation.data, chunk.slot_bytes);
  const auto slot = static_cast<std::uint32_t>(static_cast<std::size_t>(allocation.data - chunk.base) / chunk.slot_bytes);
  std::lock_guard lock(p.mutex);
  chunk.free_slots.push_back(slot);
  --p.live_slots;
  if (chunk.free_slots.size() == chunk.slot_count) maybe_unmap(p.classes[class_of(chunk.slot_bytes - kCanaryBytes)], chunk);
}

SecretPoolStats secret_pool_stats() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  SecretPoolStats stats;
  for (const auto& chunks : p.classes) stats.chunks += chunks.size();
  stats.live_slots = p.live_slots;
  stats.dedicated_regions = p.dedicated_regions;
  return stats;
}

}  // namespace zmesh::crypto::detail
