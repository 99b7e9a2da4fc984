// A node::ServiceHost for fuzzing one service alone: every peer is up, every send is recorded
// (or refused with not_found when `refuse` is set), connect() never links.
#pragma once

#include <string>
#include <vector>

#include "node/link_manager.hpp"
#include "node/service.hpp"

namespace zmesh::fuzz {

class RecordingHost final : public node::ServiceHost {
 public:
  std::vector<Bytes> sent;
  NodeId self;
  bool refuse = false;

  Status send(Now, const NodeId&, link::Channel, ByteView message) override {
    if (refuse) return make_error(Errc::not_found, "no link");
    sent.emplace_back(message.begin(), message.end());
    return {};
  }
  Result<bool> connect(Now, const NodeId&, std::string_view) override { return false; }
  bool is_up(const NodeId&) const override { return true; }
  node::LinkManager& links() override { return links_; }
  const NodeId& self_id() const override { return self; }
  void log(log::Level, std::string) override {}

 private:
  node::LinkManager links_{*this};  // every peer is up here: sends go straight to send()
};

}  // namespace zmesh::fuzz
