#include "io/webrtc/signal_message.hpp"

#include <nlohmann/json.hpp>

namespace zmesh::io::webrtc {
namespace {

using nlohmann::json;

Error bad(std::string what) { return make_error(Errc::malformed, "signaling message: " + std::move(what)); }

Result<std::string> string_field(const json& object, const char* name, std::size_t max_bytes) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return bad(std::string("missing string field \"") + name + "\"");
  const auto& value = it->get_ref<const std::string&>();
  if (value.size() > max_bytes) return make_error(Errc::too_large, std::string("signaling field ") + name + " too long");
  return value;
}

// sdpMid may be absent (then sdpMLineIndex 0 is implied: our descriptions have one section).
Result<std::string> mid_field(const json& object) {
  auto it = object.find("sdpMid");
  if (it == object.end() || it->is_null()) return std::string("0");
  return string_field(object, "sdpMid", 32);
}

}  // namespace

const char* signal_type_name(SignalType type) {
  switch (type) {
    case SignalType::offer: return "offer";
    case SignalType::answer: return "answer";
    case SignalType::candidate: return "candidate";
    case SignalType::end_of_candidates: return "end-of-candidates";
    case SignalType::request_offer: return "request-offer";
    case SignalType::error: return "error";
  }
  return "?";
}

SignalMessage SignalMessage::description(SignalType type, std::string sdp) {
  SignalMessage m;
  m.type = type;
  m.sdp = std::move(sdp);
  return m;
}

SignalMessage SignalMessage::ice_candidate(std::string candidate, std::string mid) {
  SignalMessage m;
  m.type = SignalType::candidate;
  m.candidate = std::move(candidate);
  m.mid = std::move(mid);
  return m;
}

SignalMessage SignalMessage::end_of_candidates() {
  SignalMessage m;
  m.type = SignalType::end_of_candidates;
  return m;
}

SignalMessage SignalMessage::request_offer() {
  SignalMessage m;
  m.type = SignalType::request_offer;
  return m;
}

SignalMessage SignalMessage::failure(std::string message) {
  SignalMessage m;
  m.type = SignalType::error;
  m.message = std::move(message);
  return m;
}

Result<SignalMessage> decode_signal(ByteView input) {
  if (input.size() > kMaxSignalBytes) return make_error(Errc::too_large, "signaling message larger than 64 KiB");
  json object = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) return bad("not a JSON object");
  ZM_TRY(std::string type, string_field(object, "type", 32));
  if (type == "offer" || type == "answer") {
    ZM_TRY(std::string sdp, string_field(object, "sdp", kMaxSignalBytes));
    return SignalMessage::description(type == "offer" ? SignalType::offer : SignalType::answer, std::move(sdp));
  }
  if (type == "candidate") {
    ZM_TRY(std::string candidate, string_field(object, "candidate", 1024));
    if (candidate.empty()) return SignalMessage::end_of_candidates();
    ZM_TRY(std::string mid, mid_field(object));
    return SignalMessage::ice_candidate(std::move(candidate), std::move(mid));
  }
  if (type == "end-of-candidates") return SignalMessage::end_of_candidates();
  if (type == "request-offer") return SignalMessage::request_offer();
  if (type == "error") {
    ZM_TRY(std::string message, string_field(object, "message", 1024));
    return SignalMessage::failure(std::move(message));
  }
  return bad("unknown type \"" + type + "\"");
}

std::string encode_signal(const SignalMessage& m) {
  json object = {{"type", signal_type_name(m.type)}};
  switch (m.type) {
    case SignalType::offer:
    case SignalType::answer: object["sdp"] = m.sdp; break;
    case SignalType::candidate:
      object["candidate"] = m.candidate;
      object["sdpMid"] = m.mid;
      object["sdpMLineIndex"] = 0;
      break;
    case SignalType::error: object["message"] = m.message; break;
    case SignalType::end_of_candidates:
    case SignalType::request_offer: break;
  }
  // Replace invalid UTF-8 instead of throwing: messages may echo peer-supplied text.
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace zmesh::io::webrtc
