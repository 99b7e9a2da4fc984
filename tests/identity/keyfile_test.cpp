#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/hash.hpp"
#include "identity/keyfile.hpp"
#include "identity/test_support.hpp"

namespace zmesh {
namespace {

using identity_test::kNow;
using identity_test::make_keys;

// Offsets from docs/protocol/keyfile.md.
constexpr std::size_t kIdOffset = 10;
constexpr std::size_t kSigningPublicOffset = 44;  // after its u16 length at 42

Bytes to_bytes(const crypto::SecretBytes& secret) { return Bytes(secret.view().begin(), secret.view().end()); }

void fix_checksum(Bytes& file) {
  const crypto::Hash256 sum = crypto::blake2b_256(ByteView(file).first(file.size() - 32));
  std::copy(sum.begin(), sum.end(), file.end() - 32);
}

bool contains(const Error& error, const char* text) { return error.message.find(text) != std::string::npos; }

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/zmesh-keyfile-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir = pattern;
    path = dir + "/node.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  void write_raw(const std::string& file, const Bytes& bytes, mode_t mode = 0600) {
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
  }
  Bytes read_raw(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  mode_t mode_of(const std::string& file) {
    struct stat info {};
    EXPECT_EQ(::stat(file.c_str(), &info), 0);
    return info.st_mode & 07777;
  }

  SeededRandom random{0x6E7F11E};
  NodeKeys keys = make_keys(random);
  std::string dir;
  std::string path;
};

void expect_same_keys(const NodeKeys& a, const NodeKeys& b) {
  EXPECT_EQ(a.identity.id, b.identity.id);
  EXPECT_EQ(a.identity.signing.public_key, b.identity.signing.public_key);
  EXPECT_TRUE(crypto::constant_time_equal(a.identity.signing.ed25519_secret.view(), b.identity.signing.ed25519_secret.view()));
  EXPECT_TRUE(crypto::constant_time_equal(a.identity.signing.mldsa_secret.view(), b.identity.signing.mldsa_secret.view()));
  ASSERT_EQ(a.onion_keys.size(), b.onion_keys.size());
  for (std::size_t i = 0; i < a.onion_keys.size(); ++i) {
    EXPECT_EQ(a.onion_keys[i].public_part(), b.onion_keys[i].public_part());
    EXPECT_TRUE(crypto::constant_time_equal(a.onion_keys[i].keys.mlkem_secret.view(), b.onion_keys[i].keys.mlkem_secret.view()));
    EXPECT_TRUE(crypto::constant_time_equal(a.onion_keys[i].keys.x25519_secret.view(), b.onion_keys[i].keys.x25519_secret.view()));
  }
}

TEST_F(KeyFileTest, SaveLoadRoundTripWithOwnerOnlyMode) {
  ::umask(0022);  // a typical umask must not widen the file's mode
  ASSERT_TRUE(keyfile::save(path, keys).ok());
  EXPECT_EQ(mode_of(path), 0600u);
  auto loaded = keyfile::load(path, random);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  expect_same_keys(*loaded, keys);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  // Saving again replaces the file atomically (rotation).
  keys.onion_keys.erase(keys.onion_keys.begin());
  ASSERT_TRUE(keyfile::save(path, keys).ok());
  auto reloaded = keyfile::load(path, random);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->onion_keys.size(), 1u);
}

TEST_F(KeyFileTest, WrongMagicIsNotAKeyFile) {
  for (const Bytes& junk : {Bytes{}, Bytes{'Z', 'M'}, Bytes(100, 'x')}) {
    auto decoded = keyfile::decode(junk, random);
    ASSERT_FALSE(decoded.ok());
    EXPECT_TRUE(contains(decoded.error(), "not a zMesh key file")) << decoded.error().message;
  }
  write_raw(path, Bytes{'-', '-', '-', '-', 'B', 'E', 'G', 'I', 'N'});
  auto loaded = keyfile::load(path, random);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(contains(loaded.error(), "not a zMesh key file"));
  EXPECT_TRUE(contains(loaded.error(), path.c_str()));
}

TEST_F(KeyFileTest, FlippedBytesAreReportedAsDamaged) {
  const Bytes file = to_bytes(keyfile::encode(keys));
  // Every byte of the magic, then a spread of positions through every field, then the checksum.
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < 48; ++i) positions.push_back(i);
  for (std::size_t i = 48; i < file.size(); i += 211) positions.push_back(i);
  for (std::size_t i = file.size() - 40; i < file.size(); ++i) positions.push_back(i);
  for (std::size_t i : positions) {
    Bytes damaged = file;
    damaged[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto decoded = keyfile::decode(damaged, random);
    ASSERT_FALSE(decoded.ok()) << "flip at " << i << " accepted";
    const char* expected = i < 8 ? "not a zMesh key file" : "key file damaged";
    EXPECT_TRUE(contains(decoded.error(), expected)) << i << ": " << decoded.error().message;
  }
}

TEST_F(KeyFileTest, TruncationsAreReportedAsDamaged) {
  const Bytes file = to_bytes(keyfile::encode(keys));
  for (std::size_t length : {std::size_t{8}, std::size_t{9}, std::size_t{50}, std::size_t{2000}, file.size() / 2,
                             file.size() - 33, file.size() - 32, file.size() - 1}) {
    auto decoded = keyfile::decode(ByteView(file).first(length), random);
    ASSERT_FALSE(decoded.ok()) << length;
    EXPECT_TRUE(contains(decoded.error(), "key file damaged")) << length << ": " << decoded.error().message;
  }
  Bytes longer = file;
  longer.push_back(0);
  EXPECT_TRUE(contains(keyfile::decode(longer, random).error(), "key file damaged"));
  // Through the file system too, with the path in the message.
  write_raw(path, Bytes(file.begin(), file.begin() + 3000));
  auto loaded = keyfile::load(path, random);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(contains(loaded.error(), "key file damaged"));
}

