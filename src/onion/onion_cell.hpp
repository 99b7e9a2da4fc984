// Onion cells: what travels on link channel 3 between neighbouring nodes (docs/protocol/onion.md
// "Cells"). One link message carries exactly one onion cell.
//
//   cell = circuit_id u32be | command u8 | body
//   body = setup header (3450 B) for SETUP, otherwise exactly kCellBodyBytes (976 B)
//
// The circuit id is chosen by the node that sent the SETUP on that link and names the circuit
// on that link only. Forward commands (SETUP, DATA_FORWARD, DESTROY_FORWARD) flow away from
// the client, backward ones towards it, so a receiver knows which side of the link chose the
// id and both sides can pick ids without coordinating.
#pragma once

#include <cstddef>
#include <cstdint>

#include "onion/sphinx_format.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

using CircuitId = std::uint32_t;  // 0 is never a valid id

enum class CellCommand : std::uint8_t {
  setup = 1,             // forward: Sphinx setup header
  setup_reply = 2,       // backward: the last hop's first backward cell; completes the setup
  data_forward = 3,      // forward: layered data cell
  data_backward = 4,     // backward: layered data cell
  destroy_forward = 5,   // forward: tear down (sent by the client side)
  destroy_backward = 6,  // backward: tear down (sent by the exit side)
};
const char* cell_command_name(CellCommand command);
bool is_forward(CellCommand command);

// Why a circuit was torn down (the DESTROY body's first byte).
enum class DestroyReason : std::uint8_t {
  requested = 0,       // an endpoint closed it
  protocol = 1,        // a neighbour broke the protocol (bad cell, unexpected command)
  integrity = 2,       // a data cell failed its per-hop or end-to-end check
  setup_rejected = 3,  // the setup header failed its MAC, was a replay, or named a bad hop
  unknown_key = 4,     // the setup header named an onion key this relay does not hold
  resource_limit = 5,  // a table or queue limit
  timeout = 6,         // the setup did not complete in time
  link_down = 7,       // the link to a neighbour on the circuit was lost or could not be made
};
inline constexpr std::uint8_t kMaxDestroyReason = 7;
const char* destroy_reason_name(DestroyReason reason);

inline constexpr std::size_t kCircuitIdBytes = 4;
inline constexpr std::size_t kCellHeaderBytes = kCircuitIdBytes + 1;
inline constexpr std::size_t kCellBodyBytes = 976;
inline constexpr std::size_t kFixedCellBytes = kCellHeaderBytes + kCellBodyBytes;     // 981
inline constexpr std::size_t kSetupCellBytes = kCellHeaderBytes + kSetupHeaderBytes;  // 3455

struct CellView {
  CircuitId circuit_id = 0;
  CellCommand command = CellCommand::data_forward;
  ByteView body;  // points into the parsed input
};

// Checks id != 0, a known command and the exact size for that command.
Result<CellView> parse_cell(ByteView cell);
// Writes the 5-byte header; `out` must be at least kCellHeaderBytes (else aborts).
void write_cell_header(MutableByteView out, CircuitId circuit_id, CellCommand command);
// A fixed-size cell with the header written and a zero body.
Bytes make_fixed_cell(CircuitId circuit_id, CellCommand command);

// DESTROY body: reason u8 | zeros. parse_destroy_body checks the reason and the zeros.
Bytes make_destroy_cell(CircuitId circuit_id, CellCommand command, DestroyReason reason);
Result<DestroyReason> parse_destroy_body(ByteView body);

}  // namespace zmesh::onion
