#include "sim/link_model.hpp"

#include <algorithm>

namespace zmesh::sim {

void LinkModel::set(std::uint32_t from, std::uint32_t to, const LinkProfile& profile) {
  DirectedLink& link = links_[key(from, to)];
  link.profile = profile;
  link.custom = true;
}

const LinkProfile& LinkModel::profile(std::uint32_t from, std::uint32_t to) const {
  if (links_.empty()) return default_;
  auto it = links_.find(key(from, to));
  return it != links_.end() && it->second.custom ? it->second.profile : default_;
}

const LinkProfile& LinkModel::find(std::uint32_t from, std::uint32_t to, DirectedLink*& link) {
  link = nullptr;
  if (!links_.empty()) {
    auto it = links_.find(key(from, to));
    if (it != links_.end()) link = &it->second;
  }
  return link && link->custom ? link->profile : default_;
}

std::optional<TimeUs> LinkModel::departure(std::uint32_t from, std::uint32_t to, const LinkProfile& p, DirectedLink* link,
                                           std::size_t size_bytes, TimeUs now, bool bounded) {
  if (p.bandwidth_bytes_per_s == 0) return now;
  if (!link) link = &links_[key(from, to)];  // queue state for a default-profile link, made on first use
  const std::uint64_t bw = p.bandwidth_bytes_per_s;
  const TimeUs start = std::max(now, link->busy_until);
  // Bytes still waiting (or on the wire) = the backlog in time times the rate. The backlog
  // never exceeds the queue bound plus one message, so the product cannot overflow.
  if (bounded) {
    const std::uint64_t backlog_bytes = static_cast<std::uint64_t>(start - now) * bw / 1'000'000;
    if (backlog_bytes + size_bytes > p.queue_limit_bytes) return std::nullopt;
  }
  const DurationUs serialization_us = static_cast<DurationUs>((std::uint64_t{size_bytes} * 1'000'000 + bw - 1) / bw);
  link->busy_until = start + serialization_us;
  return link->busy_until;
}

DurationUs LinkModel::propagation(const LinkProfile& p, RandomSource& random) {
  DurationUs delay = p.latency;
  if (p.jitter > 0) delay += static_cast<DurationUs>(random.uniform(static_cast<std::uint64_t>(p.jitter) + 1));
  return delay;
}

LinkVerdict LinkModel::transmit(std::uint32_t from, std::uint32_t to, std::size_t size_bytes, TimeUs now,
                                RandomSource& random) {
  DirectedLink* link = nullptr;
  const LinkProfile& p = find(from, to, link);
  const std::optional<TimeUs> left = departure(from, to, p, link, size_bytes, now, true);
  if (!left) return {LinkDrop::queue_full, 0};
  // Loss after the queue: a lost message still used the sender's bandwidth.
  if (p.loss > 0 && random.unit() < p.loss) return {LinkDrop::loss, 0};
  return {LinkDrop::none, *left + propagation(p, random)};
}

DurationUs LinkModel::retransmit_timeout(const LinkProfile& profile) {
  return std::max<DurationUs>(200 * kMillisecond, 3 * profile.latency);
}

TimeUs LinkModel::transmit_reliable(std::uint32_t from, std::uint32_t to, std::size_t size_bytes, TimeUs now,
                                    RandomSource& random, std::uint32_t& retransmissions) {
  DirectedLink* link = nullptr;
  const LinkProfile& p = find(from, to, link);
  TimeUs arrival = *departure(from, to, p, link, size_bytes, now, false);
  retransmissions = 0;
  while (p.loss > 0 && retransmissions < kMaxRetransmissions && random.unit() < p.loss) {
    ++retransmissions;
    arrival += retransmit_timeout(p);
  }
  return arrival + propagation(p, random);
}

}  // namespace zmesh::sim
