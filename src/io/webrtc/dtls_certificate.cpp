#include "io/webrtc/dtls_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>

namespace zmesh::io::webrtc {

Result<CertificateFingerprint> fingerprint_of(X509* certificate) {
  CertificateFingerprint fp;
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), fp.sha256.data(), &length) != 1 || length != fp.sha256.size()) {
    return make_error(Errc::crypto_failure, "cannot hash certificate");
  }
  return fp;
}

Result<std::shared_ptr<DtlsCertificate>> DtlsCertificate::generate() {
  std::shared_ptr<DtlsCertificate> out(new DtlsCertificate());
  out->key_ = EVP_EC_gen("P-256");
  out->certificate_ = X509_new();
  if (out->key_ == nullptr || out->certificate_ == nullptr) return make_error(Errc::crypto_failure, "cannot make DTLS key");
  X509* x = out->certificate_;
  // A random 64-bit serial, a validity window around now, CN=zmesh: browsers check nothing else.
  std::uint8_t serial[8];
  if (RAND_bytes(serial, sizeof serial) != 1) return make_error(Errc::crypto_failure, "RAND_bytes");
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nullptr;
  BN_free(bn);
  ok = ok && X509_set_version(x, 2) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) != nullptr;
  X509_NAME* name = X509_get_subject_name(x);
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("zmesh"), -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(x, name) == 1;
  ok = ok && X509_set_pubkey(x, out->key_) == 1;
  ok = ok && X509_sign(x, out->key_, EVP_sha256()) > 0;
  if (!ok) return make_error(Errc::crypto_failure, "cannot build DTLS certificate");
  ZM_TRY(out->fingerprint_, fingerprint_of(x));
  return out;
}

DtlsCertificate::~DtlsCertificate() {
  X509_free(certificate_);
  EVP_PKEY_free(key_);
}

}  // namespace zmesh::io::webrtc
