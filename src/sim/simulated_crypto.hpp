// The simulator's door to crypto::SimulatedCryptoForSimulatorOnly (src/crypto/simulated_crypto.hpp):
// while a SimulatedCrypto is alive, ML-KEM-768 and ML-DSA-65 are insecure, cheap stand-ins
// in the whole process. A scenario holds one for `--crypto simulated`; nothing outside
// src/sim and tests can construct the crypto scope, and NodeRuntime refuses to start under it.
#pragma once

#include "crypto/simulated_crypto.hpp"

namespace zmesh::sim {

class SimulatedCrypto {
 public:
  SimulatedCrypto() = default;
  SimulatedCrypto(const SimulatedCrypto&) = delete;
  SimulatedCrypto& operator=(const SimulatedCrypto&) = delete;

 private:
  crypto::SimulatedCryptoForSimulatorOnly scope_;
};

}  // namespace zmesh::sim
