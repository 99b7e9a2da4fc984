// The native driver of a node: binds NodeCore (src/node) to the event loop, the transports
// (io::listen / io::dial: tcp://, ws://), timers and the control API. NodeCore decides
// everything; this class only moves bytes and time between it and the operating system:
//
//   listener accept / dial success → node.on_transport_opened(id, ...)
//   Connection::on_data            → node.on_transport_data(id, message)
//   Connection::on_close           → node.on_transport_closed(id, why)
//   dial failure                   → node.on_dial_failed(dial, why)
//   send refused (buffer full)     → node.on_transport_blocked(id); on_writable → ..._writable
//   timer at node.next_deadline()  → node.on_timeout(now)
//   actions: SendBytes → Connection::send, CloseConnection → Connection::close (flushes),
//            DialUrl → io::dial, LogLine → util/log
//
// One flat drain: every callback the runtime installs (transports, dials, its timer, control
// routes) ends with drain(), which executes NodeCore's actions and polls the services'
// outputs (ping jobs, relayed WebRTC signals, onion stream events → sessions) until none is
// left, then re-arms the timer. Nothing else runs the node: objects that call a service from
// their own callbacks (SOCKS and exit sockets, WebRTC sessions) ask the DeferredDrain, which
// runs drain() from the loop after their callback returned. So no call into the node nests
// inside another, and nothing needs a re-entry flag.
//
// Shutdown (SIGINT/SIGTERM): NodeCore closes every link with a close cell, the transports
// flush and close, and finished() turns true (bounded by kShutdownGrace).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/bootstrap_progress.hpp"
#include "app/dht_routes.hpp"
#include "app/node_options.hpp"
#include "app/onion_frontend.hpp"
#include "app/ping_jobs.hpp"
#include "app/webrtc_transports.hpp"
#include "identity/identity.hpp"
#include "io/control_server.hpp"
#include "io/transport.hpp"
#include "node/descriptor_exchange.hpp"
#include "node/health_service.hpp"
#include "node/node_core.hpp"
#include "node/ping_service.hpp"
#include "node/signaling_relay.hpp"

namespace zmesh::app {

inline constexpr DurationUs kShutdownGrace = 3 * kSecond;

class NodeRuntime {
 public:
  // Loads or creates DATA_DIR/identity.key, opens the listeners and the control API. Nothing
  // is dialled before start().
  static Result<std::unique_ptr<NodeRuntime>> create(io::EventLoop& loop, NodeOptions options);
  ~NodeRuntime();
  NodeRuntime(const NodeRuntime&) = delete;
  NodeRuntime& operator=(const NodeRuntime&) = delete;

  void start();
  // Begins a clean shutdown; `done` runs once every transport closed (or after kShutdownGrace).
  void shutdown(std::function<void()> done);
  bool finished() const { return finished_; }

  const NodeId& node_id() const { return keys_.identity.id; }
  std::vector<std::string> listener_urls() const;
  std::string control_url() const { return control_ ? control_->url() : std::string(); }
  nlohmann::json status_json() const;
  // Ids `zmesh ping` / `lookup` prefixes resolve against: ours, link peers, descriptors held.
  std::vector<NodeId> known_node_ids() const;
  node::NodeCore& core() { return *core_; }
  // The DHT service (channel 2) and what it knows about other nodes, for the other services.
  node::DhtService& dht() { return *dht_; }
  node::PeerDirectory& directory() { return *dht_; }

 private:
  struct Transport {
    std::unique_ptr<io::Connection> connection;
    std::deque<Bytes> backlog;  // sends refused for lack of buffer room, in order
    bool closing = false;       // NodeCore asked to close: it has forgotten this id
  };

  NodeRuntime(io::EventLoop& loop, NodeOptions options);
  Status open_listeners();
  Status open_control();
  void adopt(std::unique_ptr<io::Connection> connection, node::Direction direction, node::DialId dial);
  void on_closed(node::ConnectionId id, const io::CloseReason& reason);
  void on_writable(node::ConnectionId id);
  void dial(node::DialId dial, const std::string& url);
  // Executes every pending action and polls every service output until none is left, then
  // re-arms the timer. Called at the end of every callback the runtime installs.
  void drain();
  // A control API route whose handler calls into the node: the node is drained after it.
  void route(const std::string& method, const std::string& path, io::HttpServer::AsyncHandler handler,
             DurationUs timeout);
  void execute(node::Action&& action);
  void send(node::ConnectionId id, Bytes message);
  void arm_timer();
  void maybe_finish();
  // node_runtime_onion.cpp: the onion service, SOCKS5 and exit (OnionFrontend), key rotation.
  Status attach_onion(const std::string& key_path);
  // node_runtime_bootstrap.cpp: progress lines and the no-path warning, every
  // kBootstrapCheckInterval from start().
  void check_bootstrap();

  io::EventLoop& loop_;
  NodeOptions options_;
  SystemRandom random_;
  NodeKeys keys_;
  io::TransportOptions transport_options_;
  DeferredDrain deferred_drain_{loop_, [this] { drain(); }};  // before the objects that hold it
  node::PingService ping_;
  // Heartbeats and failure detection (channel 5), tracking as many peers as the node may have.
  node::HealthService health_{random_, {.max_peers = options_.node.max_peers}};
  std::unique_ptr<node::DhtService> dht_;  // before core_: services outlive the core
  std::unique_ptr<node::DescriptorExchange> descriptor_exchange_;  // after dht_ (it uses it)
  std::unique_ptr<OnionFrontend> onion_;       // after dht_ (its PeerDirectory), before core_
  node::SignalingRelay signaling_;  // WebRTC offers/answers relayed by neighbours (channel 4)
  std::unique_ptr<node::NodeCore> core_;
  std::unique_ptr<PingJobs> ping_jobs_;
  std::vector<std::unique_ptr<io::Listener>> listeners_;
  // After listeners_ (it serves signaling on their HTTP servers), before transports_ (its
  // engine must outlive the WebRTC connections).
  std::unique_ptr<WebRtcTransports> webrtc_;
  std::unique_ptr<io::ControlServer> control_;
  std::map<node::ConnectionId, Transport> transports_;
  std::map<node::DialId, io::DialHandle> dials_;
  node::ConnectionId next_connection_ = 1;
  io::EventLoop::TimerId timer_ = 0;
  TimeUs timer_at_ = kNever;
  TimeUs started_at_ = 0;
  bool shutting_down_ = false;
  bool finished_ = false;
  std::function<void()> on_finished_;
  io::EventLoop::TimerId grace_timer_ = 0;
  std::optional<BootstrapProgress> bootstrap_;  // from start()
  io::EventLoop::TimerId bootstrap_timer_ = 0;
};

}  // namespace zmesh::app
