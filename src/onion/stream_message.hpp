// The stream layer's messages, carried end to end (client <-> exit) inside relay messages of
// a circuit. Byte layout and rules: docs/protocol/streams.md. One codec, strict: every field
// is range-checked and trailing bytes are an error, so each message has exactly one encoding.
#pragma once

#include <cstdint>

#include "onion/stream_error.hpp"
#include "onion/stream_target.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

enum class StreamCommand : std::uint8_t {
  begin = 1,         // client -> exit: open a stream to a target
  connected = 2,     // exit -> client: the target accepted
  begin_failed = 3,  // exit -> client: the stream could not open (reason)
  data = 4,          // either way: stream bytes
  end = 5,           // either way: the sender will send no more data (half-close)
  reset = 6,         // either way: abort the stream in both directions (reason)
  sendme = 7,        // either way: flow-control credit for a stream, or for the circuit (id 0)
};

using StreamId = std::uint16_t;
inline constexpr StreamId kCircuitStreamId = 0;  // only SENDME uses it

inline constexpr std::size_t kStreamHeaderBytes = 3;  // command, stream id
inline constexpr std::uint32_t kMaxStreamWindowBytes = 1u << 30;
inline constexpr std::uint32_t kMaxCircuitWindowMessages = 1u << 20;
// The largest BEGIN; a circuit must carry relay messages at least this long.
inline constexpr std::size_t kMinRelayMessageBytes = kStreamHeaderBytes + 4 + kMaxEncodedTargetBytes;

struct StreamMessage {
  static StreamMessage make(StreamCommand command, StreamId stream_id) {
    StreamMessage m;
    m.command = command;
    m.stream_id = stream_id;
    return m;
  }

  StreamCommand command = StreamCommand::data;
  StreamId stream_id = 0;
  StreamTarget target;                      // begin
  std::uint32_t window = 0;                 // begin / connected: sender's initial receive window
                                            // (bytes); sendme: credit (bytes, or messages for id 0)
  StreamError reason = StreamError::none;   // begin_failed, reset
  ByteView data;                            // data: a view into the decoded input (or, when
                                            // encoding, the caller's buffer)
};

const char* stream_command_name(StreamCommand command);

Bytes encode_stream_message(const StreamMessage& message);
// Errc::truncated / malformed / too_large / invalid_argument with a message saying which field.
Result<StreamMessage> decode_stream_message(ByteView message);

}  // namespace zmesh::onion
