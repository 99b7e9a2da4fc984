// Cross-platform determinism check: computes deterministic outputs of the portable core
// (seeded randomness, wire encodings, hashes, AEAD, X25519, Ed25519, ML-KEM-768,
// ML-DSA-65, X-Wing, hybrid signatures) and prints one BLAKE2b-256 digest per section plus
// an overall digest. The native and the WebAssembly builds must print identical text
// (tests/portable/compare.sh), which catches 32-bit size_t, endianness and libc++ vs
// libstdc++ differences that each build's own unit tests cannot see.
//
// Nothing here is an expected constant: both sides recompute everything. Built-in
// self-checks (decapsulation == encapsulation, signatures verify, decode(encode(x)) == x)
// make the program fail on its own if a primitive is broken on one platform.
#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/random.hpp"
#include "util/bytes.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

#ifdef ZMESH_PORTABLE_HAS_CRYPTO
#include "crypto/aead.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/hash.hpp"
#include "crypto/hybrid_kem.hpp"
#include "crypto/hybrid_sig.hpp"
#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "crypto/x25519.hpp"
#endif

#ifdef ZMESH_PORTABLE_HAS_SIM
#include "sim/simulator.hpp"
#endif

namespace zmesh {
namespace {

int g_failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "portable_digest: self-check failed: %s\n", what);
    ++g_failures;
  }
}

// BLAKE2b-256 accumulator over everything a section produces. Integers are absorbed as
// 8-byte big-endian values so that the digest never depends on the host's word size.
class Section {
 public:
  explicit Section(const char* name) : name_(name) { crypto_generichash_init(&state_, nullptr, 0, 32); }
  void bytes(ByteView data) {
    u64(data.size());
    crypto_generichash_update(&state_, data.data(), data.size());
  }
  void u64(std::uint64_t v) {
    std::uint8_t raw[8];
    for (int i = 0; i < 8; ++i) raw[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
    crypto_generichash_update(&state_, raw, sizeof raw);
  }
  ByteArray<32> finish() {
    ByteArray<32> out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    std::printf("%-14s %s\n", name_, to_hex(out).c_str());
    return out;
  }

 private:
  const char* name_;
  crypto_generichash_state state_{};
};

ByteArray<32> seeded_random_section() {
  Section s("seeded_random");
  SeededRandom a(42);
  Bytes stream(4099);  // not a multiple of the 64-byte block: exercises the buffering
  a.fill(stream);
  s.bytes(stream);
  for (int i = 0; i < 64; ++i) s.u64(a.next_u64());
  const std::uint64_t bounds[] = {1, 2, 3, 10, 1000000007ULL, 0x8000000000000001ULL, UINT64_MAX};
  for (std::uint64_t bound : bounds)
    for (int i = 0; i < 32; ++i) s.u64(a.uniform(bound));
  for (int i = 0; i < 32; ++i) {
    double d = a.unit();
    std::uint64_t bits = 0;
    static_assert(sizeof bits == sizeof d);
    std::memcpy(&bits, &d, sizeof d);
    s.u64(bits);
  }
  ByteArray<32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  SeededRandom b(key);
  auto child = b.fork();
  auto grandchild = child->fork();
  s.bytes(b.array<100>());
  s.bytes(child->array<100>());
  s.bytes(grandchild->array<100>());
  return s.finish();
}

ByteArray<32> wire_section() {
  Section s("wire");
  SeededRandom r(7);
  for (int round = 0; round < 200; ++round) {
    const auto v8 = static_cast<std::uint8_t>(r.next_u64());
    const auto v16 = static_cast<std::uint16_t>(r.next_u64());
    const auto v32 = static_cast<std::uint32_t>(r.next_u64());
    const std::uint64_t v64 = r.next_u64();
    Bytes blob(r.uniform(300));
    r.fill(blob);
    const std::string text(r.uniform(40), static_cast<char>('a' + round % 26));
    wire::Writer w;
    w.u8(v8).u16(v16).u32(v32).u64(v64).bytes_u16(blob).string_u8(text).zeros(round % 5);
    w.bytes_u32(ByteView(blob).first(blob.size() / 2)).bytes_u8(ByteView(blob).first(std::min<std::size_t>(blob.size(), 255)));
    const Bytes encoded = w.take();
    s.bytes(encoded);

    wire::Reader rd(encoded);
    bool ok = rd.u8().value() == v8 && rd.u16().value() == v16 && rd.u32().value() == v32 &&
              rd.u64().value() == v64;
    auto blob_back = rd.bytes_u16();
    ok = ok && blob_back.ok() && Bytes(blob_back->begin(), blob_back->end()) == blob;
    auto text_back = rd.string_u8();
    ok = ok && text_back.ok() && *text_back == text;
    check(ok, "wire round trip");

    // Truncated input must fail the same way everywhere: absorb the error code and offset.
    wire::Reader cut(ByteView(encoded).first(encoded.size() / 3));
    auto bad = cut.bytes_u32(1 << 20);
    for (int i = 0; i < 8 && bad.ok(); ++i) bad = cut.bytes_u32(1 << 20);
    s.u64(bad.ok() ? 0xffff : static_cast<std::uint64_t>(bad.error().code));
    s.u64(cut.offset());
  }
  return s.finish();
}

#ifdef ZMESH_PORTABLE_HAS_CRYPTO
Bytes pattern(std::size_t n, std::uint8_t salt) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 31 + salt);
  return out;
}

