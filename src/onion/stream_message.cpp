#include "onion/stream_message.hpp"

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::onion {
namespace {

Error bad(StreamCommand command, const std::string& why) {
  return make_error(Errc::malformed, std::string("stream ") + stream_command_name(command) + ": " + why);
}

Result<std::uint32_t> read_window(wire::Reader& in, StreamCommand command, std::uint32_t max) {
  ZM_TRY(std::uint32_t window, in.u32());
  if (window == 0) return bad(command, "zero window");
  if (window > max) return make_error(Errc::too_large, std::string("stream ") + stream_command_name(command) + ": window " + std::to_string(window) + " above " + std::to_string(max));
  return window;
}

Result<StreamError> read_reason(wire::Reader& in, StreamCommand command) {
  ZM_TRY(std::uint8_t reason, in.u8());
  if (!is_wire_stream_error(reason)) return bad(command, "unknown reason " + std::to_string(reason));
  if (command == StreamCommand::begin_failed && reason == 0) return bad(command, "reason none");
  return static_cast<StreamError>(reason);
}

Status read_body(wire::Reader& in, StreamMessage& m) {
  switch (m.command) {
    case StreamCommand::begin: {
      ZM_TRY(m.window, read_window(in, m.command, kMaxStreamWindowBytes));
      auto target = decode_target(in);
      if (!target.ok()) return make_error(target.error().code, "stream begin: " + target.error().message);
      m.target = std::move(target).value();
      return {};
    }
    case StreamCommand::connected: {
      ZM_TRY(m.window, read_window(in, m.command, kMaxStreamWindowBytes));
      return {};
    }
    case StreamCommand::begin_failed:
    case StreamCommand::reset: {
      ZM_TRY(m.reason, read_reason(in, m.command));
      return {};
    }
    case StreamCommand::data:
      m.data = in.rest();
      if (m.data.empty()) return bad(m.command, "empty");
      return {};
    case StreamCommand::end:
      return {};
    case StreamCommand::sendme: {
      const auto max = m.stream_id == kCircuitStreamId ? kMaxCircuitWindowMessages : kMaxStreamWindowBytes;
      ZM_TRY(m.window, read_window(in, m.command, max));
      return {};
    }
  }
  return make_error(Errc::malformed, "unknown stream command");
}

}  // namespace

const char* stream_command_name(StreamCommand command) {
  switch (command) {
    case StreamCommand::begin: return "BEGIN";
    case StreamCommand::connected: return "CONNECTED";
    case StreamCommand::begin_failed: return "BEGIN_FAILED";
    case StreamCommand::data: return "DATA";
    case StreamCommand::end: return "END";
    case StreamCommand::reset: return "RESET";
    case StreamCommand::sendme: return "SENDME";
  }
  return "unknown";
}

Bytes encode_stream_message(const StreamMessage& m) {
  wire::Writer out(kStreamHeaderBytes + 4 + m.data.size());
  out.u8(static_cast<std::uint8_t>(m.command)).u16(m.stream_id);
  switch (m.command) {
    case StreamCommand::begin:
      out.u32(m.window);
      encode_target(out, m.target);
      break;
    case StreamCommand::connected:
    case StreamCommand::sendme:
      out.u32(m.window);
      break;
    case StreamCommand::begin_failed:
    case StreamCommand::reset:
      out.u8(static_cast<std::uint8_t>(m.reason));
      break;
    case StreamCommand::data:
      out.bytes(m.data);
      break;
    case StreamCommand::end:
      break;
  }
  return out.take();
}

Result<StreamMessage> decode_stream_message(ByteView message) {
  wire::Reader in(message);
  ZM_TRY(std::uint8_t command, in.u8());
  if (command < static_cast<std::uint8_t>(StreamCommand::begin) || command > static_cast<std::uint8_t>(StreamCommand::sendme))
    return make_error(Errc::malformed, "unknown stream command " + std::to_string(command));
  StreamMessage m;
  m.command = static_cast<StreamCommand>(command);
  ZM_TRY(m.stream_id, in.u16());
  if (m.stream_id == kCircuitStreamId && m.command != StreamCommand::sendme)
    return bad(m.command, "stream id 0 is reserved for circuit SENDME");
  ZM_CHECK(read_body(in, m));
  ZM_CHECK(in.expect_end(stream_command_name(m.command)));
  return m;
}

}  // namespace zmesh::onion
