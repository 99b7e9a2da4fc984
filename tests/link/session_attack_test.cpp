// A session over a reliable ordered transport treats any deviation as an attack: tampered,
// replayed, reordered, dropped or truncated cells, and authenticated cells that break the
// framing rules, all fail the session with an error (and queue a close for the peer).
#include <gtest/gtest.h>

#include "link/session.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

using test::make_sessions;
using test::pattern_bytes;

constexpr Channel kChannel = 9;

// Three single-cell transport messages from a to b.
std::vector<Bytes> three_cells(LinkSession& a) {
  std::vector<Bytes> out;
  for (std::uint8_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(a.send(0, kChannel, Bytes{i}).ok());
    out.push_back(*a.poll_transmit());
  }
  return out;
}

void expect_failed(LinkSession& session, Status status, Errc code) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code);
  EXPECT_EQ(session.state(), SessionState::failed);
  EXPECT_TRUE(session.poll_transmit().has_value()) << "a close cell tells the peer why";
  EXPECT_FALSE(session.on_receive(0, Bytes(kCellWireBytes)).ok()) << "a failed session stays failed";
}

TEST(LinkSessionAttack, TamperedCellAtEveryPositionFails) {
  for (std::size_t i = 0; i < kCellWireBytes; i += 61) {
    auto s = make_sessions();
    Bytes cell = three_cells(*s.a)[0];
    cell[i] ^= 0x10;
    expect_failed(*s.b, s.b->on_receive(0, cell), Errc::verify_failed);
    EXPECT_FALSE(s.b->poll_message().has_value());
  }
}

TEST(LinkSessionAttack, ReplayedCellFails) {
  auto s = make_sessions();
  const auto cells = three_cells(*s.a);
  ASSERT_TRUE(s.b->on_receive(0, cells[0]).ok());
  expect_failed(*s.b, s.b->on_receive(0, cells[0]), Errc::verify_failed);
}

TEST(LinkSessionAttack, ReorderedCellsFail) {
  auto s = make_sessions();
  const auto cells = three_cells(*s.a);
  expect_failed(*s.b, s.b->on_receive(0, cells[1]), Errc::verify_failed);
}

TEST(LinkSessionAttack, DroppedCellFails) {
  auto s = make_sessions();
  const auto cells = three_cells(*s.a);
  ASSERT_TRUE(s.b->on_receive(0, cells[0]).ok());
  expect_failed(*s.b, s.b->on_receive(0, cells[2]), Errc::verify_failed);
}

TEST(LinkSessionAttack, TruncatedOrPaddedTransportMessagesFail) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kCellWireBytes - 1, kCellWireBytes + 1}) {
    auto s = make_sessions();
    Bytes cell = three_cells(*s.a)[0];
    cell.resize(size);
    expect_failed(*s.b, s.b->on_receive(0, cell), Errc::malformed);
  }
}

TEST(LinkSessionAttack, CellsFromAnotherSessionFail) {
  auto s1 = make_sessions({}, 1);
  auto s2 = make_sessions({}, 2);
  const auto cells = three_cells(*s1.a);
  expect_failed(*s2.b, s2.b->on_receive(0, cells[0]), Errc::verify_failed);
}

TEST(LinkSessionAttack, ReflectedCellsFail) {
  auto s = make_sessions();
  const auto cells = three_cells(*s.a);
  // a's own cells sent back to a: different direction key.
  expect_failed(*s.a, s.a->on_receive(0, cells[0]), Errc::verify_failed);
}

// A peer that holds the keys but breaks the framing rules (a buggy or hostile node).
class Forger {
 public:
  Forger() {
    crypto::init();
    HandshakeOutcome outcome;
    outcome.send_key = crypto::SecretBytes::copy_of(Bytes(32, 0xaa));
    outcome.receive_key = crypto::SecretBytes::copy_of(Bytes(32, 0xbb));
    outcome.peer_id = test::identity(0).id;
    outcome.peer_signing_key = test::identity(0).signing.public_key;
    victim = std::make_unique<LinkSession>(std::move(outcome), SessionConfig{}, 0);
  }
  Status feed(CellHeader header, ByteView payload) {
    const CellWire wire = cipher.seal(encode_cell_plaintext(header, payload));
    return victim->on_receive(0, wire);
  }
  Status feed_raw(const CellPlaintext& plaintext) { return victim->on_receive(0, cipher.seal(plaintext)); }

