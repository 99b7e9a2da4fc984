#include "dht/record.hpp"

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::dht {
namespace {

void write_signed_part(const Record& r, wire::Writer& w) {
  w.bytes(r.key.bytes).bytes_u16(r.publisher_key).u64(r.sequence).u64(r.expires_at).bytes_u16(r.value);
}

}  // namespace

std::size_t Record::encoded_size() const {
  return 32 + 2 + publisher_key.size() + 8 + 8 + 2 + value.size() + 2 + signature.size();
}

Bytes Record::signed_part() const {
  wire::Writer w(encoded_size());
  write_signed_part(*this, w);
  return w.take();
}

Bytes Record::encode() const {
  if (publisher_key.size() > kMaxPublisherKeyBytes || value.size() > kMaxRecordValueBytes ||
      signature.size() > kMaxRecordSignatureBytes) {
    std::abort();  // programming error: callers validate before encoding
  }
  wire::Writer w(encoded_size());
  write_signed_part(*this, w);
  w.bytes_u16(signature);
  return w.take();
}

Result<Record> Record::decode(ByteView bytes) {
  wire::Reader r(bytes);
  Record out;
  ZM_TRY(out.key.bytes, r.array<32>());
  ZM_TRY(ByteView publisher, r.bytes_u16(kMaxPublisherKeyBytes));
  ZM_TRY(out.sequence, r.u64());
  ZM_TRY(out.expires_at, r.u64());
  ZM_TRY(ByteView value, r.bytes_u16(kMaxRecordValueBytes));
  ZM_TRY(ByteView signature, r.bytes_u16(kMaxRecordSignatureBytes));
  ZM_CHECK(r.expect_end("dht record"));
  if (publisher.empty()) return make_error(Errc::malformed, "dht record: empty publisher key");
  out.publisher_key.assign(publisher.begin(), publisher.end());
  out.value.assign(value.begin(), value.end());
  out.signature.assign(signature.begin(), signature.end());
  return out;
}

Status validate_record(const Record& record, UnixSeconds now, UnixSeconds max_lifetime,
                       const RecordVerifier& verifier) {
  if (record.value.size() > kMaxRecordValueBytes) return make_error(Errc::too_large, "dht record: value too large");
  if (record.publisher_key.empty() || record.publisher_key.size() > kMaxPublisherKeyBytes)
    return make_error(Errc::malformed, "dht record: bad publisher key length");
  if (record.signature.size() > kMaxRecordSignatureBytes) return make_error(Errc::too_large, "dht record: signature too large");
  if (record.expires_at <= now) return make_error(Errc::expired, "dht record: expired");
  if (record.expires_at - now > max_lifetime) return make_error(Errc::invalid_argument, "dht record: lifetime too long");
  return verifier.verify(record);
}

}  // namespace zmesh::dht
