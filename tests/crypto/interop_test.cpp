// Byte-for-byte interop with @noble/post-quantum (an independent TypeScript implementation
// of FIPS 203, FIPS 204 and X-Wing). The vectors file is produced at build time by
// tests/crypto/noble_vectors.mjs; its path comes in as ZMESH_NOBLE_VECTORS_FILE.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "crypto/hybrid_kem.hpp"
#include "crypto/mldsa65.hpp"
#include "crypto/mlkem768.hpp"
#include "test_support.hpp"

#ifndef ZMESH_NOBLE_VECTORS_FILE
#error "ZMESH_NOBLE_VECTORS_FILE must name the file written by noble_vectors.mjs"
#endif

namespace zmesh::crypto {
namespace {

using test::to_bytes;

// `name=hex` lines; '#' starts a comment line.
class Vectors {
 public:
  bool load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto eq = line.find('=');
      if (eq == std::string::npos) return false;
      entries_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return !entries_.empty();
  }
  Bytes get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      ADD_FAILURE() << "missing vector " << name;
      return {};
    }
    return test::hex(it->second);
  }
  std::string hex(const std::string& name) const { return to_hex(get(name)); }

 private:
  std::map<std::string, std::string> entries_;
};

class NobleInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vectors_.load(ZMESH_NOBLE_VECTORS_FILE)) << "cannot read " << ZMESH_NOBLE_VECTORS_FILE;
    const Bytes count = vectors_.get("cases");
    ASSERT_EQ(count.size(), 1u);
    cases_ = count[0];
    ASSERT_GE(cases_, 1);
  }
  static std::string key(const char* scheme, int i, const char* field) {
    return std::string(scheme) + "." + std::to_string(i) + "." + field;
  }
  Vectors vectors_;
  int cases_ = 0;
};

TEST_F(NobleInterop, MlKem768MatchesByteForByte) {
  for (int i = 0; i < cases_; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    test::ScriptedRandom seed(vectors_.get(key("mlkem", i, "seed")));  // d || z
    const auto pair = mlkem768_generate(seed);
    EXPECT_TRUE(seed.fully_consumed());
    EXPECT_EQ(to_hex(pair.public_key.bytes), vectors_.hex(key("mlkem", i, "pk")));
    EXPECT_EQ(to_hex(pair.secret_key.view()), vectors_.hex(key("mlkem", i, "sk")));

    test::ScriptedRandom m(vectors_.get(key("mlkem", i, "m")));
    const auto enc = mlkem768_encapsulate(pair.public_key, m);
    EXPECT_TRUE(m.fully_consumed());
    EXPECT_EQ(to_hex(enc.ciphertext), vectors_.hex(key("mlkem", i, "ct")));
    EXPECT_EQ(to_hex(enc.shared_secret.view()), vectors_.hex(key("mlkem", i, "ss")));

    // Decapsulating noble's ciphertext with our key gives noble's secret.
    auto dec = mlkem768_decapsulate(pair.secret_key, vectors_.get(key("mlkem", i, "ct")));
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(to_hex(dec->view()), vectors_.hex(key("mlkem", i, "ss")));
  }
}

TEST_F(NobleInterop, MlDsa65MatchesByteForByteAndCrossVerifies) {
  for (int i = 0; i < cases_; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    test::ScriptedRandom seed(vectors_.get(key("mldsa", i, "seed")));
    const auto pair = mldsa65_generate(seed);
    EXPECT_TRUE(seed.fully_consumed());
    EXPECT_EQ(to_hex(pair.public_key.bytes), vectors_.hex(key("mldsa", i, "pk")));
    EXPECT_EQ(to_hex(pair.secret_key.view()), vectors_.hex(key("mldsa", i, "sk")));

    const Bytes context = vectors_.get(key("mldsa", i, "context"));
    const Bytes message = vectors_.get(key("mldsa", i, "message"));
    test::ScriptedRandom rnd(vectors_.get(key("mldsa", i, "rnd")));
    const Bytes signature = mldsa65_sign(pair.secret_key, message, context, rnd);
    EXPECT_TRUE(rnd.fully_consumed());
    // Equal bytes: noble's verify (run by the generator) accepts exactly this signature.
    EXPECT_EQ(to_hex(signature), vectors_.hex(key("mldsa", i, "sig")));

    // Our verify accepts noble's signatures, including one made with randomness we never saw.
    EXPECT_TRUE(mldsa65_verify(pair.public_key, message, context, vectors_.get(key("mldsa", i, "sig"))).ok());
    const Bytes hedged = vectors_.get(key("mldsa", i, "hedged_sig"));
    EXPECT_TRUE(mldsa65_verify(pair.public_key, message, context, hedged).ok());
    EXPECT_FALSE(mldsa65_verify(pair.public_key, message, as_bytes("other"), hedged).ok());
    EXPECT_FALSE(mldsa65_verify(pair.public_key, test::flipped(message, 0), context, hedged).ok());
  }
}

TEST_F(NobleInterop, XWingMatchesByteForByte) {
  for (int i = 0; i < cases_; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const auto pair = hybrid_kem_from_seed(vectors_.get(key("xwing", i, "seed")));
    EXPECT_EQ(to_hex(pair.public_key.encode()), vectors_.hex(key("xwing", i, "pk")));
    auto decoded = HybridKemPublicKey::decode(vectors_.get(key("xwing", i, "pk")));
    ASSERT_TRUE(decoded.ok());

    test::ScriptedRandom eseed(vectors_.get(key("xwing", i, "eseed")));
    const auto enc = hybrid_kem_encapsulate(*decoded, eseed);
    EXPECT_TRUE(eseed.fully_consumed());
    EXPECT_EQ(to_hex(enc.ciphertext), vectors_.hex(key("xwing", i, "ct")));
    EXPECT_EQ(to_hex(enc.shared_secret.view()), vectors_.hex(key("xwing", i, "ss")));

    auto dec = hybrid_kem_decapsulate(pair, vectors_.get(key("xwing", i, "ct")));
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(to_hex(dec->view()), vectors_.hex(key("xwing", i, "ss")));
  }
}

}  // namespace
}  // namespace zmesh::crypto
