#include "io/webrtc/dtls_transport.hpp"

#include <openssl/err.h>

namespace zmesh::io::webrtc {
namespace {

// Records leave through this BIO: every BIO_write is one datagram handed to ICE at once.
int bio_write(BIO* bio, const char* data, int length) {
  auto* self = static_cast<std::function<void(ByteView)>*>(BIO_get_data(bio));
  if (self == nullptr || length < 0) return -1;
  (*self)(ByteView(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length)));
  return length;
}

long bio_ctrl(BIO*, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU: return 0;  // SSL_OP_NO_QUERY_MTU: we set the MTU ourselves
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING: return 0;
    default: return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  BIO_set_data(bio, nullptr);
  return 1;
}

const BIO_METHOD* datagram_bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "zmesh-dtls-datagram");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

// RFC 6347 §4.2.4.1 starts at 1 s; loopback and LAN handshakes lose little, so start lower and
// back off exponentially to the same 60 s ceiling.
unsigned int retransmit_timer(SSL*, unsigned int previous_us) {
  if (previous_us == 0) return 200 * 1000;
  return previous_us >= 30 * 1000 * 1000 ? 60 * 1000 * 1000 : previous_us * 2;
}

// RFC 8261 §3 / RFC 7983: outgoing datagrams are at most this big (IPv6 minimum MTU minus IP/UDP).
constexpr long kDtlsMtu = 1200;

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL detail";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

DtlsTransport::DtlsTransport(EventLoop& loop, DtlsRole role, CertificateFingerprint expected, Callbacks callbacks)
    : loop_(loop), role_(role), expected_(expected), callbacks_(std::move(callbacks)) {}

Result<std::unique_ptr<DtlsTransport>> DtlsTransport::create(EventLoop& loop, std::shared_ptr<DtlsCertificate> certificate,
                                                             DtlsRole role, CertificateFingerprint expected_peer,
                                                             Callbacks callbacks) {
  std::unique_ptr<DtlsTransport> t(new DtlsTransport(loop, role, expected_peer, std::move(callbacks)));
  t->certificate_ = std::move(certificate);
  SSL_CTX* ctx = t->context_ = SSL_CTX_new(DTLS_method());
  if (ctx == nullptr) return make_error(Errc::crypto_failure, "SSL_CTX_new: " + openssl_error());
  bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1 && SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1;
  ok = ok && SSL_CTX_use_certificate(ctx, t->certificate_->certificate()) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, t->certificate_->key()) == 1;
  ok = ok && SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
                                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256") == 1;
  ok = ok && SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
  if (!ok) return make_error(Errc::crypto_failure, "DTLS context: " + openssl_error());
  // Both sides present certificates (the server requests one); we check fingerprints, not CAs.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, &DtlsTransport::verify_certificate, t.get());
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION);

  t->ssl_ = SSL_new(ctx);
  t->in_ = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(datagram_bio_method());
  if (t->ssl_ == nullptr || t->in_ == nullptr || out == nullptr) return make_error(Errc::crypto_failure, "SSL_new");
  BIO_set_mem_eof_return(t->in_, -1);  // empty = "retry later", not EOF
  BIO_set_data(out, &t->callbacks_.send_datagram);
  SSL_set_bio(t->ssl_, t->in_, out);
  SSL_set_mtu(t->ssl_, kDtlsMtu);
  DTLS_set_timer_cb(t->ssl_, retransmit_timer);
  if (role == DtlsRole::client) {
    SSL_set_connect_state(t->ssl_);
  } else {
    SSL_set_accept_state(t->ssl_);
  }
  return t;
}

DtlsTransport::~DtlsTransport() {
  alive_.expire();
  loop_.cancel(timer_);
  SSL_free(ssl_);  // frees both BIOs
  SSL_CTX_free(context_);
}

