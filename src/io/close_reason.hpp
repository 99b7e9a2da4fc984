// Why a connection ended: handed to every on_close callback, exactly once per connection.
#pragma once

#include <cstdint>
#include <string>

namespace zmesh::io {

enum class CloseKind {
  local,           // this side called close() and the close completed
  peer_closed,     // orderly close by the peer (TCP EOF, WebSocket close frame)
  reset,           // the connection broke (RST, EPIPE, socket error)
  timeout,         // idle / handshake / close-handshake timeout expired
  protocol_error,  // the peer broke the framing or WebSocket rules
  too_large,       // the peer announced a message above the limit
};

const char* close_kind_name(CloseKind kind);

struct CloseReason {
  CloseKind kind = CloseKind::local;
  std::string detail;
  // WebSocket status code (RFC 6455 §7.4) sent or received, 0 for TCP or when none.
  std::uint16_t ws_status = 0;

  std::string describe() const {
    std::string out = close_kind_name(kind);
    if (ws_status != 0) out += " (ws " + std::to_string(ws_status) + ")";
    if (!detail.empty()) out += ": " + detail;
    return out;
  }
};

inline const char* close_kind_name(CloseKind kind) {
  switch (kind) {
    case CloseKind::local: return "closed locally";
    case CloseKind::peer_closed: return "closed by peer";
    case CloseKind::reset: return "connection reset";
    case CloseKind::timeout: return "timed out";
    case CloseKind::protocol_error: return "protocol error";
    case CloseKind::too_large: return "message too large";
  }
  return "?";
}

}  // namespace zmesh::io
