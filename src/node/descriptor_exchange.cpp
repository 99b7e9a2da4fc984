#include "node/descriptor_exchange.hpp"

namespace zmesh::node {

Bytes encode_descriptor_offer(const NodeDescriptor& descriptor) {
  Bytes out{kDescriptorExchangeVersion};
  const Bytes body = descriptor.encode();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<NodeDescriptor> decode_descriptor_offer(ByteView message) {
  if (message.empty()) return make_error(Errc::malformed, "descriptor offer: empty");
  if (message[0] != kDescriptorExchangeVersion)
    return make_error(Errc::malformed, "descriptor offer: unknown version " + std::to_string(message[0]));
  return NodeDescriptor::decode(message.subspan(1));
}

void DescriptorExchange::on_peer_up(Now now, const PeerInfo& peer) {
  const NodeDescriptor* own = dht_.own_descriptor();
  if (own == nullptr || own->expires_at <= now.unix_seconds()) return;
  if (host_->send(now, peer.node_id, channel(), encode_descriptor_offer(*own)).ok()) {
    ++counters_.sent;
  } else {
    ++counters_.send_failures;
  }
}

void DescriptorExchange::on_peer_down(Now /*now*/, const NodeId& peer) { offered_.erase(peer); }

void DescriptorExchange::on_message(Now now, const NodeId& from, ByteView message) {
  if (!offered_.insert(from).second) {
    ++counters_.extra_offers;
    return;
  }
  auto descriptor = decode_descriptor_offer(message);
  if (!descriptor.ok()) {
    ++counters_.refused;
    host_->log(log::Level::debug, "descriptor: bad offer from " + from.short_hex() + ": " + descriptor.error().message);
    return;
  }
  switch (dht_.offer_descriptor(now, from, std::move(descriptor).value())) {
    case OfferOutcome::accepted: ++counters_.accepted; return;
    case OfferOutcome::not_newer: ++counters_.not_newer; return;
    case OfferOutcome::refused:
      ++counters_.refused;
      host_->log(log::Level::debug, "descriptor: refused the offer of " + from.short_hex());
      return;
  }
}

}  // namespace zmesh::node
