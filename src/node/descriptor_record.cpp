#include "node/descriptor_record.hpp"

#include <algorithm>

namespace zmesh::node {

Result<dht::Record> descriptor_record(const NodeDescriptor& descriptor) {
  dht::Record record;
  record.key = descriptor.node_id;
  record.publisher_key.assign(descriptor.node_id.bytes.begin(), descriptor.node_id.bytes.end());
  record.sequence = descriptor.sequence;
  record.expires_at = descriptor.expires_at;
  record.value = descriptor.encode();
  if (record.value.size() > dht::kMaxRecordValueBytes) {
    return make_error(Errc::too_large, "descriptor of " + std::to_string(record.value.size()) +
                                           " bytes does not fit a DHT record (" +
                                           std::to_string(dht::kMaxRecordValueBytes) + ")");
  }
  return record;
}

Result<NodeDescriptor> descriptor_in_record(const dht::Record& record) {
  ZM_TRY(NodeDescriptor descriptor, NodeDescriptor::decode(record.value));
  const bool bound = descriptor.node_id == record.key &&
                     std::equal(record.publisher_key.begin(), record.publisher_key.end(), record.key.bytes.begin(),
                                record.key.bytes.end()) &&
                     record.sequence == descriptor.sequence && record.expires_at == descriptor.expires_at &&
                     record.signature.empty();
  if (!bound) return make_error(Errc::verify_failed, "descriptor record: fields do not match the descriptor");
  return descriptor;
}

Status DescriptorRecordVerifier::verify(const dht::Record& record) const {
  ZM_TRY(NodeDescriptor descriptor, descriptor_in_record(record));
  ZM_CHECK(descriptor.check_fields());
  if (descriptor.signature.size() != crypto::kHybridSignatureBytes)
    return make_error(Errc::malformed, "descriptor record: signature has the wrong size");
  if (NodeId::of(descriptor.signing_key) != descriptor.node_id)
    return make_error(Errc::verify_failed, "descriptor record: node id does not match the signing key");
  return crypto::hybrid_verify(descriptor.signing_key, kDescriptorSignatureContext, descriptor.signed_part(),
                               descriptor.signature);
}

}  // namespace zmesh::node
