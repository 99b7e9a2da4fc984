// One copy per process of an immutable value that many holders keep (a verified descriptor, a
// DHT record): holders share a pointer to the interned copy instead of owning their own. The
// copy goes when its last holder lets go. The caller names the value by a collision-resistant
// digest of its whole content (e.g. BLAKE2b-256 of its encoding), so two different values never
// share a copy. Thread-safe (a mutex per value type).
//
// Why: the simulator runs thousands of nodes in one process, and each ~5 KB descriptor would
// otherwise be held once per cache and per DHT replica; a real node gains a little too (a
// descriptor it caches and stores as a record is kept once).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace zmesh {

using InternKey = std::array<std::uint8_t, 32>;

template <class T>
class Interner {
 public:
  static std::shared_ptr<const T> share(const InternKey& key, T value) {
    Table& t = table();
    std::lock_guard lock(t.mutex);
    auto it = t.entries.find(key);
    if (it != t.entries.end()) {
      if (auto alive = it->second.lock()) return alive;
    }
    // The deleter removes the entry, unless a newer copy under the same key took its place.
    std::shared_ptr<const T> copy(new T(std::move(value)), [key](const T* gone) {
      {
        Table& tt = table();
        std::lock_guard guard(tt.mutex);
        auto entry = tt.entries.find(key);
        if (entry != tt.entries.end() && entry->second.expired()) tt.entries.erase(entry);
      }
      delete gone;
    });
    t.entries[key] = copy;
    return copy;
  }

 private:
  struct Table {
    std::mutex mutex;
    std::map<InternKey, std::weak_ptr<const T>> entries;
  };
  static Table& table() {
    static Table* instance = new Table;  // never destroyed: holders may outlive static destruction
    return *instance;
  }
};

}  // namespace zmesh
