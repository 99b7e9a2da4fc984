#include "app/node_runtime.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "crypto/simulated_crypto.hpp"
#include "app/node_id_prefix.hpp"
#include "identity/keyfile.hpp"
#include "io/url.hpp"
#include "util/log.hpp"

namespace zmesh::app {
namespace {

constexpr const char* kLog = "node";

Status ensure_data_dir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return make_error(Errc::io_error, "cannot create data directory " + dir + ": " + error.message());
  // Owner only, like the key file inside it (only applied when we just created it or it is ours).
  ::chmod(dir.c_str(), 0700);
  return {};
}

// The status's `health` object (docs/protocol/control.md).
nlohmann::json health_status_json(const node::HealthService& health, TimeUs now) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : health.peers(now)) {
    peers.push_back({{"node_id", p.peer.hex()},
                     {"rtt_us", p.rtt_us},
                     {"srtt_us", p.srtt_us},
                     {"jitter_us", p.jitter_us},
                     {"phi", std::round(std::min(p.phi, 1e6) * 1000) / 1000},  // 3 decimals
                     {"suspected", p.suspected},
                     {"silent_ms", p.silent_us / kMillisecond},
                     {"heartbeats", p.heartbeats}});
  }
  const node::HealthCounters& c = health.counters();
  const node::HealthConfig& config = health.config();
  return {{"interval_ms", config.interval / kMillisecond},
          {"phi_threshold", config.detector.phi_threshold},
          {"suspect_after_missed", config.detector.suspect_after_missed},
          {"tracked_peers", health.tracked_peers()},
          {"suspected", health.suspected_count()},
          {"peers", peers},
          {"counters",
           {{"rounds", c.rounds},
            {"pings_sent", c.pings_sent},
            {"pongs_sent", c.pongs_sent},
            {"pings_received", c.pings_received},
            {"pongs_received", c.pongs_received},
            {"stale_pongs", c.stale_pongs},
            {"malformed", c.malformed},
            {"from_untracked", c.from_untracked},
            {"send_failures", c.send_failures},
            {"suspicions", c.suspicions},
            {"recoveries", c.recoveries},
            {"peers_not_tracked", c.peers_not_tracked}}}};
}

}  // namespace

NodeRuntime::NodeRuntime(io::EventLoop& loop, NodeOptions options) : loop_(loop), options_(std::move(options)) {}

NodeRuntime::~NodeRuntime() {
  if (onion_) onion_->close_sessions();  // they reset their streams: the core must still exist
  if (timer_ != 0) loop_.cancel(timer_);
  if (grace_timer_ != 0) loop_.cancel(grace_timer_);
  if (bootstrap_timer_ != 0) loop_.cancel(bootstrap_timer_);
}

Result<std::unique_ptr<NodeRuntime>> NodeRuntime::create(io::EventLoop& loop, NodeOptions options) {
  // The simulator's stand-ins for ML-KEM / ML-DSA are not secure: a real node never runs on them.
  if (crypto::SimulatedCryptoForSimulatorOnly::active())
    return make_error(Errc::invalid_argument, "refusing to start a node: the simulator-only crypto stand-ins are active");
  std::unique_ptr<NodeRuntime> runtime(new NodeRuntime(loop, std::move(options)));
  NodeRuntime& r = *runtime;
  ZM_CHECK(ensure_data_dir(r.options_.data_dir));
  const std::string key_path = (std::filesystem::path(r.options_.data_dir) / "identity.key").string();
  ZM_TRY(r.keys_, keyfile::load_or_create(key_path, r.random_, static_cast<UnixSeconds>(std::time(nullptr))));

  r.transport_options_.handshake_timeout = r.options_.node.handshake_timeout;  // WebSocket upgrade
  r.options_.node.log_level = r.options_.log_level;
  r.core_ = std::make_unique<node::NodeCore>(r.keys_.identity, r.random_, r.options_.node);
  ZM_CHECK(r.core_->add_service(r.ping_));
  ZM_CHECK(r.core_->add_service(r.health_));
  ZM_CHECK(r.core_->add_service(r.signaling_));
  r.ping_jobs_ = std::make_unique<PingJobs>(r.ping_, *r.core_, r.random_);
  ZM_CHECK(r.open_listeners());
  node::DhtServiceConfig dht_config;
  apply_onion_descriptor_settings(r.options_.onion, dht_config);  // --exit-policy, --bandwidth
  r.dht_ = std::make_unique<node::DhtService>(r.keys_.identity, r.keys_.onion_keys, r.random_, dht_config);
  r.dht_->set_listen_urls(r.listener_urls());
  ZM_CHECK(r.core_->add_service(*r.dht_));
  r.descriptor_exchange_ = std::make_unique<node::DescriptorExchange>(*r.dht_);
  ZM_CHECK(r.core_->add_service(*r.descriptor_exchange_));  // after the DHT: it signs our descriptor first
  ZM_CHECK(r.attach_onion(key_path));
  ZM_TRY(r.webrtc_, WebRtcTransports::create(loop, r.random_, r.options_.webrtc, r.transport_options_));
  ZM_CHECK(r.webrtc_->serve_signaling(r.listeners_, [&r](std::unique_ptr<io::Connection> connection) {
    r.adopt(std::move(connection), node::Direction::inbound, 0);
  }));
  r.webrtc_->serve_relay(r.signaling_, r.deferred_drain_, [&r](std::unique_ptr<io::Connection> connection) {
    r.adopt(std::move(connection), node::Direction::inbound, 0);
  });
  ZM_CHECK(r.open_control());
  return runtime;
}