ByteArray<32> hash_section() {
  Section s("hash");
  for (std::size_t n : {0u, 1u, 63u, 64u, 127u, 128u, 129u, 1000u, 65537u}) {
    const Bytes msg = pattern(n, 3);
    s.bytes(crypto::blake2b_256(msg));
    s.bytes(crypto::sha3_256(msg));
    s.bytes(crypto::blake2b_keyed(pattern(32, 9), msg, 64));
  }
  crypto::Blake2b256 inc;
  const Bytes big = pattern(1 << 20, 5);
  for (std::size_t off = 0; off < big.size(); off += 4093)
    inc.update(ByteView(big).subspan(off, std::min<std::size_t>(4093, big.size() - off)));
  const auto streamed = inc.finish();
  check(streamed == crypto::blake2b_256(big), "incremental BLAKE2b == one-shot");
  s.bytes(streamed);
  s.bytes(crypto::derive_key(pattern(32, 1), "zmesh/portable/v1", 96).view());
  return s.finish();
}

ByteArray<32> aead_section() {
  Section s("aead");
  const auto key = crypto::SecretBytes::copy_of(pattern(32, 11));
  const Bytes ad = pattern(13, 2);
  for (std::size_t n : {0u, 1u, 64u, 1500u}) {
    const Bytes pt = pattern(n, 4);
    Bytes ct(n + crypto::kAeadTagBytes);
    crypto::chacha20poly1305_seal(key, crypto::counter_nonce(n), ad, pt, ct);
    s.bytes(ct);
    Bytes back(n);
    check(crypto::chacha20poly1305_open(key, crypto::counter_nonce(n), ad, ct, back).ok() && back == pt,
          "chacha20poly1305 open");
    const Bytes xct = crypto::xchacha20poly1305_seal(key, pattern(24, 6), ad, pt);
    s.bytes(xct);
    auto xback = crypto::xchacha20poly1305_open(key, pattern(24, 6), ad, xct);
    check(xback.ok() && *xback == pt, "xchacha20poly1305 open");
    Bytes stream(n);
    crypto::chacha20_xor(key, pattern(12, 8), 7, pt, stream);
    s.bytes(stream);
  }
  return s.finish();
}

