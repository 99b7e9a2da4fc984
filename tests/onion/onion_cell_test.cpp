// Onion cell codec (onion_cell.hpp): exact sizes per command, header round trip, DESTROY body.
#include <gtest/gtest.h>

#include "onion/onion_cell.hpp"

namespace zmesh::onion {
namespace {

TEST(OnionCell, HeaderRoundTripsForEveryCommand) {
  for (std::uint8_t c = 1; c <= 6; ++c) {
    const auto command = static_cast<CellCommand>(c);
    Bytes cell(command == CellCommand::setup ? kSetupCellBytes : kFixedCellBytes, 0xab);
    write_cell_header(cell, 0x01020304, command);
    auto parsed = parse_cell(cell);
    ASSERT_TRUE(parsed.ok()) << cell_command_name(command) << ": " << parsed.error().describe();
    EXPECT_EQ(parsed->circuit_id, 0x01020304u);
    EXPECT_EQ(parsed->command, command);
    EXPECT_EQ(parsed->body.size(), cell.size() - kCellHeaderBytes);
    EXPECT_EQ(parsed->body.data(), cell.data() + kCellHeaderBytes);
  }
}

TEST(OnionCell, SizesFitTheLinkAndAreExact) {
  EXPECT_EQ(kFixedCellBytes, 981u);  // one link cell (1004 bytes of payload)
  EXPECT_EQ(kSetupCellBytes, 3455u);
  Bytes cell = make_fixed_cell(7, CellCommand::data_forward);
  EXPECT_TRUE(parse_cell(cell).ok());
  cell.push_back(0);
  EXPECT_EQ(parse_cell(cell).error().code, Errc::too_large);
  cell.resize(kFixedCellBytes - 1);
  EXPECT_EQ(parse_cell(cell).error().code, Errc::truncated);
  // A setup-sized data cell and a data-sized setup cell are both refused.
  Bytes setup(kSetupCellBytes, 0);
  write_cell_header(setup, 7, CellCommand::data_backward);
  EXPECT_FALSE(parse_cell(setup).ok());
  Bytes small_setup = make_fixed_cell(7, CellCommand::setup);
  EXPECT_FALSE(parse_cell(small_setup).ok());
  EXPECT_EQ(parse_cell(ByteView(cell).first(4)).error().code, Errc::truncated);
}

TEST(OnionCell, RefusesCircuitIdZeroAndUnknownCommands) {
  Bytes cell = make_fixed_cell(1, CellCommand::data_forward);
  cell[3] = 0;
  EXPECT_EQ(parse_cell(cell).error().code, Errc::malformed);
  cell[3] = 1;
  for (std::uint8_t bad : {std::uint8_t{0}, std::uint8_t{7}, std::uint8_t{255}}) {
    cell[4] = bad;
    EXPECT_EQ(parse_cell(cell).error().code, Errc::malformed) << int(bad);
  }
}

TEST(OnionCell, DestroyCarriesItsReasonAndZeroPadding) {
  for (std::uint8_t r = 0; r <= kMaxDestroyReason; ++r) {
    const Bytes cell = make_destroy_cell(9, CellCommand::destroy_backward, static_cast<DestroyReason>(r));
    auto parsed = parse_cell(cell);
    ASSERT_TRUE(parsed.ok());
    auto reason = parse_destroy_body(parsed->body);
    ASSERT_TRUE(reason.ok());
    EXPECT_EQ(static_cast<std::uint8_t>(*reason), r);
    EXPECT_STRNE(destroy_reason_name(*reason), "?");
  }
  Bytes cell = make_destroy_cell(9, CellCommand::destroy_forward, DestroyReason::timeout);
  cell[kCellHeaderBytes] = kMaxDestroyReason + 1;
  EXPECT_FALSE(parse_destroy_body(ByteView(cell).subspan(kCellHeaderBytes)).ok());
  cell[kCellHeaderBytes] = 0;
  cell.back() = 1;
  EXPECT_FALSE(parse_destroy_body(ByteView(cell).subspan(kCellHeaderBytes)).ok());
}

TEST(OnionCell, DirectionOfCommands) {
  EXPECT_TRUE(is_forward(CellCommand::setup));
  EXPECT_TRUE(is_forward(CellCommand::data_forward));
  EXPECT_TRUE(is_forward(CellCommand::destroy_forward));
  EXPECT_FALSE(is_forward(CellCommand::setup_reply));
  EXPECT_FALSE(is_forward(CellCommand::data_backward));
  EXPECT_FALSE(is_forward(CellCommand::destroy_backward));
}

}  // namespace
}  // namespace zmesh::onion