  CellCipher cipher{crypto::SecretBytes::copy_of(Bytes(32, 0xbb)), kMaxCellsPerKey};
  std::unique_ptr<LinkSession> victim;
};

const Bytes kFull = pattern_bytes(kCellPayloadBytes, 1);

TEST(LinkSessionAttack, ContinuationWithoutBeginFails) {
  Forger f;
  expect_failed(*f.victim, f.feed({kChannel, 0, kCellPayloadBytes}, kFull), Errc::protocol_violation);
  Forger g;
  expect_failed(*g.victim, g.feed({kChannel, kCellFlagEnd, 1}, Bytes{1}), Errc::protocol_violation);
}

TEST(LinkSessionAttack, BeginTwiceFails) {
  Forger f;
  ASSERT_TRUE(f.feed({kChannel, kCellFlagBegin, kCellPayloadBytes}, kFull).ok());
  expect_failed(*f.victim, f.feed({kChannel, kCellFlagBegin | kCellFlagEnd, 1}, Bytes{1}), Errc::protocol_violation);
}

TEST(LinkSessionAttack, ChannelSwitchMidMessageFails) {
  Forger f;
  ASSERT_TRUE(f.feed({kChannel, kCellFlagBegin, kCellPayloadBytes}, kFull).ok());
  ASSERT_TRUE(f.feed({kCellPadding, 0, 0}, {}).ok()) << "padding between fragments is fine";
  expect_failed(*f.victim, f.feed({kChannel + 1, kCellFlagEnd, 1}, Bytes{1}), Errc::protocol_violation);
}

TEST(LinkSessionAttack, ShortMiddleFragmentFails) {
  Forger f;
  expect_failed(*f.victim, f.feed({kChannel, kCellFlagBegin, 10}, Bytes(10)), Errc::protocol_violation);
}

TEST(LinkSessionAttack, MessageAboveTheLimitFails) {
  Forger f;
  Status status;
  int cells = 0;
  for (; cells < 100 && status.ok(); ++cells)
    status = f.feed({kChannel, static_cast<std::uint8_t>(cells == 0 ? kCellFlagBegin : 0), kCellPayloadBytes}, kFull);
  EXPECT_EQ(cells, static_cast<int>(kMaxMessageBytes / kCellPayloadBytes) + 1);
  expect_failed(*f.victim, status, Errc::too_large);
}

TEST(LinkSessionAttack, MalformedLinkCellsFail) {
  Forger f;
  expect_failed(*f.victim, f.feed({kCellPadding, kCellFlagBegin, 0}, {}), Errc::malformed);
  Forger g;
  expect_failed(*g.victim, g.feed({kCellClose, kCellFlagBegin | kCellFlagEnd, 0}, {}), Errc::malformed);
  Forger h;
  CellPlaintext dirty = encode_cell_plaintext({kChannel, kCellFlagBegin | kCellFlagEnd, 1}, Bytes{1});
  dirty[500] = 7;
  expect_failed(*h.victim, h.feed_raw(dirty), Errc::malformed);
}

TEST(LinkSessionAttack, KeyUpdateIsHonouredAndTheOldKeyThenRefused) {
  Forger f;
  ASSERT_TRUE(f.feed({kCellPadding, kCellFlagKeyUpdate, 0}, {}).ok());
  CellCipher stale(crypto::SecretBytes::copy_of(Bytes(32, 0xbb)), kMaxCellsPerKey);
  (void)stale.seal(encode_cell_plaintext({kCellPadding, 0, 0}, {}));  // counter 1, old key
  const CellWire old_key_cell = stale.seal(encode_cell_plaintext({kCellPadding, 0, 0}, {}));
  Forger g;
  ASSERT_TRUE(g.feed({kCellPadding, kCellFlagKeyUpdate, 0}, {}).ok());
  expect_failed(*g.victim, g.victim->on_receive(0, old_key_cell), Errc::verify_failed);
  f.cipher.rekey();
  EXPECT_TRUE(f.feed({kChannel, kCellFlagBegin | kCellFlagEnd, 1}, Bytes{1}).ok());
  EXPECT_TRUE(f.victim->poll_message().has_value());
}

}  // namespace
}  // namespace zmesh::link
