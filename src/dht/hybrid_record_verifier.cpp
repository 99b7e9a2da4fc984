#include "dht/hybrid_record_verifier.hpp"

#include "identity/node_id.hpp"

namespace zmesh::dht {

Status HybridRecordVerifier::verify(const Record& record) const {
  ZM_TRY(crypto::HybridSigPublicKey key, crypto::HybridSigPublicKey::decode(record.publisher_key));
  if (require_key_is_publisher_id_ && NodeId::of(key) != record.key)
    return make_error(Errc::verify_failed, "dht record: key is not the publisher's NodeId");
  return crypto::hybrid_verify(key, kRecordSignatureContext, record.signed_part(), record.signature);
}

void sign_record(Record& record, const crypto::HybridSigKeyPair& key, RandomSource& random) {
  record.publisher_key = key.public_key.encode();
  record.signature = crypto::hybrid_sign(key, kRecordSignatureContext, record.signed_part(), random);
}

}  // namespace zmesh::dht