ByteArray<32> classic_section() {
  Section s("x25519_ed25519");
  SeededRandom r(2024);
  for (int i = 0; i < 4; ++i) {
    const auto alice = crypto::x25519_generate(r);
    const auto bob = crypto::x25519_generate(r);
    auto ab = crypto::x25519_shared(alice.secret_key, bob.public_key);
    auto ba = crypto::x25519_shared(bob.secret_key, alice.public_key);
    check(ab.ok() && ba.ok() && crypto::constant_time_equal(ab->view(), ba->view()), "x25519 agreement");
    s.bytes(alice.public_key.bytes);
    if (ab.ok()) s.bytes(ab->view());

    const auto signer = crypto::ed25519_generate(r);
    const Bytes msg = pattern(100 + i, 1);
    const auto sig = crypto::ed25519_sign(signer.secret_key, msg);
    check(crypto::ed25519_verify(signer.public_key, msg, sig).ok(), "ed25519 verify");
    s.bytes(signer.public_key.bytes);
    s.bytes(sig);
  }
  return s.finish();
}

ByteArray<32> pq_section() {
  Section s("mlkem_mldsa");
  SeededRandom r(31337);
  for (int i = 0; i < 2; ++i) {
    const auto kem = crypto::mlkem768_generate(r);
    const auto enc = crypto::mlkem768_encapsulate(kem.public_key, r);
    auto dec = crypto::mlkem768_decapsulate(kem.secret_key, enc.ciphertext);
    check(dec.ok() && crypto::constant_time_equal(dec->view(), enc.shared_secret.view()), "ML-KEM-768 decaps");
    s.bytes(kem.public_key.bytes);
    s.bytes(kem.secret_key.view());
    s.bytes(enc.ciphertext);
    s.bytes(enc.shared_secret.view());

    const auto dsa = crypto::mldsa65_generate(r);
    const Bytes msg = pattern(200 + i, 2);
    const Bytes sig = crypto::mldsa65_sign(dsa.secret_key, msg, as_bytes("zmesh/portable"), r);
    check(crypto::mldsa65_verify(dsa.public_key, msg, as_bytes("zmesh/portable"), sig).ok(), "ML-DSA-65 verify");
    s.bytes(dsa.public_key.bytes);
    s.bytes(sig);
  }
  return s.finish();
}

ByteArray<32> hybrid_section() {
  Section s("xwing_hybrid");
  SeededRandom r(99);
  const auto kem = crypto::hybrid_kem_generate(r);
  const Bytes pk = kem.public_key.encode();
  auto decoded = crypto::HybridKemPublicKey::decode(pk);
  check(decoded.ok() && *decoded == kem.public_key, "X-Wing public key round trip");
  const auto enc = crypto::hybrid_kem_encapsulate(kem.public_key, r);
  auto dec = crypto::hybrid_kem_decapsulate(kem, enc.ciphertext);
  check(dec.ok() && crypto::constant_time_equal(dec->view(), enc.shared_secret.view()), "X-Wing decaps");
  s.bytes(pk);
  s.bytes(enc.ciphertext);
  s.bytes(enc.shared_secret.view());
  s.bytes(crypto::hybrid_kem_from_seed(pattern(32, 5)).public_key.encode());

  const auto sig_key = crypto::hybrid_sig_generate(r);
  const Bytes msg = pattern(333, 7);
  const Bytes sig = crypto::hybrid_sign(sig_key, "zmesh/portable/v1", msg, r);
  check(crypto::hybrid_verify(sig_key.public_key, "zmesh/portable/v1", msg, sig).ok(), "hybrid verify");
  s.bytes(sig_key.public_key.encode());
  s.bytes(sig);
  return s.finish();
}
#endif