Status NodeRuntime::open_listeners() {
  for (const auto& url : options_.listen) {
    auto listener = io::listen(loop_, url, transport_options_);
    if (!listener.ok()) return make_error(listener.error().code, "listen " + url + ": " + listener.error().message);
    listener.value()->on_accept([this](std::unique_ptr<io::Connection> connection) {
      adopt(std::move(connection), node::Direction::inbound, 0);
    });
    listeners_.push_back(std::move(listener.value()));
  }
  return {};
}

Status NodeRuntime::open_control() {
  if (options_.control.empty()) return {};
  io::ControlServerOptions control_options;
  control_options.allow_non_loopback = options_.control_allow_remote;
  // The Host check stops DNS rebinding against a loopback-only API; a remotely reachable one is
  // addressed by other names, and is the operator's explicit choice (docs/protocol/control.md).
  control_options.check_host_header = !options_.control_allow_remote;
  auto server = io::ControlServer::start(loop_, options_.control, control_options);
  if (!server.ok()) return make_error(server.error().code, "control API on " + options_.control + ": " + server.error().message);
  control_ = std::move(server.value());
  control_->route("GET", "/v1/status", [this](const io::HttpRequest&) { return io::json_response(200, status_json()); });
  route(
      "POST", "/v1/ping",
      [this](const io::HttpRequest& request, io::HttpServer::Responder respond) {
        auto body = io::parse_json_body(request);
        if (!body.ok()) {
          respond(io::json_response(400, {{"error", body.error().message}}));
          return;
        }
        ping_jobs_->start(loop_.core_now(), body.value(), [respond](int status, const nlohmann::json& answer) {
          respond(io::json_response(status, answer));
        });
      },
      3600 * kSecond);  // every ping ends by its own timeout long before
  route(
      "GET", "/v1/lookup",
      [this](const io::HttpRequest& request, io::HttpServer::Responder respond) {
        lookup_descriptor(*dht_, loop_.core_now(), request, std::move(respond));
      },
      kLookupAnswerTimeout);
  control_->route("GET", "/v1/nodes", [this](const io::HttpRequest& request) {
    auto answer = nodes_by_prefix_json(request.query, known_node_ids());
    return answer.ok() ? io::json_response(200, *answer) : io::json_response(400, {{"error", answer.error().message}});
  });
  control_->route("GET", "/v1/onion/circuits",
                  [this](const io::HttpRequest&) { return io::json_response(200, onion_->circuits_json(loop_.core_now())); });
  route(
      "POST", "/v1/onion/newnym",
      [this](const io::HttpRequest&, io::HttpServer::Responder respond) {
        respond(io::json_response(200, onion_->new_circuits(loop_.core_now())));
      },
      10 * kSecond);
  route(
      "POST", "/v1/onion/probe",
      [this](const io::HttpRequest&, io::HttpServer::Responder respond) { onion_->probe(loop_.core_now(), std::move(respond)); },
      OnionFrontend::kProbeAnswerTimeout);
  return {};
}

std::vector<NodeId> NodeRuntime::known_node_ids() const {
  const Now now = loop_.core_now();
  std::vector<NodeId> ids{node_id()};
  for (const auto& p : core_->peer_stats(now)) ids.push_back(p.node_id);
  for (const auto& d : dht_->known_descriptors(now.unix_seconds(), 0)) ids.push_back(d.node_id);
  return ids;
}

void NodeRuntime::route(const std::string& method, const std::string& path, io::HttpServer::AsyncHandler handler,
                        DurationUs timeout) {
  control_->route_async(
      method, path,
      [this, handler = std::move(handler)](const io::HttpRequest& request, io::HttpServer::Responder respond) {
        handler(request, std::move(respond));
        drain();
      },
      timeout);
}

