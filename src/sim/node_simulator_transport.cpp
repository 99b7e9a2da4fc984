// NodeSimulator's transports: dials, reliable ordered connections, closes, and what partitions,
// frozen receivers and crashes do to them (node_simulator.hpp, "Transports" and "Faults").
#include <algorithm>
#include <charconv>

#include "sim/node_simulator.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_events.hpp"

namespace zmesh::sim {
namespace {

constexpr std::string_view kScheme = "mem://";

// The node a "mem://INDEX" URL names.
bool parse_node_url(std::string_view url, std::size_t nodes, NodeIndex& out) {
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  const std::string_view digits = url.substr(kScheme.size());
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value >= nodes) return false;
  out = static_cast<NodeIndex>(value);
  return true;
}

// A private IPv4 address per node, so that per-IP limits (handshake rate) see distinct hosts.
std::string address_of(NodeIndex node, unsigned port) {
  return "10." + std::to_string((node >> 16) & 0xff) + "." + std::to_string((node >> 8) & 0xff) + "." +
         std::to_string(node & 0xff) + ":" + std::to_string(port);
}

std::uint32_t fold(node::ConnectionId id) { return static_cast<std::uint32_t>(id ^ (id >> 32)); }

}  // namespace

node::ConnectionId NodeSimulator::connection_id(const Connection& c, std::uint32_t slot, int end) {
  return std::uint64_t{c.serial} << 32 | std::uint64_t{slot} << 1 | static_cast<std::uint64_t>(end);
}

