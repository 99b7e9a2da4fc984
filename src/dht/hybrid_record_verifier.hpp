// The real node's record verifier: publisher_key is a hybrid signing public key
// (crypto/hybrid_sig.hpp wire form), the signature a hybrid Ed25519 + ML-DSA-65 signature over
// kRecordSignatureContext || signed_part(). With require_key_is_publisher_id, a record is valid
// only under key = NodeId::of(publisher key): nobody can publish at another node's id (used for
// node descriptors, whose key is the node's id).
#pragma once

#include "crypto/hybrid_sig.hpp"
#include "dht/record.hpp"
#include "runtime/random.hpp"

namespace zmesh::dht {

class HybridRecordVerifier final : public RecordVerifier {
 public:
  explicit HybridRecordVerifier(bool require_key_is_publisher_id = false)
      : require_key_is_publisher_id_(require_key_is_publisher_id) {}
  Status verify(const Record& record) const override;

 private:
  bool require_key_is_publisher_id_;
};

// Sets record.publisher_key from `key` and signs. The other fields must be final.
void sign_record(Record& record, const crypto::HybridSigKeyPair& key, RandomSource& random);

}  // namespace zmesh::dht
