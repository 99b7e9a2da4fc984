// DHT records: generic signed values with an expiry (docs/protocol/dht.md, "Records").
// The publisher signs everything but the signature; a pluggable RecordVerifier decides what a
// valid signature is, so that the real node checks hybrid Ed25519+ML-DSA-65 signatures
// (HybridRecordVerifier) while 10,000-node simulations use a cheap stand-in (SimRecordVerifier).
#pragma once

#include <cstdint>
#include <string_view>

#include "identity/node_id.hpp"
#include "identity/unix_time.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::dht {

inline constexpr std::size_t kMaxRecordValueBytes = 8 * 1024;
inline constexpr std::size_t kMaxPublisherKeyBytes = 2048;  // a hybrid key is 1984 bytes
inline constexpr std::size_t kMaxRecordSignatureBytes = 4096;  // a hybrid signature is 3373
inline constexpr std::string_view kRecordSignatureContext = "zmesh/dht-record/v1";

struct Record {
  NodeId key;             // where it lives in the keyspace
  Bytes publisher_key;    // the verifier's notion of a public key
  std::uint64_t sequence = 0;  // a newer version from the same publisher has a larger one
  UnixSeconds expires_at = 0;
  Bytes value;
  Bytes signature;        // over signed_part()

  // key(32) publisher_key(u16-prefixed) sequence(u64) expires_at(u64) value(u16) signature(u16)
  Bytes encode() const;
  Bytes signed_part() const;
  // Strict parse: every length bounded, no trailing bytes. No signature or time check.
  static Result<Record> decode(ByteView bytes);
  std::size_t encoded_size() const;
  bool operator==(const Record&) const = default;
};

// Decides whether a record's signature is the publisher's. Implementations must be pure
// functions of the record (no clock, no state that changes the answer).
class RecordVerifier {
 public:
  virtual ~RecordVerifier() = default;
  virtual Status verify(const Record& record) const = 0;
};

// Everything a node checks before storing or returning a record: sizes, now < expires_at <=
// now + max_lifetime (a record cannot pin storage for longer), and the signature.
Status validate_record(const Record& record, UnixSeconds now, UnixSeconds max_lifetime,
                       const RecordVerifier& verifier);

}  // namespace zmesh::dht
