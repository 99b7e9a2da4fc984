#include "node/path_selection.hpp"

#include <algorithm>
#include <string_view>

#include "util/net_address.hpp"

namespace zmesh::node {
namespace {

// Every bit of `required` (NodeDescriptor::has() asks for any of them).
bool has_all(const NodeDescriptor& d, std::uint32_t required) { return (d.capabilities & required) == required; }

std::uint64_t weight_of(const NodeDescriptor& descriptor) {
  if (descriptor.bandwidth_kib_per_s == 0) return kDefaultBandwidthKibPerS;  // not advertised
  return std::min<std::uint64_t>(descriptor.bandwidth_kib_per_s, kMaxPathWeightKibPerS);
}

bool shares_network(const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b) {
  for (std::uint16_t network : a)
    if (std::find(b.begin(), b.end(), network) != b.end()) return true;
  return false;
}

struct Candidate {
  std::size_t index;
  std::vector<std::uint16_t> networks;
};

// Weighted draw among the candidates passing `fits`; nullopt when none does.
template <class Fits>
std::optional<std::size_t> draw(std::span<const NodeDescriptor> descriptors, const std::vector<Candidate>& candidates,
                                Fits fits, RandomSource& random) {
  std::uint64_t total = 0;
  for (const Candidate& c : candidates)
    if (fits(c)) total += weight_of(descriptors[c.index]);
  if (total == 0) return std::nullopt;
  std::uint64_t point = random.uniform(total);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!fits(candidates[i])) continue;
    const std::uint64_t weight = weight_of(descriptors[candidates[i].index]);
    if (point < weight) return i;
    point -= weight;
  }
  return std::nullopt;  // unreachable: the weights sum to total
}

}  // namespace

std::optional<std::uint32_t> transport_ipv4(const TransportAddress& address) {
  if (address.kind != TransportKind::tcp && address.kind != TransportKind::ws && address.kind != TransportKind::wss &&
      address.kind != TransportKind::quic)
    return std::nullopt;
  std::string_view text = address.address;
  if (const auto scheme = text.find("://"); scheme != std::string_view::npos) text.remove_prefix(scheme + 3);
  const auto parsed = parse_host_port(text.substr(0, text.find('/')), PortRule::optional);
  if (!parsed.ok() || !parsed->ip || parsed->ip->family != IpFamily::v4) return std::nullopt;
  const ByteArray<16>& b = parsed->ip->bytes;
  return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

std::vector<std::uint16_t> ipv4_slash16_networks(const NodeDescriptor& descriptor) {
  std::vector<std::uint16_t> networks;
  for (const TransportAddress& address : descriptor.addresses) {
    const auto ip = transport_ipv4(address);
    if (!ip || (*ip >> 24) == 127) continue;  // loopback (IpAddress::is_loopback)
    const auto network = static_cast<std::uint16_t>(*ip >> 16);
    if (std::find(networks.begin(), networks.end(), network) == networks.end()) networks.push_back(network);
  }
  return networks;
}

Result<std::vector<std::size_t>> select_path(std::span<const NodeDescriptor> descriptors,
                                             const PathConstraints& constraints, RandomSource& random) {
  if (constraints.hops == 0 || constraints.hops > 3) return make_error(Errc::invalid_argument, "a path has 1..3 hops");
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    const NodeDescriptor& d = descriptors[i];
    if (d.node_id == constraints.self || !has_all(d, constraints.hop_capabilities)) continue;
    if (d.onion_key_at(constraints.now) == nullptr) continue;
    bool duplicate = false;  // a directory should not list a node twice; never use it twice
    for (const Candidate& c : candidates) duplicate = duplicate || descriptors[c.index].node_id == d.node_id;
    if (!duplicate) candidates.push_back({i, ipv4_slash16_networks(d)});
  }

  std::vector<std::size_t> chosen;  // into candidates, last hop first
  auto fits_with_chosen = [&](const Candidate& c) {
    for (std::size_t taken : chosen) {
      if (&candidates[taken] == &c || shares_network(candidates[taken].networks, c.networks)) return false;
    }
    return true;
  };
  const auto last = draw(descriptors, candidates, [&](const Candidate& c) {
    return has_all(descriptors[c.index], constraints.last_hop_capabilities);
  }, random);
  if (!last) return make_error(Errc::not_found, "no relay can be the last hop (" + std::to_string(candidates.size()) +
                                                    " usable relays known)");
  chosen.push_back(*last);
  while (chosen.size() < constraints.hops) {
    const auto next = draw(descriptors, candidates, fits_with_chosen, random);
    if (!next) {
      return make_error(Errc::not_found, "not enough relays in distinct /16 networks for a " +
                                             std::to_string(constraints.hops) + "-hop path (" +
                                             std::to_string(candidates.size()) + " usable relays known)");
    }
    chosen.push_back(*next);
  }
  std::vector<std::size_t> path;
  for (auto it = chosen.rbegin(); it != chosen.rend(); ++it) path.push_back(candidates[*it].index);
  return path;
}

}  // namespace zmesh::node
