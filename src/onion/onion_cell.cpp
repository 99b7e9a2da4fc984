#include "onion/onion_cell.hpp"

#include <cstdlib>
#include <string>

#include "link/cell.hpp"

namespace zmesh::onion {

static_assert(kFixedCellBytes <= link::kCellPayloadBytes, "a data cell must fit one link cell");

const char* cell_command_name(CellCommand command) {
  switch (command) {
    case CellCommand::setup: return "SETUP";
    case CellCommand::setup_reply: return "SETUP_REPLY";
    case CellCommand::data_forward: return "DATA_FORWARD";
    case CellCommand::data_backward: return "DATA_BACKWARD";
    case CellCommand::destroy_forward: return "DESTROY_FORWARD";
    case CellCommand::destroy_backward: return "DESTROY_BACKWARD";
  }
  return "?";
}

bool is_forward(CellCommand command) {
  return command == CellCommand::setup || command == CellCommand::data_forward ||
         command == CellCommand::destroy_forward;
}

const char* destroy_reason_name(DestroyReason reason) {
  switch (reason) {
    case DestroyReason::requested: return "requested";
    case DestroyReason::protocol: return "protocol";
    case DestroyReason::integrity: return "integrity";
    case DestroyReason::setup_rejected: return "setup-rejected";
    case DestroyReason::unknown_key: return "unknown-key";
    case DestroyReason::resource_limit: return "resource-limit";
    case DestroyReason::timeout: return "timeout";
    case DestroyReason::link_down: return "link-down";
  }
  return "?";
}

Result<CellView> parse_cell(ByteView cell) {
  if (cell.size() < kCellHeaderBytes) return make_error(Errc::truncated, "onion cell shorter than its header");
  CellView view;
  view.circuit_id = static_cast<CircuitId>(cell[0]) << 24 | static_cast<CircuitId>(cell[1]) << 16 |
                    static_cast<CircuitId>(cell[2]) << 8 | cell[3];
  if (view.circuit_id == 0) return make_error(Errc::malformed, "onion cell with circuit id 0");
  const std::uint8_t command = cell[4];
  if (command < static_cast<std::uint8_t>(CellCommand::setup) ||
      command > static_cast<std::uint8_t>(CellCommand::destroy_backward))
    return make_error(Errc::malformed, "unknown onion cell command " + std::to_string(command));
  view.command = static_cast<CellCommand>(command);
  const std::size_t expected = view.command == CellCommand::setup ? kSetupCellBytes : kFixedCellBytes;
  if (cell.size() != expected)
    return make_error(cell.size() < expected ? Errc::truncated : Errc::too_large,
                      std::string(cell_command_name(view.command)) + " cell must be " + std::to_string(expected) +
                          " bytes, got " + std::to_string(cell.size()));
  view.body = cell.subspan(kCellHeaderBytes);
  return view;
}

void write_cell_header(MutableByteView out, CircuitId circuit_id, CellCommand command) {
  if (out.size() < kCellHeaderBytes) std::abort();  // programming error
  out[0] = static_cast<std::uint8_t>(circuit_id >> 24);
  out[1] = static_cast<std::uint8_t>(circuit_id >> 16);
  out[2] = static_cast<std::uint8_t>(circuit_id >> 8);
  out[3] = static_cast<std::uint8_t>(circuit_id);
  out[4] = static_cast<std::uint8_t>(command);
}

Bytes make_fixed_cell(CircuitId circuit_id, CellCommand command) {
  Bytes cell(kFixedCellBytes, 0);
  write_cell_header(cell, circuit_id, command);
  return cell;
}

Bytes make_destroy_cell(CircuitId circuit_id, CellCommand command, DestroyReason reason) {
  Bytes cell = make_fixed_cell(circuit_id, command);
  cell[kCellHeaderBytes] = static_cast<std::uint8_t>(reason);
  return cell;
}

Result<DestroyReason> parse_destroy_body(ByteView body) {
  if (body.size() != kCellBodyBytes) return make_error(Errc::malformed, "DESTROY body must be 976 bytes");
  if (body[0] > kMaxDestroyReason) return make_error(Errc::malformed, "unknown DESTROY reason " + std::to_string(body[0]));
  std::uint8_t rest = 0;
  for (std::size_t i = 1; i < body.size(); ++i) rest |= body[i];
  if (rest != 0) return make_error(Errc::malformed, "DESTROY padding is not zero");
  return static_cast<DestroyReason>(body[0]);
}

}  // namespace zmesh::onion