#ifdef ZMESH_PORTABLE_HAS_SIM
// A small gossip core: on a random timer it sends a random-sized payload to a random peer;
// receivers fold what they got into a running hash and sometimes forward it. Its only
// inputs are the node's RandomSource and the simulator's events, so the whole run (and the
// simulator's loss/jitter decisions, which use floating point) must replay identically.
class GossipCore final : public Core {
 public:
  GossipCore(RandomSource& random, std::uint32_t nodes) : random_(random), nodes_(nodes) {}
  void on_start(TimeUs now) override { deadline_ = now + 1 + static_cast<TimeUs>(random_.uniform(50 * kMillisecond)); }
  void on_receive(TimeUs now, PeerHandle from, ByteView payload) override {
    crypto_generichash(state_.data(), state_.size(), payload.data(), payload.size(), state_.data(), state_.size());
    if (payload.size() > 8 && random_.unit() < 0.3) {
      Bytes forward(payload.begin(), payload.end() - 1);
      forward[0] = static_cast<std::uint8_t>(from);
      outbox_.push(random_.uniform(nodes_), std::move(forward));
    }
    (void)now;
  }
  void on_timeout(TimeUs now) override {
    Bytes payload(1 + random_.uniform(200));
    random_.fill(payload);
    for (std::size_t i = 0; i < 8 && i < payload.size(); ++i) payload[i] ^= state_[i];
    outbox_.push(random_.uniform(nodes_), std::move(payload));
    deadline_ = now + 1 + static_cast<TimeUs>(random_.uniform(100 * kMillisecond));
  }
  TimeUs next_deadline() const override { return deadline_; }
  std::optional<Transmit> poll_transmit() override { return outbox_.pop(); }

 private:
  RandomSource& random_;
  std::uint32_t nodes_;
  TimeUs deadline_ = kNever;
  ByteArray<32> state_{};
  Outbox outbox_{64};
};

constexpr std::uint32_t kSimNodes = 24;

ByteArray<32> sim_section() {
  Section s("sim");
  sim::Simulator simulator(0x5eed);
  sim::LinkProfile lossy;
  lossy.latency = 20 * kMillisecond;
  lossy.jitter = 15 * kMillisecond;
  lossy.loss = 0.05;
  simulator.set_default_link(lossy);
  sim::LinkProfile narrow;
  narrow.bandwidth_bytes_per_s = 20000;
  narrow.queue_limit_bytes = 2000;
  simulator.set_link(0, 1, narrow);
  simulator.add_nodes(kSimNodes, [](const sim::NodeContext& ctx) {
    return std::make_unique<GossipCore>(ctx.random, kSimNodes);
  });
  simulator.at(2 * kSecond, [](sim::Simulator& sm) { sm.partition({{0, 1, 2, 3, 4, 5}}); });
  simulator.crash_at(3 * kSecond, 7);
  simulator.restart_at(4 * kSecond, 7);
  simulator.at(5 * kSecond, [](sim::Simulator& sm) { sm.heal(); });
  s.u64(simulator.run_until(8 * kSecond));
  const sim::SimStats& st = simulator.stats();
  for (std::uint64_t v : {st.events, st.timeouts, st.messages_sent, st.bytes_sent, st.messages_delivered,
                          st.bytes_delivered, st.dropped_loss, st.dropped_queue_full, st.dropped_partition,
                          st.dropped_node_down, st.crashes, st.restarts})
    s.u64(v);
  check(st.messages_delivered > 0 && st.dropped_loss > 0 && st.dropped_partition > 0, "simulation exercised links");
  s.bytes(simulator.trace_hash());
  return s.finish();
}
#endif

}  // namespace
}  // namespace zmesh

int main() {
  using namespace zmesh;
  if (sodium_init() < 0) return 2;
#ifdef ZMESH_PORTABLE_HAS_CRYPTO
  crypto::init();
#endif
  Section all("portable");
  all.bytes(seeded_random_section());
  all.bytes(wire_section());
#ifdef ZMESH_PORTABLE_HAS_CRYPTO
  all.bytes(hash_section());
  all.bytes(aead_section());
  all.bytes(classic_section());
  all.bytes(pq_section());
  all.bytes(hybrid_section());
#endif
#ifdef ZMESH_PORTABLE_HAS_SIM
  all.bytes(sim_section());
#endif
  all.finish();
  if (g_failures != 0) {
    std::fprintf(stderr, "portable_digest: %d self-check(s) failed\n", g_failures);
    return 1;
  }
  return 0;
}
