// SimulatedCryptoForSimulatorOnly: while one is alive, ML-KEM-768 and ML-DSA-65 (everything
// src/crypto routes through pqclean()) are replaced, process-wide, by cheap deterministic
// stand-ins with the same sizes and the same draws of randomness. They are NOT secure: a
// stand-in signature is a hash anyone holding the public key can compute, a stand-in
// ciphertext carries its shared secret in the clear. They exist so that the simulator can run
// thousands of whole nodes, whose CPU otherwise goes to ML-DSA in link handshakes and
// descriptors (docs/simulator.md, "Simulated crypto").
//
// Fenced like pq_randombytes.hpp fences PQClean's global: only sim::SimulatedCrypto
// (src/sim/simulated_crypto.hpp) can construct the scope, and NodeRuntime refuses to start
// while active() (a real node must never run on it). Ed25519, X25519, BLAKE2b and the AEAD stay
// real: they are cheap, and keeping them real keeps most of the protocol's byte work honest.
//
// What the stand-ins keep: the wire sizes, the random bytes drawn (keygen 64 / 32, encapsulation
// 32, signing 32, so ExactBytesSource constructions like X-Wing still work), correctness
// (decapsulation gives the encapsulated secret; a signature verifies under its key and message
// and context only), implicit rejection (a changed ciphertext gives an unrelated secret) and
// the FIPS 203 modulus check on public keys (stand-in keys pass it).
#pragma once

namespace zmesh::sim {
class SimulatedCrypto;
}

namespace zmesh::crypto {

class SimulatedCryptoForSimulatorOnly {
 public:
  ~SimulatedCryptoForSimulatorOnly();
  SimulatedCryptoForSimulatorOnly(const SimulatedCryptoForSimulatorOnly&) = delete;
  SimulatedCryptoForSimulatorOnly& operator=(const SimulatedCryptoForSimulatorOnly&) = delete;

  // True while any scope is alive in this process (scopes nest).
  static bool active();

 private:
  friend class zmesh::sim::SimulatedCrypto;
  SimulatedCryptoForSimulatorOnly();
};

}  // namespace zmesh::crypto
