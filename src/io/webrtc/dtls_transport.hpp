// DTLS 1.2 over ICE (RFC 8261 §3 / RFC 8827 §6.5), with OpenSSL 3 on memory: datagrams from ICE
// go in through a memory BIO, records come out through a BIO that hands each write to ICE as one
// datagram. The peer's certificate is accepted only if its SHA-256 fingerprint equals the one
// in its SDP; anything else fails the handshake ("DTLS fingerprint mismatch"). Retransmission
// timers run on the event loop.
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <memory>

#include "io/event_loop.hpp"
#include "io/webrtc/dtls_certificate.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

enum class DtlsRole { client, server };  // client = a=setup:active

class DtlsTransport {
 public:
  struct Callbacks {
    std::function<void(ByteView datagram)> send_datagram;  // to ICE
    std::function<void()> on_connected;
    std::function<void(ByteView record)> on_data;  // one application record (an SCTP packet)
    std::function<void(const Error& error)> on_failed;
    std::function<void()> on_closed;  // close_notify from the peer
  };

  static Result<std::unique_ptr<DtlsTransport>> create(EventLoop& loop, std::shared_ptr<DtlsCertificate> certificate,
                                                      DtlsRole role, CertificateFingerprint expected_peer,
                                                      Callbacks callbacks);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Starts the handshake (the client sends its ClientHello).
  void start();
  // A datagram from ICE. RFC 7983 demultiplexing: only first bytes 20..63 are DTLS.
  void on_datagram(ByteView datagram);
  // One application record. Errc::closed unless connected.
  Status send(ByteView record);
  // Sends close_notify; no callback follows.
  void close();

  bool connected() const { return state_ == State::connected; }
  DtlsRole role() const { return role_; }
  // The negotiated cipher suite, e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" (for status output).
  const char* cipher_name() const;

 private:
  enum class State { idle, handshaking, connected, closed, failed };
  DtlsTransport(EventLoop& loop, DtlsRole role, CertificateFingerprint expected, Callbacks callbacks);
  static int verify_certificate(X509_STORE_CTX* store, void* arg);
  void continue_handshake();
  void read_records();
  void fail(const std::string& what);
  void rearm_timer();

  EventLoop& loop_;
  DtlsRole role_;
  CertificateFingerprint expected_;
  Callbacks callbacks_;
  std::shared_ptr<DtlsCertificate> certificate_;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;  // owned by ssl_
  State state_ = State::idle;
  bool fingerprint_mismatch_ = false;
  EventLoop::TimerId timer_ = 0;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