TEST_F(KeyFileTest, AnotherNodesPublicKeyIsForeign) {
  SeededRandom other_random(77);
  const NodeKeys other = make_keys(other_random);
  Bytes file = to_bytes(keyfile::encode(keys));
  const Bytes other_public = other.identity.signing.public_key.encode();

  // Swap in the other node's public key and NodeId, with a correct checksum: the secret keys
  // no longer belong to the public key.
  std::copy(other.identity.id.bytes.begin(), other.identity.id.bytes.end(), file.begin() + kIdOffset);
  std::copy(other_public.begin(), other_public.end(), file.begin() + kSigningPublicOffset);
  fix_checksum(file);
  auto decoded = keyfile::decode(file, random);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, Errc::verify_failed);
  EXPECT_TRUE(contains(decoded.error(), "foreign or inconsistent key file")) << decoded.error().message;

  // Only the stored NodeId changed.
  Bytes wrong_id = to_bytes(keyfile::encode(keys));
  wrong_id[kIdOffset] ^= 1;
  fix_checksum(wrong_id);
  EXPECT_TRUE(contains(keyfile::decode(wrong_id, random).error(), "foreign or inconsistent key file"));
}

TEST_F(KeyFileTest, MismatchedSecretKeysAreForeign) {
  SeededRandom other_random(78);
  NodeKeys other = make_keys(other_random);
  NodeKeys mixed{NodeIdentity{crypto::HybridSigKeyPair{keys.identity.signing.public_key,
                                                         other.identity.signing.ed25519_secret.clone(),
                                                         keys.identity.signing.mldsa_secret.clone()},
                              keys.identity.id},
                 {}};
  auto decoded = keyfile::decode(keyfile::encode(mixed).view(), random);
  ASSERT_FALSE(decoded.ok());
  EXPECT_TRUE(contains(decoded.error(), "signing secret key")) << decoded.error().message;

  // An onion public key with someone else's onion secret.
  NodeKeys onion_mixed{NodeIdentity{crypto::HybridSigKeyPair{keys.identity.signing.public_key,
                                                               keys.identity.signing.ed25519_secret.clone(),
                                                               keys.identity.signing.mldsa_secret.clone()},
                                    keys.identity.id},
                       {}};
  OnionKeyPair pair = OnionKeyPair::generate(random, kNow);
  pair.keys.mlkem_secret = other.onion_keys[0].keys.mlkem_secret.clone();
  onion_mixed.onion_keys.push_back(std::move(pair));
  decoded = keyfile::decode(keyfile::encode(onion_mixed).view(), random);
  ASSERT_FALSE(decoded.ok());
  EXPECT_TRUE(contains(decoded.error(), "onion secret key")) << decoded.error().message;
}

TEST_F(KeyFileTest, GroupOrWorldAccessibleFileIsRefused) {
  ASSERT_TRUE(keyfile::save(path, keys).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto loaded = keyfile::load(path, random);
    ASSERT_FALSE(loaded.ok()) << std::oct << mode;
    EXPECT_EQ(loaded.error().code, Errc::io_error);
    EXPECT_TRUE(contains(loaded.error(), "chmod 600")) << loaded.error().message;
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(keyfile::load(path, random).ok());
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
  auto loaded = keyfile::load(path, random);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, Errc::not_found);
}

TEST_F(KeyFileTest, LoadOrCreateCreatesOnceAndNeverOverwrites) {
  auto created = keyfile::load_or_create(path, random, kNow);
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_EQ(mode_of(path), 0600u);
  ASSERT_EQ(created->onion_keys.size(), 1u);
  EXPECT_TRUE(created->onion_keys[0].valid_at(kNow));

  const Bytes on_disk = read_raw(path);
  auto again = keyfile::load_or_create(path, random, kNow + kDay);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->identity.id, created->identity.id);
  EXPECT_EQ(read_raw(path), on_disk);

  // A damaged file is reported, not replaced by a fresh identity.
  Bytes damaged = on_disk;
  damaged[damaged.size() / 2] ^= 0x10;
  write_raw(path, damaged);
  auto refused = keyfile::load_or_create(path, random, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(contains(refused.error(), "key file damaged"));
  EXPECT_EQ(read_raw(path), damaged);

  // So is one with open permissions.
  write_raw(path, on_disk, 0644);
  EXPECT_FALSE(keyfile::load_or_create(path, random, kNow).ok());
  EXPECT_EQ(read_raw(path), on_disk);
}

TEST_F(KeyFileTest, CreateRefusesToReplaceAnExistingFile) {
  write_raw(path, Bytes{'k', 'e', 'e', 'p'});
  auto status = keyfile::create(path, keys);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error(), "refusing to overwrite"));
  EXPECT_EQ(read_raw(path), (Bytes{'k', 'e', 'e', 'p'}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

TEST_F(KeyFileTest, UnwritableDirectoryIsAnError) {
  auto status = keyfile::save(dir + "/missing-subdir/node.key", keys);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::io_error);
}

}  // namespace
}  // namespace zmesh
