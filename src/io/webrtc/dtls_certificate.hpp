// The self-signed certificate a WebRTC endpoint presents in DTLS (RFC 8827 §6.5): an ECDSA P-256
// key made fresh for each engine, never persisted; the peer authenticates it only through its
// SHA-256 fingerprint in our SDP (the link handshake above provides real identity).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "io/webrtc/sdp.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

class DtlsCertificate {
 public:
  static Result<std::shared_ptr<DtlsCertificate>> generate();
  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  X509* certificate() const { return certificate_; }
  EVP_PKEY* key() const { return key_; }
  const CertificateFingerprint& fingerprint() const { return fingerprint_; }

 private:
  DtlsCertificate() = default;
  X509* certificate_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  CertificateFingerprint fingerprint_;
};

// SHA-256 over the DER encoding (RFC 8122 §5).
Result<CertificateFingerprint> fingerprint_of(X509* certificate);

}  // namespace zmesh::io::webrtc
