#include "app/onion_frontend.hpp"

#include "app/exit_session.hpp"
#include "app/onion_stream_bridge.hpp"
#include "app/socks_session.hpp"
#include "util/log.hpp"

namespace zmesh::app {
namespace {

constexpr const char* kLog = "onion";

}  // namespace

OnionFrontend::OnionFrontend(io::EventLoop& loop, const OnionOptions& options, onion::ExitPolicy policy, OnionFrontendParams params)
    : loop_(loop), options_(options), policy_(std::move(policy)), drain_(*params.drain) {
  node::OnionServiceConfig config;
  config.hops = options_.hops;
  config.accept_streams = options_.is_exit();
  config.ready_circuits = options_.socks.empty() ? 0 : 2;
  service_ = std::make_unique<node::OnionService>(params.self, std::move(params.onion_keys), *params.directory,
                                                  *params.random, config);
  service_->on_onion_keys_changed(std::move(params.keys_changed));
}

OnionFrontend::~OnionFrontend() { close_sessions(); }

void OnionFrontend::close_sessions() {
  std::map<SessionId, std::unique_ptr<OnionSession>> sessions;
  sessions.swap(sessions_);
  sessions.clear();  // destructors may call back into us (session_done): sessions_ is empty then
  bound_.clear();
  finished_.clear();
  socks_sessions_ = 0;
  exit_sessions_ = 0;
}

Result<std::unique_ptr<OnionFrontend>> OnionFrontend::create(io::EventLoop& loop, const OnionOptions& options, OnionFrontendParams params) {
  ZM_TRY(onion::ExitPolicy policy, onion_exit_policy(options));
  std::unique_ptr<OnionFrontend> frontend(new OnionFrontend(loop, options, std::move(policy), std::move(params)));
  ZM_CHECK(frontend->open_socks());
  return frontend;
}

Status OnionFrontend::open_socks() {
  if (options_.socks.empty()) return {};
  ZM_TRY(const HostPort socks, parse_host_port(options_.socks));
  if (!socks.ip) return make_error(Errc::invalid_argument, "--socks: HOST must be an IP address");
  const io::SocketAddress address = io::SocketAddress::from_ip(*socks.ip, *socks.port);
  auto acceptor = io::TcpAcceptor::open(loop_, address, kMaxSocksConnections, bridged_socket_options(),
                                        [this](std::unique_ptr<io::TcpStream> socket) { accept_socks(std::move(socket)); });
  if (!acceptor.ok()) return make_error(acceptor.error().code, "SOCKS listener on " + options_.socks + ": " + acceptor.error().message);
  socks_ = std::move(acceptor.value());
  return {};
}

void OnionFrontend::probe(Now now, io::HttpServer::Responder respond) {
  const Status started = service_->build_probe_circuit(now, [respond](Result<DurationUs> took) {
    if (took.ok()) {
      respond(io::json_response(200, {{"build_ms", static_cast<double>(*took) / kMillisecond}}));
    } else {
      respond(io::json_response(503, {{"error", took.error().message}}));
    }
  });
  if (!started.ok()) respond(io::json_response(503, {{"error", started.error().message}}));
}

std::string OnionFrontend::socks_address() const { return socks_ ? socks_->local_address().to_string() : std::string(); }

void OnionFrontend::start(Now now) {
  if (socks_) {
    log::info(kLog, "SOCKS5 on " + socks_address() + " (" + std::to_string(options_.hops) + "-hop circuits)");
    service_->warm_up(now);
  }
  if (options_.is_exit()) log::info(kLog, "exit policy: " + policy_.to_string());
}

void OnionFrontend::accept_socks(std::unique_ptr<io::TcpStream> socket) {
  const SessionId id = next_session_++;
  ++socks_accepted_;
  ++socks_sessions_;
  auto session = std::make_unique<SocksSession>(*this, id, std::move(socket));
  SocksSession& s = *session;
  sessions_.emplace(id, std::move(session));
  s.start();
}

void OnionFrontend::start_exit(const node::OnionStreamEvent& incoming) {
  ++exit_streams_;
  if (exit_sessions_ >= kMaxExitConnections) {
    ++exit_refused_limit_;
    (void)service_->refuse_stream(loop_.core_now(), incoming.stream, onion::StreamError::resource_limit);
    return;
  }
  const SessionId id = next_session_++;
  ++exit_sessions_;
  auto session = std::make_unique<ExitSession>(*this, id, policy_, incoming.stream, incoming.target);
  ExitSession& s = *session;
  sessions_.emplace(id, std::move(session));
  bound_[incoming.stream] = id;
  s.start();
}

bool OnionFrontend::poll() {
  bool any = false;
  while (auto event = service_->poll_stream_event()) {
    any = true;
    if (event->kind == onion::StreamEventKind::incoming) {
      start_exit(*event);
      continue;
    }
    auto bound = bound_.find(event->stream);
    if (bound == bound_.end()) continue;
    const SessionId id = bound->second;
    const bool last = event->kind == onion::StreamEventKind::closed || event->kind == onion::StreamEventKind::reset ||
                      event->kind == onion::StreamEventKind::open_failed;
    if (last) bound_.erase(bound);
    auto session = sessions_.find(id);
    if (session != sessions_.end()) session->second->on_stream_event(*event);
  }
  return reap() || any;
}

void OnionFrontend::session_done(SessionId session) {
  finished_.push_back(session);
  drain_.request();  // poll() destroys it, outside the session's own callbacks
}

bool OnionFrontend::reap() {
  if (finished_.empty()) return false;
  std::vector<SessionId> done;
  done.swap(finished_);
  for (SessionId id : done) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) continue;
    if (dynamic_cast<SocksSession*>(it->second.get()) != nullptr) --socks_sessions_;
    else --exit_sessions_;
    for (auto b = bound_.begin(); b != bound_.end();) b = b->second == id ? bound_.erase(b) : std::next(b);
    sessions_.erase(it);  // its destructor may reset its stream: the drain sends that
  }
  return true;
}

