// ICE (RFC 8445) with libnice: one stream, one component, UDP, trickle (RFC 8838). Local
// candidates are handed out as "candidate:..." lines as libnice finds them, remote ones are
// checked with our bounded parser and filters before libnice sees them. Data other than STUN
// (libnice answers connectivity checks itself) comes out as datagrams for DTLS.
#pragma once

#include <nice/agent.h>

#include <functional>
#include <memory>
#include <string>

#include "io/webrtc/glib_bridge.hpp"
#include "io/webrtc/rtc_config.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

class IceTransport {
 public:
  enum class State { gathering, connecting, connected, failed };
  struct Callbacks {
    std::function<void(const IceCandidate& candidate)> on_local_candidate;
    std::function<void()> on_gathering_done;
    std::function<void()> on_connected;  // a pair works: DTLS may start
    std::function<void(const Error& error)> on_failed;
    std::function<void(ByteView datagram)> on_datagram;
  };

  // controlling: the offerer (RFC 8445 §6.1.1; libnice repairs role conflicts).
  static Result<std::unique_ptr<IceTransport>> create(GlibBridge& bridge, const RtcConfig& config, bool controlling,
                                                      Callbacks callbacks);
  ~IceTransport();
  IceTransport(const IceTransport&) = delete;
  IceTransport& operator=(const IceTransport&) = delete;

  const std::string& local_ufrag() const { return local_ufrag_; }
  const std::string& local_pwd() const { return local_pwd_; }

  Status gather();
  Status set_remote_credentials(const std::string& ufrag, const std::string& pwd);
  // Ignored (Ok) when filtered out or not UDP; an error when libnice refuses it.
  Status add_remote_candidate(const IceCandidate& candidate);
  void remote_gathering_done();
  Status send(ByteView datagram);

  State state() const { return state_; }
  // "127.0.0.1:5000 host <-> 127.0.0.1:6000 host", empty before a pair is selected.
  std::string selected_pair() const;
  // Types of the selected pair's candidates, e.g. {"relay", "relay"}.
  std::pair<std::string, std::string> selected_types() const;
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }

 private:
  IceTransport(GlibBridge& bridge, const RtcConfig& config, Callbacks callbacks);
  static void on_candidate(NiceAgent*, NiceCandidate* candidate, gpointer self);
  static void on_gathering_done_signal(NiceAgent*, guint stream, gpointer self);
  static void on_state_changed(NiceAgent*, guint stream, guint component, guint state, gpointer self);
  static void on_receive(NiceAgent*, guint stream, guint component, guint length, gchar* data, gpointer self);
  Status configure_servers();
  void fail(const std::string& why);
  void check_nothing_to_try();
  void enlarge_socket_buffers();

  GlibBridge& bridge_;
  RtcConfig config_;
  Callbacks callbacks_;
  NiceAgent* agent_ = nullptr;
  guint stream_ = 0;
  std::string local_ufrag_;
  std::string local_pwd_;
  State state_ = State::gathering;
  bool local_gathering_done_ = false;
  bool remote_gathering_done_ = false;
  std::size_t remote_candidates_ = 0;  // accepted and handed to libnice
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
