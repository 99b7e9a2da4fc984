#include "dht/sim_record_verifier.hpp"

namespace zmesh::dht {
namespace {

// splitmix64 finaliser (Steele et al. 2014): a mixer, not a cryptographic function.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t SimRecordVerifier::tag(const Record& record) const {
  std::uint64_t h = mix(secret_);
  for (std::uint8_t b : record.signed_part()) h = mix(h ^ b);
  return h;
}

void SimRecordVerifier::sign(Record& record) const {
  const std::uint64_t t = tag(record);
  record.signature.resize(8);
  for (int i = 0; i < 8; ++i) record.signature[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(t >> (56 - 8 * i));
}

Status SimRecordVerifier::verify(const Record& record) const {
  if (record.signature.size() != 8) return make_error(Errc::verify_failed, "sim record: bad signature length");
  const std::uint64_t t = tag(record);
  std::uint64_t got = 0;
  for (std::uint8_t b : record.signature) got = got << 8 | b;
  if (got != t) return make_error(Errc::verify_failed, "sim record: bad signature");
  return {};
}

}  // namespace zmesh::dht
