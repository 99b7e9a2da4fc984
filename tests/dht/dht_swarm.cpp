#include "dht_swarm.hpp"

#include <algorithm>
#include <cstdlib>

#include "dht/distance.hpp"

namespace zmesh::dht::testing {
namespace {

// Multiplication by an odd constant is a bijection modulo 2^24; its inverse undoes it.
constexpr std::uint32_t kScramble = 0x9e3779u | 1u;
constexpr std::uint32_t kMask24 = 0xffffffu;

std::uint32_t inverse_mod_2_24(std::uint32_t a) {
  std::uint32_t x = a;  // Newton: each step doubles the correct low bits
  for (int i = 0; i < 5; ++i) x *= 2 - a * x;
  return x & kMask24;
}

}  // namespace

std::string sim_address(std::uint32_t index) {
  const std::uint32_t s = (index * kScramble) & kMask24;
  return "10." + std::to_string(s >> 16) + "." + std::to_string((s >> 8) & 0xff) + "." + std::to_string(s & 0xff);
}

std::optional<std::uint32_t> sim_index(std::string_view address) {
  if (address.substr(0, 3) != "10.") return std::nullopt;
  std::uint32_t parts[3] = {0, 0, 0};
  std::size_t part = 0, digits = 0;
  for (char c : address.substr(3)) {
    if (c == '.') {
      if (digits == 0 || ++part > 2) return std::nullopt;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      parts[part] = parts[part] * 10 + static_cast<std::uint32_t>(c - '0');
      ++digits;
    } else {
      return std::nullopt;
    }
  }
  if (part != 2 || digits == 0 || parts[0] > 255 || parts[1] > 255 || parts[2] > 255) return std::nullopt;
  const std::uint32_t s = parts[0] << 16 | parts[1] << 8 | parts[2];
  return (s * inverse_mod_2_24(kScramble)) & kMask24;
}

class DhtSwarm::Book final : public AddressBook {
 public:
  explicit Book(const DhtSwarm& swarm) : swarm_(swarm) {}
  std::optional<PeerHandle> resolve(const Contact& contact) override {
    auto index = sim_index(contact.address);
    if (!index || *index >= swarm_.size()) return std::nullopt;
    return PeerHandle{*index};
  }
  std::optional<NodeId> authenticated_id(PeerHandle peer) const override {
    if (peer >= swarm_.size()) return std::nullopt;
    return swarm_.id(static_cast<sim::NodeIndex>(peer));
  }

 private:
  const DhtSwarm& swarm_;
};

// One simulated node: a real DhtNode, plus the adversary's behaviour and the command queue.
class SwarmCore final : public Core {
 public:
  SwarmCore(DhtSwarm& swarm, sim::NodeIndex index, Role role, std::unique_ptr<DhtNode> node)
      : swarm_(swarm), index_(index), role_(role), node_(std::move(node)) {}

  void on_start(TimeUs time) override {
    const Now now = swarm_.at(time);
    node_->on_start(now);
    std::vector<Contact> seeds;
    for (std::size_t i = 0; i < swarm_.config().seeds_per_join; ++i) {
      const auto s = swarm_.try_random_honest(random_);  // none for the very first node
      if (s && *s != index_) seeds.push_back(Contact{swarm_.id(*s), sim_address(*s)});
    }
    std::optional<Record> announce;
    if (role_ == Role::honest) announce = swarm_.record_of(index_);
    DhtSwarm* swarm = &swarm_;
    const sim::NodeIndex index = index_;
    (void)node_->join(now, seeds, announce, [swarm, index](Now, const LookupResult&) { swarm->mark_joined(index); });
  }

  void on_receive(TimeUs time, PeerHandle from, ByteView payload) override {
    const Now now = swarm_.at(time);
    if (role_ != Role::honest) {
      auto m = decode_message(payload);
      if (m.ok() && is_request(m->type)) {
        if (role_ == Role::liar) lie(from, *m, now);
        return;  // silent: never answers
      }
    }
    node_->on_receive(now, from, payload);
  }
  void on_timeout(TimeUs time) override { node_->on_timeout(swarm_.at(time)); }
  TimeUs next_deadline() const override { return node_->next_deadline(); }
  std::optional<Transmit> poll_transmit() override {
    if (auto lie = lies_.pop()) return lie;
    return node_->poll_transmit();
  }

  DhtNode& dht() { return *node_; }

 private:
  void lie(PeerHandle from, const Message& request, Now now) {
    Message reply;
    reply.request_id = request.request_id;
    reply.sender = node_->self();
    switch (request.type) {
      case MessageType::ping: reply.type = MessageType::pong; break;
      case MessageType::store: reply.type = MessageType::store_ack; reply.stored = true; break;
      case MessageType::find_node:
      case MessageType::find_value: {
        reply.type = request.type == MessageType::find_node ? MessageType::nodes : MessageType::value;
        reply.contacts = lie_about(request.target);
        if (reply.type == MessageType::value) {
          Record forged;  // a wrong value: no valid signature can be made without the key
          forged.key = request.target;
          forged.publisher_key = Bytes(32, 0x66);
          forged.value = Bytes{'f', 'o', 'r', 'g', 'e', 'd'};
          forged.expires_at = now.unix_seconds() + 3600;
          forged.signature = Bytes(8, 0x13);
          reply.records.push_back(std::move(forged));
        }
        break;
      }
      default: return;
    }
    (void)lies_.push(from, encode_message(reply));
  }

