#include "crypto/aead.hpp"

#include <sodium.h>

#include "crypto/misuse.hpp"

namespace zmesh::crypto {

static_assert(kAeadKeyBytes == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadTagBytes == crypto_aead_chacha20poly1305_ietf_ABYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kChaChaNonceBytes == crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
static_assert(kXChaChaNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kChaChaNonceBytes == crypto_stream_chacha20_ietf_NONCEBYTES);

namespace {

void require_key(const SecretBytes& key, const char* what) {
  if (key.size() != kAeadKeyBytes) detail::misuse(what);
}

Status check_open_sizes(const SecretBytes& key, ByteView nonce, std::size_t nonce_bytes, ByteView ciphertext) {
  if (key.size() != kAeadKeyBytes) return make_error(Errc::invalid_argument, "aead key must be 32 bytes");
  if (nonce.size() != nonce_bytes) return make_error(Errc::invalid_argument, "aead nonce has the wrong size");
  if (ciphertext.size() < kAeadTagBytes) return make_error(Errc::truncated, "aead ciphertext shorter than its tag");
  return {};
}

}  // namespace

// RFC 8439 §2.8 AEAD_CHACHA20_POLY1305.
void chacha20poly1305_seal(const SecretBytes& key, ByteView nonce12, ByteView associated_data, ByteView plaintext,
                           MutableByteView out) {
  require_key(key, "chacha20poly1305_seal: key must be 32 bytes");
  if (nonce12.size() != kChaChaNonceBytes) detail::misuse("chacha20poly1305_seal: nonce must be 12 bytes");
  if (out.size() != plaintext.size() + kAeadTagBytes) detail::misuse("chacha20poly1305_seal: out must be plaintext + 16 bytes");
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(), associated_data.data(),
                                            associated_data.size(), nullptr, nonce12.data(), key.data());
}

Status chacha20poly1305_open(const SecretBytes& key, ByteView nonce12, ByteView associated_data, ByteView ciphertext,
                             MutableByteView out) {
  ZM_CHECK(check_open_sizes(key, nonce12, kChaChaNonceBytes, ciphertext));
  if (out.size() != ciphertext.size() - kAeadTagBytes)
    return make_error(Errc::invalid_argument, "aead output buffer must be ciphertext - 16 bytes");
  // The tag is checked (in constant time) before anything is written to `out`.
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), nullptr, nullptr, ciphertext.data(), ciphertext.size(),
                                                associated_data.data(), associated_data.size(), nonce12.data(),
                                                key.data()) != 0)
    return make_error(Errc::verify_failed, "aead: authentication failed");
  return {};
}

Bytes xchacha20poly1305_seal(const SecretBytes& key, ByteView nonce24, ByteView associated_data, ByteView plaintext) {
  require_key(key, "xchacha20poly1305_seal: key must be 32 bytes");
  if (nonce24.size() != kXChaChaNonceBytes) detail::misuse("xchacha20poly1305_seal: nonce must be 24 bytes");
  Bytes out(plaintext.size() + kAeadTagBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(),
                                             associated_data.data(), associated_data.size(), nullptr, nonce24.data(),
                                             key.data());
  return out;
}

Result<Bytes> xchacha20poly1305_open(const SecretBytes& key, ByteView nonce24, ByteView associated_data,
                                     ByteView ciphertext) {
  ZM_CHECK(check_open_sizes(key, nonce24, kXChaChaNonceBytes, ciphertext));
  Bytes out(ciphertext.size() - kAeadTagBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), nullptr, nullptr, ciphertext.data(), ciphertext.size(),
                                                 associated_data.data(), associated_data.size(), nonce24.data(),
                                                 key.data()) != 0)
    return make_error(Errc::verify_failed, "aead: authentication failed");
  return out;
}

ByteArray<kChaChaNonceBytes> counter_nonce(std::uint64_t counter) {
  ByteArray<kChaChaNonceBytes> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
  return nonce;
}

void chacha20_xor(const SecretBytes& key, ByteView nonce12, std::uint32_t block, ByteView in, MutableByteView out) {
  require_key(key, "chacha20_xor: key must be 32 bytes");
  if (nonce12.size() != kChaChaNonceBytes) detail::misuse("chacha20_xor: nonce must be 12 bytes");
  if (out.size() != in.size()) detail::misuse("chacha20_xor: out and in must have the same size");
  crypto_stream_chacha20_ietf_xor_ic(out.data(), in.data(), in.size(), nonce12.data(), block, key.data());
}

}  // namespace zmesh::crypto