NodeSimulator::Connection* NodeSimulator::find(NodeIndex node, node::ConnectionId id, int& end) {
  const auto slot = static_cast<std::uint32_t>((id & 0xffff'ffffu) >> 1);
  end = static_cast<int>(id & 1);
  if (slot >= connections_.size()) return nullptr;
  Connection& c = connections_[slot];
  if (!c.in_use || c.serial != static_cast<std::uint32_t>(id >> 32) || c.ends[end].node != node) return nullptr;
  return &c;
}

void NodeSimulator::record(NodeIndex node, TraceKind kind, node::ConnectionId id, ByteView payload) {
  trace_.record(now_, node, kind, fold(id), payload);
}

std::uint32_t NodeSimulator::allocate_connection() {
  std::uint32_t slot = 0;
  if (!free_connections_.empty()) {
    slot = free_connections_.back();
    free_connections_.pop_back();
  } else {
    if (connections_.size() >= kMaxEventIndex) std::abort();  // 268 million open connections
    slot = static_cast<std::uint32_t>(connections_.size());
    connections_.emplace_back();
  }
  Connection& c = connections_[slot];
  c.in_use = true;
  ++c.serial;
  ++open_connections_;
  return slot;
}

// --- dials ---

void NodeSimulator::dial(NodeIndex from, const node::DialUrl& request) {
  ++stats_.dials;
  Dial d;
  d.from = from;
  d.incarnation = hosts_[from].incarnation;
  d.dial = request.dial;
  d.known = parse_node_url(request.url, hosts_.size(), d.target);
  d.failing = !d.known;  // an address that names no node fails at the next instant
  std::uint32_t slot = 0;
  if (!free_dials_.empty()) {
    slot = free_dials_.back();
    free_dials_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(dials_.size());
    dials_.emplace_back();
  }
  dials_[slot] = d;
  const DurationUs delay = d.known ? links_.profile(from, d.target).latency : 0;
  queue_.push(now_ + delay, 0, event_slot(EventKind::dial, slot));
}

void NodeSimulator::dial_arrived(std::uint32_t slot) {
  Dial& d = dials_[slot];
  Host& from = hosts_[d.from];
  if (!from.up || !from.node || from.incarnation != d.incarnation) {  // the dialling process died
    free_dials_.push_back(slot);
    return;
  }
  if (!d.failing) {
    const Host& to = hosts_[d.target];
    if (to.up && to.node && !to.frozen && can_reach(d.from, d.target)) {
      const Dial done = d;
      free_dials_.push_back(slot);
      open_connection(done.from, done.target, done.dial);
      return;
    }
    // Nothing answers: the SYN goes unanswered until the dialler's connect timeout.
    d.failing = true;
    const DurationUs waited = links_.profile(d.from, d.target).latency;
    queue_.push(now_ + std::max<DurationUs>(0, config_.dial_timeout - waited), 0, event_slot(EventKind::dial, slot));
    return;
  }
  if (from.frozen) {  // a hung process hears nothing; it learns of the failure once it runs
    queue_.push(now_ + config_.dial_timeout, 0, event_slot(EventKind::dial, slot));
    return;
  }
  const Dial failed = d;
  free_dials_.push_back(slot);
  ++stats_.dials_failed;
  ++stats_.events;
  record(failed.from, TraceKind::dial_failed, failed.dial);
  from.node->core().on_dial_failed(node_time(now_), failed.dial, failed.known ? "connection timed out" : "no such node");
  drain(failed.from);
}

void NodeSimulator::open_connection(NodeIndex from, NodeIndex to, node::DialId dial) {
  const std::uint32_t slot = allocate_connection();
  {
    Connection& c = connections_[slot];
    c.ends[0] = End{from, hosts_[from].incarnation, true};
    c.ends[1] = End{to, hosts_[to].incarnation, true};
    for (Flow& f : c.flows) {
      f.packets.clear();
      f.head = 0;
      f.last_arrival = now_;
      f.stalled = false;
      ++f.generation;
    }
  }
  hosts_[from].connections.push_back(slot);
  hosts_[to].connections.push_back(slot);
  ++stats_.connections_opened;
  // The listener accepts first (as MemNet does): its first handshake bytes may already be on
  // their way when the dialler hears of the connection.
  const node::ConnectionId inbound = connection_id(connections_[slot], slot, 1);
  const node::ConnectionId outbound = connection_id(connections_[slot], slot, 0);
  ++stats_.events;
  record(to, TraceKind::opened, inbound);
  hosts_[to].node->core().on_transport_opened(node_time(now_), inbound,
                                              {node::Direction::inbound, "mem", address_of(from, 40000 + slot % 20000), 0});
  drain(to);
  ++stats_.events;
  record(from, TraceKind::opened, outbound);
  hosts_[from].node->core().on_transport_opened(node_time(now_), outbound,
                                                {node::Direction::outbound, "mem", address_of(to, 4433), dial});
  drain(from);
}

// --- data and closes ---

void NodeSimulator::send(NodeIndex from, node::ConnectionId id, Bytes payload) {
  int end = 0;
  Connection* c = find(from, id, end);
  if (!c || !c->ends[end].open || !c->ends[1 - end].open) return;  // the far end is gone: lost, as on a reset socket
  const auto slot = static_cast<std::uint32_t>(c - connections_.data());
  enqueue(slot, end, Packet{0, std::move(payload), CloseKind::none});
}

void NodeSimulator::close(NodeIndex from, node::ConnectionId id) {
  int end = 0;
  Connection* c = find(from, id, end);
  if (!c || !c->ends[end].open) return;
  const auto slot = static_cast<std::uint32_t>(c - connections_.data());
  const bool peer_open = c->ends[1 - end].open;
  close_end(slot, end, "", false);  // NodeCore has forgotten it
  if (peer_open) enqueue(slot, end, Packet{0, {}, CloseKind::closed});
}

void NodeSimulator::enqueue(std::uint32_t slot, int direction, Packet packet) {
  Connection& c = connections_[slot];
  Flow& flow = c.flows[direction];
  const NodeIndex from = c.ends[direction].node;
  const NodeIndex to = c.ends[1 - direction].node;
  std::uint32_t retransmissions = 0;
  const TimeUs arrival = links_.transmit_reliable(from, to, packet.payload.size(), now_, link_random_, retransmissions);
  stats_.retransmissions += retransmissions;
  packet.arrival = std::max(arrival, flow.last_arrival);  // jitter never reorders a connection
  flow.last_arrival = packet.arrival;
  const TimeUs when = packet.arrival;
  flow.packets.push_back(std::move(packet));
  if (!flow.stalled) queue_.push(when, flow.generation << 1 | static_cast<std::uint32_t>(direction), event_slot(EventKind::deliver, slot));
}

void NodeSimulator::deliver(std::uint32_t slot, std::uint32_t word) {
  const int direction = static_cast<int>(word & 1);
  Connection& c = connections_[slot];
  Flow& flow = c.flows[direction];
  if (!c.in_use || (word >> 1) != (flow.generation & 0x7fff'ffffu) || flow.empty()) return;  // void event
  const int receiver = 1 - direction;
  const End to = c.ends[receiver];
  if (to.open && (!can_reach(c.ends[direction].node, to.node) || hosts_[to.node].frozen)) {
    stall(slot, direction);
    return;
  }
  Packet packet = std::move(flow.packets[flow.head]);
  if (++flow.head == flow.packets.size()) {
    flow.packets.clear();
    flow.head = 0;
  }
  if (!to.open) {  // the receiver closed or died: the bytes are lost with its socket
    release_if_done(slot);
    return;
  }
  if (packet.close != CloseKind::none) {
    close_end(slot, receiver, packet.close == CloseKind::reset ? "connection reset by peer" : "closed by peer", true);
    return;
  }
  const node::ConnectionId id = connection_id(c, slot, receiver);
  ++stats_.events;
  ++stats_.messages_delivered;
  stats_.bytes_delivered += packet.payload.size();
  record(to.node, TraceKind::receive, id, packet.payload);
  hosts_[to.node].node->core().on_transport_data(node_time(now_), id, packet.payload);
  drain(to.node);
}

void NodeSimulator::stall(std::uint32_t slot, int direction) {
  Flow& flow = connections_[slot].flows[direction];
  if (!flow.stalled) stalled_.push_back(slot);
  flow.stalled = true;
  ++flow.generation;  // the remaining events of this flow are void; resume_stalled reschedules
  stats_.messages_stalled += flow.packets.size() - flow.head;
}

void NodeSimulator::resume_stalled() {
  std::vector<std::uint32_t> still;
  for (std::uint32_t slot : stalled_) {
    Connection& c = connections_[slot];
    bool keep = false;
    for (int d = 0; d < 2; ++d) {
      Flow& flow = c.flows[d];
      if (!c.in_use || !flow.stalled) continue;
      const NodeIndex from = c.ends[d].node;
      const NodeIndex to = c.ends[1 - d].node;
      if (!can_reach(from, to) || hosts_[to].frozen) {
        keep = true;
        continue;
      }
      // The sender's retransmissions get through one latency after the path is back.
      flow.stalled = false;
      ++flow.generation;
      TimeUs previous = now_ + links_.profile(from, to).latency;
      for (std::size_t i = flow.head; i < flow.packets.size(); ++i) {
        previous = std::max(previous, flow.packets[i].arrival);
        flow.packets[i].arrival = previous;
        queue_.push(previous, flow.generation << 1 | static_cast<std::uint32_t>(d), event_slot(EventKind::deliver, slot));
      }
      flow.last_arrival = std::max(flow.last_arrival, previous);
    }
    if (keep && std::find(still.begin(), still.end(), slot) == still.end()) still.push_back(slot);
  }
  stalled_ = std::move(still);
}

void NodeSimulator::check_partition(std::uint32_t slot, std::uint32_t epoch) {
  if (epoch != partition_epoch_ || slot >= connections_.size()) return;
  const Connection& c = connections_[slot];
  if (!c.in_use || can_reach(c.ends[0].node, c.ends[1].node)) return;
  break_connection(slot, "connection timed out");
}

void NodeSimulator::break_connection(std::uint32_t slot, const char* why) {
  ++stats_.connections_broken;
  for (int end = 0; end < 2; ++end) {
    Connection& c = connections_[slot];  // again: telling a node may grow connections_
    for (Flow& f : c.flows) {
      f.packets.clear();
      f.head = 0;
      ++f.generation;
    }
    close_end(slot, end, why, true);
  }
}

void NodeSimulator::close_end(std::uint32_t slot, int end, const char* why, bool tell_node) {
  Connection& c = connections_[slot];
  End& e = c.ends[end];
  if (!e.open) return;
  e.open = false;
  Host& host = hosts_[e.node];
  auto& list = host.connections;
  list.erase(std::remove(list.begin(), list.end(), slot), list.end());
  const node::ConnectionId id = connection_id(c, slot, end);
  const NodeIndex node = e.node;
  const bool alive = host.up && host.node && host.incarnation == e.incarnation && !host.frozen;
  release_if_done(slot);
  if (!tell_node || !alive) return;
  ++stats_.events;
  record(node, TraceKind::closed, id);
  host.node->core().on_transport_closed(node_time(now_), id, why);
  drain(node);
}

void NodeSimulator::kill_connections(NodeIndex node) {
  const std::vector<std::uint32_t> slots = std::move(hosts_[node].connections);
  hosts_[node].connections.clear();
  for (std::uint32_t slot : slots) {
    for (int end = 0; end < 2; ++end) {
      Connection& c = connections_[slot];
      if (!c.in_use || c.ends[end].node != node || !c.ends[end].open) continue;
      c.ends[end].open = false;
      // The kernel closes the dead process's sockets: the peer reads what was sent, then EOF.
      if (c.ends[1 - end].open) {
        enqueue(slot, end, Packet{0, {}, CloseKind::reset});
      } else {
        release_if_done(slot);
      }
    }
  }
}

void NodeSimulator::release_if_done(std::uint32_t slot) {
  Connection& c = connections_[slot];
  if (!c.in_use || c.ends[0].open || c.ends[1].open) return;
  for (Flow& f : c.flows) {
    f.packets = {};
    f.head = 0;
    f.stalled = false;
    ++f.generation;
  }
  c.in_use = false;
  --open_connections_;
  free_connections_.push_back(slot);
}

}  // namespace zmesh::sim
