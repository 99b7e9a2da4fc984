#include "app/bootstrap_progress.hpp"

namespace zmesh::app {

BootstrapProgress::BootstrapProgress(std::string socks_address, std::size_t hops)
    : socks_address_(std::move(socks_address)), hops_(hops) {
  if (socks_address_.empty()) {
    milestones_ = {{50, "linked"}, {100, "done"}};
  } else {
    milestones_ = {{20, "linked"}, {40, "dht"}, {60, "descriptors"}, {80, "circuit"}, {100, "done"}};
  }
}

bool BootstrapProgress::reached(std::size_t index, const BootstrapObservation& now) const {
  const std::string tag = milestones_[index].tag;
  if (tag == "linked") return now.linked_peers > 0;
  if (tag == "dht") return now.dht_joined;
  if (tag == "descriptors") return now.relays_known >= hops_ || now.ready_circuits > 0;
  if (tag == "circuit") return now.ready_circuits > 0;
  // done: a relay once it joined the DHT; a client once a circuit is ready (the SOCKS port is
  // open from the start, streams wait for a circuit).
  return socks_address_.empty() ? now.dht_joined : now.ready_circuits > 0;
}

std::string BootstrapProgress::summary(std::size_t index, const BootstrapObservation& now) const {
  const std::string tag = milestones_[index].tag;
  if (tag == "linked") return "linked to " + std::to_string(now.linked_peers) + (now.linked_peers == 1 ? " peer" : " peers");
  if (tag == "dht") return "joined the DHT";
  if (tag == "descriptors") return std::to_string(now.relays_known) + " relay descriptors known";
  if (tag == "circuit") return "first circuit ready";
  return socks_address_.empty() ? "joined the DHT, relaying" : "SOCKS5 ready on " + socks_address_;
}

std::vector<BootstrapLogLine> BootstrapProgress::observe(const BootstrapObservation& now) {
  std::vector<BootstrapLogLine> lines;
  // Highest milestone reached now; every one up to it is passed (a circuit implies the rest).
  std::size_t highest = reached_;
  for (std::size_t i = reached_; i < milestones_.size(); ++i)
    if (reached(i, now)) highest = i + 1;
  for (; reached_ < highest; ++reached_) {
    last_summary_ = summary(reached_, now);
    lines.push_back({log::Level::info, "bootstrapped " + std::to_string(milestones_[reached_].percent) + "% (" +
                                           milestones_[reached_].tag + "): " + last_summary_});
  }
  // One warning per episode, and none in the first seconds before the DHT could have told us
  // about relays: a node that just started knows none yet, which is no news. The reason's
  // details (the relay count) may change during an episode; status shows the latest.
  const bool warned_before = !warned_problem_.empty();
  if (now.path_unavailable.empty()) {
    if (warned_before) lines.push_back({log::Level::info, "client circuits can be built again"});
    warned_problem_.clear();
    problem_since_ = kNever;
  } else {
    if (problem_since_ == kNever) problem_since_ = now.now;
    if (!warned_before && (now.dht_joined || now.now - problem_since_ >= kPathWarnAfter)) {
      lines.push_back({log::Level::warn, "cannot build a client circuit: " + now.path_unavailable});
      warned_problem_ = now.path_unavailable;
    }
  }
  path_problem_ = now.path_unavailable;
  return lines;
}

int BootstrapProgress::percent() const { return reached_ == 0 ? 0 : milestones_[reached_ - 1].percent; }

const char* BootstrapProgress::tag() const { return reached_ == 0 ? "starting" : milestones_[reached_ - 1].tag; }

bool BootstrapProgress::needs_relay_count() const {
  for (std::size_t i = reached_; i < milestones_.size(); ++i)
    if (std::string(milestones_[i].tag) == "descriptors") return true;
  return false;
}

nlohmann::json BootstrapProgress::status_json() const {
  return {{"percent", percent()}, {"tag", tag()}, {"summary", last_summary_}, {"problem", path_problem_}};
}

}  // namespace zmesh::app