nlohmann::json OnionFrontend::circuits_json(Now now) const {
  nlohmann::json out = nlohmann::json::array();
  for (const node::OnionCircuitInfo& c : service_->circuits()) {
    nlohmann::json circuit = {{"id", onion::handle_value(c.handle)},
                              {"role", onion::circuit_role_name(c.role)},
                              {"open", c.open},
                              {"streams", c.streams},
                              {"streams_opened", c.stream_counters.streams_opened},
                              {"bytes_sent", c.stream_counters.data_bytes_sent},
                              {"bytes_received", c.stream_counters.data_bytes_received},
                              {"cells_forward", c.cells_forward},
                              {"cells_backward", c.cells_backward}};
    if (c.role == onion::CircuitRole::origin) {
      nlohmann::json path = nlohmann::json::array();
      for (const NodeId& hop : c.path) path.push_back(hop.hex());
      circuit["path"] = path;
      circuit["state"] = c.pool_state;
      if (c.ready_at != kNever) circuit["age_seconds"] = static_cast<double>(now.mono - c.ready_at) / kSecond;
    } else {
      circuit["prev"] = c.prev.hex();
      if (c.role == onion::CircuitRole::middle) circuit["next"] = c.next.hex();
    }
    out.push_back(std::move(circuit));
  }
  return {{"circuits", out}};
}

nlohmann::json OnionFrontend::new_circuits(Now now) {
  const std::size_t retired = service_->ready_client_circuits();
  service_->new_circuits(now);
  log::info(kLog, "newnym: " + std::to_string(retired) + " ready circuits take no new streams; new streams use new circuits");
  return {{"retired", retired}};
}

nlohmann::json OnionFrontend::status_json() const {
  const node::OnionServiceStatus s = service_->status();
  nlohmann::json build_ms = nlohmann::json::array();
  for (DurationUs t : s.recent_build_times) build_ms.push_back(static_cast<double>(t) / kMillisecond);
  return {
      {"socks", socks_address()},
      {"exit", options_.is_exit()},
      {"exit_policy", policy_.to_string()},
      {"hops", options_.hops},
      {"circuits",
       {{"origin", s.circuits_origin},
        {"origin_ready", s.circuits_origin_open},
        {"middle", s.circuits_middle},
        {"last_hop", s.circuits_last_hop},
        {"built", s.circuits_built},
        {"build_failures", s.circuit_build_failures},
        {"last_build_error", s.last_build_error},
        {"recent_build_ms", build_ms}}},
      {"streams",
       {{"open", s.streams},
        {"opened", s.streams_opened},
        {"incoming", s.streams_incoming},
        {"socks_connections", socks_sessions_},
        {"socks_accepted", socks_accepted_},
        {"exit_connections", exit_sessions_},
        {"exit_refused_limit", exit_refused_limit_}}},
      {"cells_relayed", s.relay.cells_relayed_forward + s.relay.cells_relayed_backward},
      {"relay",
       {{"setups_received", s.relay.setups_received},
        {"setups_rejected", s.relay.setups_rejected + s.relay.setups_replayed + s.relay.setups_unknown_key},
        {"relay_messages_sent", s.relay.relay_messages_sent},
        {"relay_messages_received", s.relay.relay_messages_received},
        {"integrity_failures", s.relay.integrity_failures},
        {"circuits_destroyed", s.relay.circuits_destroyed}}},
      {"links",
       {{"dialled", s.links_dialled},
        {"descriptor_misses", s.descriptor_misses},
        {"cells_dropped", s.cells_queued_dropped}}},
      {"onion_keys", service_->onion_keys().size()},
      {"key_rotations", s.key_rotations},
  };
}

}  // namespace zmesh::app