  // The pool is the d·k adversaries closest to the target (enough to fill every path's window
  // with them); each liar names k of them, starting at its own offset in the pool, so that
  // between them the liars hand a lookup the whole pool, not the same k names over and over.
  std::vector<Contact> lie_about(const NodeId& target) const {
    const std::size_t k = kMaxContactsPerMessage;
    const std::size_t pool_size = k * std::max<std::size_t>(1, swarm_.config().dht.lookup.disjoint_paths);
    const std::vector<Contact> pool = swarm_.liars_closest_to(target, pool_size);
    if (pool.size() <= k) return pool;
    std::vector<Contact> out;
    const std::size_t offset = (index_ * 7919u) % pool.size();
    for (std::size_t i = 0; i < k; ++i) out.push_back(pool[(offset + i) % pool.size()]);
    return out;
  }

  DhtSwarm& swarm_;
  sim::NodeIndex index_;
  Role role_;
  std::unique_ptr<DhtNode> node_;
  Outbox lies_{64};
  SeededRandom random_{index_ * 0x9e3779b97f4a7c15ULL + 7};
};

DhtSwarm::DhtSwarm(SwarmConfig config)
    : config_(std::move(config)),
      sim_(config_.seed),
      random_(config_.seed ^ 0xd47d47d4ULL),
      verifier_(config_.seed * 0x100000001b3ULL + 1),
      book_(std::make_unique<Book>(*this)) {
  sim_.set_default_link(config_.link);
}

DhtSwarm::~DhtSwarm() = default;

std::unique_ptr<Core> DhtSwarm::build(const sim::NodeContext& ctx) {
  const sim::NodeIndex i = ctx.index;
  auto node = std::make_unique<DhtNode>(Contact{ids_[i], sim_address(i)}, config_.dht, ctx.random, *book_, verifier_);
  return std::make_unique<SwarmCore>(*this, i, roles_[i], std::move(node));
}

sim::NodeIndex DhtSwarm::add(Role role) {
  NodeId id;
  random_.fill(id.bytes);
  const auto index = static_cast<sim::NodeIndex>(ids_.size());
  ids_.push_back(id);
  roles_.push_back(role);
  joined_.push_back(0);
  if (role == Role::honest) honest_.push_back(index);
  if (role != Role::honest) {
    auto pos = std::lower_bound(liars_sorted_.begin(), liars_sorted_.end(), std::make_pair(id, sim::NodeIndex{0}));
    liars_sorted_.insert(pos, {id, index});
  }
  const sim::NodeIndex got = sim_.add_node([this](const sim::NodeContext& ctx) { return build(ctx); });
  if (got != index) std::abort();  // the swarm owns every node of its simulator
  return index;
}

void DhtSwarm::crash(sim::NodeIndex node) { sim_.crash(node); }

DhtNode* DhtSwarm::node(sim::NodeIndex n) {
  auto* core = sim_.core_as<SwarmCore>(n);
  return core ? &core->dht() : nullptr;
}

void DhtSwarm::command_at(TimeUs time, sim::NodeIndex node, std::function<void(DhtNode&, Now)> command) {
  // The simulator sends what the command queued once the action returns (Simulator::at).
  sim_.at(time, [this, node, command = std::move(command)](sim::Simulator& sim) {
    if (auto* core = sim.core_as<SwarmCore>(node)) command(core->dht(), at(sim.now()));
  });
}

std::optional<sim::NodeIndex> DhtSwarm::try_random_honest(RandomSource& random) const {
  for (int attempt = 0; attempt < 256 && !honest_.empty(); ++attempt) {
    const sim::NodeIndex n = honest_[random.uniform(honest_.size())];
    if (joined_[n] && sim_.is_up(n)) return n;
  }
  return std::nullopt;
}

sim::NodeIndex DhtSwarm::random_honest(RandomSource& random) const {
  auto n = try_random_honest(random);
  if (!n) std::abort();  // no live joined honest node: the scenario is broken
  return *n;
}

Record DhtSwarm::record_of(sim::NodeIndex n) const {
  Record r;
  r.key = ids_[n];
  r.publisher_key.assign(ids_[n].bytes.begin(), ids_[n].bytes.end());
  r.sequence = 1;
  r.expires_at = static_cast<UnixSeconds>(config_.unix_epoch_offset_us / kSecond) + kDay;
  r.value = Bytes{'n', 'o', 'd', 'e', ' '};
  append(r.value, as_bytes(sim_address(n)));
  verifier_.sign(r);
  return r;
}

std::vector<Contact> DhtSwarm::liars_closest_to(const NodeId& target, std::size_t k) const {
  // Ids sorted numerically: XOR-close ids share a long prefix, so they sit near target's
  // insertion point. Take a window around it and rank it by XOR distance.
  auto pos = std::lower_bound(liars_sorted_.begin(), liars_sorted_.end(), std::make_pair(target, sim::NodeIndex{0}));
  const std::size_t at = static_cast<std::size_t>(pos - liars_sorted_.begin());
  const std::size_t lo = at > 2 * k ? at - 2 * k : 0;
  const std::size_t hi = std::min(liars_sorted_.size(), at + 2 * k);
  std::vector<std::pair<NodeId, sim::NodeIndex>> window(liars_sorted_.begin() + static_cast<std::ptrdiff_t>(lo),
                                                        liars_sorted_.begin() + static_cast<std::ptrdiff_t>(hi));
  std::sort(window.begin(), window.end(), [&](const auto& a, const auto& b) { return closer_to(target, a.first, b.first); });
  std::vector<Contact> out;
  for (std::size_t i = 0; i < window.size() && out.size() < k; ++i) {
    if (sim_.is_up(window[i].second)) out.push_back(Contact{window[i].first, sim_address(window[i].second)});
  }
  return out;
}

}  // namespace zmesh::dht::testing
