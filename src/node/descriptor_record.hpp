// A node descriptor as a DHT record (docs/protocol/dht.md "Descriptor records"): stored under
// key = the node's id, with publisher_key = the 32 id bytes, sequence and expires_at copied
// from the descriptor, value = the descriptor's encoding and an empty record signature. Every
// record field is thus fixed by the descriptor, whose own hybrid signature covers it: one
// signature check per record, and no second 3.3 KB signature in every VALUE answer.
#pragma once

#include "dht/record.hpp"
#include "identity/descriptor.hpp"

namespace zmesh::node {

// The record for a signed descriptor. too_large when its encoding exceeds
// dht::kMaxRecordValueBytes (see build_own_descriptor, which keeps it under).
Result<dht::Record> descriptor_record(const NodeDescriptor& descriptor);

// Decodes a record's descriptor and checks that the record is exactly descriptor_record() of
// it. No signature or clock check: verify_for(record.key, now) before trusting it.
Result<NodeDescriptor> descriptor_in_record(const dht::Record& record);

// The RecordVerifier of a real node's DHT: accepts only descriptor records whose descriptor
// is well-formed, belongs to the key (NodeId = hash of its signing key) and carries a valid
// hybrid signature. Clock-free as the interface demands: the DHT checks the record's (= the
// descriptor's) expiry itself, and readers call verify_for(id, now) for the rest.
class DescriptorRecordVerifier final : public dht::RecordVerifier {
 public:
  Status verify(const dht::Record& record) const override;
};

}  // namespace zmesh::node