void NodeRuntime::start() {
  started_at_ = loop_.now();
  log::info(kLog, "node id " + node_id().hex());
  for (const auto& url : listener_urls()) log::info(kLog, "listening on " + url);
  for (const auto& listener : listeners_) {
    if (auto url = webrtc_->signaling_url(*listener); !url.empty()) log::info(kLog, "WebRTC signaling on " + url);
  }
  if (control_) log::info(kLog, "control API on " + control_->url());
  core_->on_start(loop_.core_now());
  onion_->start(loop_.core_now());
  drain();
  bootstrap_.emplace(onion_->socks_address(), options_.onion.hops);
  check_bootstrap();
}

std::vector<std::string> NodeRuntime::listener_urls() const {
  std::vector<std::string> urls;
  for (const auto& listener : listeners_) urls.push_back(listener->local_url());
  return urls;
}

void NodeRuntime::adopt(std::unique_ptr<io::Connection> connection, node::Direction direction, node::DialId dial) {
  const node::ConnectionId id = next_connection_++;
  io::Connection& c = *connection;
  // A backstop only: NodeCore enforces the handshake and idle timeouts itself.
  c.set_idle_timeout(std::max(options_.node.handshake_timeout, options_.node.idle_timeout) + 5 * kSecond);
  c.on_data([this, id](ByteView message) {
    core_->on_transport_data(loop_.core_now(), id, message);
    drain();
  });
  c.on_close([this, id](const io::CloseReason& reason) { on_closed(id, reason); });
  c.on_writable([this, id] { on_writable(id); });
  node::TransportOpened info{direction, c.transport_name(), c.remote_description(), dial};
  transports_.emplace(id, Transport{std::move(connection), {}, false});
  core_->on_transport_opened(loop_.core_now(), id, std::move(info));
  drain();
}

void NodeRuntime::on_closed(node::ConnectionId id, const io::CloseReason& reason) {
  auto it = transports_.find(id);
  if (it == transports_.end()) return;
  const bool closing = it->second.closing;
  transports_.erase(it);  // destroying a Connection inside its own callback is allowed
  if (!closing) {
    core_->on_transport_closed(loop_.core_now(), id, reason.describe());
    drain();
  }
  maybe_finish();
}

void NodeRuntime::on_writable(node::ConnectionId id) {
  auto it = transports_.find(id);
  if (it == transports_.end()) return;
  Transport& t = it->second;
  while (!t.backlog.empty()) {
    if (!t.connection->send(t.backlog.front()).ok()) return;  // still full (or closed: on_close follows)
    t.backlog.pop_front();
  }
  if (t.closing) return;
  core_->on_transport_writable(loop_.core_now(), id);
  drain();
}

void NodeRuntime::dial(node::DialId dial, const std::string& url) {
  auto done = [this, dial](Result<std::unique_ptr<io::Connection>> result) {
    dials_.erase(dial);  // the attempt stays alive until this callback returns
    if (!result.ok()) {
      core_->on_dial_failed(loop_.core_now(), dial, result.error().message);
      drain();
      return;
    }
    adopt(std::move(result.value()), node::Direction::outbound, dial);
  };
  if (is_webrtc_url(url)) {
    webrtc_->dial(dial, url, std::move(done));
    return;
  }
  dials_[dial] = io::dial(loop_, random_, url, std::move(done), transport_options_);
}

void NodeRuntime::send(node::ConnectionId id, Bytes message) {
  auto it = transports_.find(id);
  if (it == transports_.end()) return;
  Transport& t = it->second;
  if (!t.backlog.empty()) {
    t.backlog.push_back(std::move(message));
    return;
  }
  Status status = t.connection->send(message);
  if (!status.ok() && status.error().code == Errc::limit_exceeded) {
    t.backlog.push_back(std::move(message));
    core_->on_transport_blocked(id);
  }
  // closed / too_large: the transport is going away; on_close reports it.
}

void NodeRuntime::execute(node::Action&& action) {
  if (auto* send_bytes = std::get_if<node::SendBytes>(&action)) {
    send(send_bytes->connection, std::move(send_bytes->message));
  } else if (auto* close = std::get_if<node::CloseConnection>(&action)) {
    auto it = transports_.find(close->connection);
    if (it == transports_.end() || it->second.closing) return;
    Transport& t = it->second;
    t.closing = true;
    while (!t.backlog.empty() && t.connection->send(t.backlog.front()).ok()) t.backlog.pop_front();
    t.connection->close();  // flushes, then on_close
  } else if (auto* dial_url = std::get_if<node::DialUrl>(&action)) {
    if (!shutting_down_) dial(dial_url->dial, dial_url->url);
  } else if (auto* line = std::get_if<node::LogLine>(&action)) {
    log::write(line->level, kLog, line->text);
  }
}