int DtlsTransport::verify_certificate(X509_STORE_CTX* store, void* arg) {
  auto* self = static_cast<DtlsTransport*>(arg);
  X509* peer = X509_STORE_CTX_get0_cert(store);
  auto fp = peer != nullptr ? fingerprint_of(peer) : Result<CertificateFingerprint>(make_error(Errc::malformed, ""));
  // RFC 8122 §5: the certificate must match the fingerprint signaled in SDP.
  if (!fp.ok() || fp.value() != self->expected_) {
    self->fingerprint_mismatch_ = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

void DtlsTransport::start() {
  if (state_ != State::idle) return;
  state_ = State::handshaking;
  continue_handshake();
}

void DtlsTransport::on_datagram(ByteView datagram) {
  if (datagram.empty() || datagram[0] < 20 || datagram[0] > 63) return;  // not DTLS (RFC 7983 §7)
  if (state_ != State::handshaking && state_ != State::connected) return;
  if (BIO_write(in_, datagram.data(), static_cast<int>(datagram.size())) <= 0) return;
  if (state_ == State::handshaking) {
    continue_handshake();
  } else {
    read_records();
  }
}

void DtlsTransport::continue_handshake() {
  LifetimeObserver alive = alive_.observer();
  int r = SSL_do_handshake(ssl_);
  if (alive.expired()) return;
  if (r == 1) {
    state_ = State::connected;
    loop_.cancel(timer_);
    timer_ = 0;
    if (callbacks_.on_connected) callbacks_.on_connected();
    if (alive.expired()) return;
    read_records();  // application data that arrived with the final flight
    return;
  }
  int error = SSL_get_error(ssl_, r);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    rearm_timer();
    return;
  }
  fail(fingerprint_mismatch_ ? "DTLS fingerprint mismatch: the peer's certificate is not the one in its SDP"
                             : "DTLS handshake failed: " + openssl_error());
}

void DtlsTransport::read_records() {
  LifetimeObserver alive = alive_.observer();
  std::uint8_t buffer[16 * 1024 + 256];  // one DTLS record's plaintext is at most 2^14 bytes
  while (state_ == State::connected) {
    int n = SSL_read(ssl_, buffer, sizeof buffer);
    if (n > 0) {
      if (callbacks_.on_data) callbacks_.on_data(ByteView(buffer, static_cast<std::size_t>(n)));
      if (alive.expired()) return;
      continue;
    }
    int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      state_ = State::closed;
      if (callbacks_.on_closed) callbacks_.on_closed();
      return;
    }
    fail("DTLS error: " + openssl_error());
    return;
  }
}

Status DtlsTransport::send(ByteView record) {
  if (state_ != State::connected) return make_error(Errc::closed, "DTLS is not connected");
  int n = SSL_write(ssl_, record.data(), static_cast<int>(record.size()));
  if (n != static_cast<int>(record.size())) return make_error(Errc::io_error, "DTLS write: " + openssl_error());
  return {};
}

void DtlsTransport::close() {
  if (state_ == State::connected) (void)SSL_shutdown(ssl_);
  if (state_ != State::failed) state_ = State::closed;
  loop_.cancel(timer_);
  timer_ = 0;
}

const char* DtlsTransport::cipher_name() const { return SSL_get_cipher_name(ssl_); }

void DtlsTransport::fail(const std::string& what) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  loop_.cancel(timer_);
  timer_ = 0;
  if (callbacks_.on_failed) callbacks_.on_failed(make_error(fingerprint_mismatch_ ? Errc::verify_failed : Errc::protocol_violation, what));
}

void DtlsTransport::rearm_timer() {
  loop_.cancel(timer_);
  timer_ = 0;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return;
  DurationUs delay = static_cast<DurationUs>(tv.tv_sec) * kSecond + tv.tv_usec;
  timer_ = loop_.run_after(delay, [this] {
    timer_ = 0;
    if (state_ != State::handshaking) return;
    if (DTLSv1_handle_timeout(ssl_) < 0) {
      fail("DTLS handshake timed out (no answer to retransmissions)");
      return;
    }
    rearm_timer();
  });
}

}  // namespace zmesh::io::webrtc
