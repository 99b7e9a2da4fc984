// How the DHT names peers to its driver. The core speaks zmesh::Core (PeerHandle in, PeerHandle
// out) but thinks in contacts (NodeId + address). The driver keeps the mapping:
//   - resolve(contact): the handle to send to, dialling lazily if needed (native driver: a link
//     session to that address, authenticated as that NodeId; simulator: the node index whose
//     address this is). nullopt when the address is unusable: the request fails at once.
//   - authenticated_id(peer): the NodeId the link handshake proved for a handle, if any. A
//     message whose claimed sender id differs is dropped and counted as forged. In the real
//     node every link is authenticated (the handshake binds NodeId = hash of the signing key),
//     so a sender cannot claim someone else's id; in the simulator the book knows each node's id.
// Replies to requests go back to the handle the request came from, without resolve().
#pragma once

#include <optional>

#include "dht/contact.hpp"
#include "runtime/core.hpp"

namespace zmesh::dht {

class AddressBook {
 public:
  virtual ~AddressBook() = default;
  virtual std::optional<PeerHandle> resolve(const Contact& contact) = 0;
  virtual std::optional<NodeId> authenticated_id(PeerHandle peer) const = 0;
};

}  // namespace zmesh::dht