void NodeRuntime::drain() {
  bool more = true;
  while (more) {
    while (auto action = core_->poll_action()) execute(std::move(*action));
    more = ping_jobs_->poll(loop_.core_now());
    more = webrtc_->poll_relay() || more;
    more = onion_->poll() || more;
  }
  deferred_drain_.settle();  // whatever was asked for during the loop, the loop picked up
  arm_timer();
}

void NodeRuntime::arm_timer() {
  const TimeUs deadline = core_->next_deadline();
  if (deadline == timer_at_) return;
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  timer_at_ = deadline;
  if (deadline == kNever) return;
  timer_ = loop_.run_at(deadline, [this] {
    timer_ = 0;
    timer_at_ = kNever;
    core_->on_timeout(loop_.core_now());
    drain();
  });
}

void NodeRuntime::shutdown(std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  on_finished_ = std::move(done);
  log::info(kLog, "shutting down");
  dials_.clear();  // cancels dials in progress
  webrtc_->cancel_dials();
  core_->shutdown(loop_.core_now());
  drain();
  grace_timer_ = loop_.run_after(kShutdownGrace, [this] {
    grace_timer_ = 0;
    log::warn(kLog, std::to_string(transports_.size()) + " transports did not close in time");
    transports_.clear();
    maybe_finish();
  });
  maybe_finish();
}

void NodeRuntime::maybe_finish() {
  if (!shutting_down_ || finished_ || !transports_.empty()) return;
  finished_ = true;
  if (grace_timer_ != 0) loop_.cancel(grace_timer_);
  grace_timer_ = 0;
  log::info(kLog, "stopped");
  if (on_finished_) on_finished_();
}

nlohmann::json NodeRuntime::status_json() const {
  const Now now = loop_.core_now();
  const double seconds = 1.0 / kSecond;
  nlohmann::json listeners = nlohmann::json::array();
  for (const auto& listener : listeners_) {
    const std::string url = listener->local_url();
    auto parsed = io::parse_transport_url(url);
    listeners.push_back({{"url", url}, {"transport", parsed.ok() ? io::scheme_name(parsed->scheme) : "?"}});
    if (auto signaling = webrtc_->signaling_url(*listener); !signaling.empty()) listeners.back()["webrtc"] = signaling;
  }
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : core_->peer_stats(now)) {
    peers.push_back({{"node_id", p.node_id.hex()},
                     {"transport", p.transport},
                     {"direction", node::direction_name(p.direction)},
                     {"remote", p.remote},
                     {"bytes_in", p.bytes_in},
                     {"bytes_out", p.bytes_out},
                     {"cells_in", p.cells_in},
                     {"cells_out", p.cells_out},
                     {"connected_seconds", static_cast<double>(p.connected_for) * seconds},
                     {"links", p.links}});
    if (auto t = transports_.find(p.connection); t != transports_.end()) add_webrtc_link_status(peers.back(), *t->second.connection);
  }
  const node::NodeCounters& c = core_->counters();
  const node::PingCounters& pc = ping_.counters();
  return {
      {"node_id", node_id().hex()},
      {"network", options_.node.network},
      {"uptime_seconds", static_cast<double>(now.mono - started_at_) * seconds},
      {"listeners", listeners},
      {"peers", peers},
      {"connections", {{"open", core_->connection_count()}, {"handshaking", core_->handshakes_in_progress()}}},
      {"counters",
       {{"connections_opened", c.connections_opened},
        {"refused_rate_limited", c.refused_rate_limited},
        {"refused_handshake_limit", c.refused_handshake_limit},
        {"refused_peer_limit", c.refused_peer_limit},
        {"handshake_failures", c.handshake_failures},
        {"links_opened", c.links_opened},
        {"links_failed", c.links_failed},
        {"duplicates_closed", c.duplicates_closed},
        {"dials", c.dials},
        {"dials_failed", c.dials_failed},
        {"unknown_channel_messages", c.unknown_channel_messages},
        {"log_lines_dropped", c.log_lines_dropped}}},
      {"ping",
       {{"requests_sent", pc.requests_sent},
        {"requests_answered", pc.requests_answered},
        {"replies_received", pc.replies_received},
        {"answer_send_failures", pc.answer_send_failures}}},
      {"health", health_status_json(health_, now.mono)},
      {"dht", dht_status_json(*dht_)},
      {"onion", onion_->status_json()},
      {"bootstrap", bootstrap_ ? bootstrap_->status_json() : nlohmann::json::object()},
  };
}

}  // namespace zmesh::app
