// Onion routing in the native node: the OnionService (src/node) on link channel 3, the SOCKS5
// listener that turns local connections into streams (SocksSession), and the exit side that
// connects streams to TCP targets under the exit policy (ExitSession). NodeRuntime owns one,
// adds service() to its NodeCore, calls poll() in its drain loop (stream events go to their
// sessions there, and finished sessions are destroyed there) and shows status_json().
#pragma once

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/onion_options.hpp"
#include "app/onion_session.hpp"
#include "io/control_server.hpp"
#include "io/tcp_stream.hpp"
#include "node/onion_service.hpp"

namespace zmesh::app {

inline constexpr std::size_t kMaxSocksConnections = 512;
inline constexpr std::size_t kMaxExitConnections = 1024;

struct OnionFrontendParams {
  NodeId self;
  std::vector<OnionKeyPair> onion_keys;     // the node's current keys (cloned from its key file)
  node::PeerDirectory* directory = nullptr;  // where relays and next hops are found
  RandomSource* random = nullptr;
  DeferredDrain* drain = nullptr;            // for sessions' calls from their own callbacks
  node::OnionService::KeysChanged keys_changed;  // persist keys, republish the descriptor
};

class OnionFrontend final : public OnionSessionOwner {
 public:
  // Opens the SOCKS listener (if any). Errors: a bad policy, a SOCKS address in use.
  static Result<std::unique_ptr<OnionFrontend>> create(io::EventLoop& loop, const OnionOptions& options, OnionFrontendParams params);
  ~OnionFrontend() override;

  node::OnionService& service() override { return *service_; }
  // Starts the client circuit pool (when a SOCKS port is served).
  void start(Now now);
  // Hands the service's stream events to their sessions and destroys finished sessions; true
  // when it did anything (the runtime's drain then loops once more).
  bool poll();
  // Ends every SOCKS and exit connection now (their streams are reset); before the NodeCore
  // that the service sends through goes away.
  void close_sessions();
  std::string socks_address() const;
  // POST /v1/onion/probe: builds one client circuit outside the pool and answers with its
  // build time ({"build_ms": ...}) once it is ready (503 with the error otherwise). The
  // runtime registers the route and drains after it.
  void probe(Now now, io::HttpServer::Responder respond);
  static constexpr DurationUs kProbeAnswerTimeout = 60 * kSecond;  // the circuit setup times out after 30 s
  nlohmann::json status_json() const;
  // GET /v1/onion/circuits: every circuit this node builds, relays or ends (zmesh circuits).
  nlohmann::json circuits_json(Now now) const;
  // POST /v1/onion/newnym: new streams go over circuits built from now on (Tor's NEWNYM);
  // answers {"retired": ready circuits that take no new stream any more}. The runtime drains.
  nlohmann::json new_circuits(Now now);

  // --- OnionSessionOwner ---
  io::EventLoop& loop() override { return loop_; }
  DeferredDrain& drain() override { return drain_; }
  void bind(node::StreamKey stream, SessionId session) override { bound_[stream] = session; }
  void session_done(SessionId session) override;

 private:
  OnionFrontend(io::EventLoop& loop, const OnionOptions& options, onion::ExitPolicy policy, OnionFrontendParams params);
  Status open_socks();
  void accept_socks(std::unique_ptr<io::TcpStream> socket);
  void start_exit(const node::OnionStreamEvent& incoming);
  bool reap();

  io::EventLoop& loop_;
  OnionOptions options_;
  onion::ExitPolicy policy_;
  DeferredDrain& drain_;
  std::unique_ptr<node::OnionService> service_;
  std::unique_ptr<io::TcpAcceptor> socks_;
  std::map<SessionId, std::unique_ptr<OnionSession>> sessions_;
  std::map<node::StreamKey, SessionId> bound_;
  std::vector<SessionId> finished_;
  SessionId next_session_ = 1;
  std::size_t socks_sessions_ = 0;
  std::size_t exit_sessions_ = 0;
  std::uint64_t socks_accepted_ = 0;
  std::uint64_t exit_streams_ = 0;
  std::uint64_t exit_refused_limit_ = 0;
};

}  // namespace zmesh::app
