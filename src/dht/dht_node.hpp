// The Kademlia node, sans-IO. Events (each with the driver's Now): on_receive (a DHT message
// from a peer handle), on_timeout; commands: join, lookup, get, put. Actions: transmits to
// peer handles (via the driver's AddressBook, see address_book.hpp), polled with
// poll_transmit(), and a deadline on the monotonic clock. node::DhtService drives it in a
// node; tests/dht's swarm drives it alone, message by message.
// Results of commands come back through a callback, or, without one, through poll_result().
//
// What runs where: requests are answered at once; our own requests carry a random id and a
// timeout; lookups are Lookup objects (lookup.hpp) pumped here; a periodic maintenance tick
// expires records, refreshes stale buckets (§2.3) and republishes our own records.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "dht/address_book.hpp"
#include "dht/lookup.hpp"
#include "dht/message.hpp"
#include "dht/record_store.hpp"
#include "dht/routing_table.hpp"
#include "runtime/core.hpp"
#include "runtime/random.hpp"

namespace zmesh::dht {

struct DhtConfig {
  RoutingConfig routing;
  LookupParams lookup;
  StoreLimits store;
  DurationUs request_timeout = 2 * kSecond;
  std::size_t request_attempts = 2;   // PING and STORE are sent again once; lookups move on instead
  DurationUs lookup_deadline = 60 * kSecond;
  DurationUs maintenance_interval = 60 * kSecond;
  DurationUs refresh_interval = 3600 * kSecond;   // §2.3: refresh buckets idle for an hour
  std::size_t refreshes_per_tick = 2;             // bounds the background load
  bool refresh_on_join = true;                    // §2.3: refresh buckets farther than our nearest neighbour
  std::size_t join_refresh_limit = 256;           // at most this many of those
  // Refresh lookups only populate buckets, so they take one path; the disjoint paths are for
  // lookups whose answer matters (user lookups, gets, puts, the join's self-lookup).
  std::size_t refresh_disjoint_paths = 1;
  DurationUs republish_interval = 1800 * kSecond; // the publisher re-stores its records
  UnixSeconds record_max_lifetime = 3 * kDay;
  std::size_t max_pending_requests = 2048;
  std::size_t max_lookups = 128;
  std::size_t max_published = 64;
  std::size_t max_queued_results = 256;
  std::size_t outbox_messages = 4096;
};

struct DhtStats {
  std::uint64_t messages_sent = 0, messages_received = 0;
  std::uint64_t requests_sent = 0, requests_received = 0, responses_received = 0;
  std::uint64_t timeouts = 0, retries = 0, send_failures = 0;
  std::uint64_t rejected_malformed = 0;    // undecodable
  std::uint64_t rejected_unsolicited = 0;  // response to an unknown request id
  std::uint64_t rejected_forged = 0;       // sender id inconsistent with the link or the request
  std::uint64_t rejected_records = 0;      // invalid, expired, oversized or misplaced records
  std::uint64_t lookups_started = 0, lookups_finished = 0, lookups_succeeded = 0;
  std::uint64_t lookup_rounds_total = 0, lookup_queries_total = 0;
  std::uint64_t stores_accepted = 0, stores_refused = 0;
};

// Gets the time of the event that finished the operation (commands may follow from it).
using LookupCallback = std::function<void(Now now, const LookupResult&)>;

class DhtNode final {
 public:
  DhtNode(Contact self, DhtConfig config, RandomSource& random, AddressBook& book, const RecordVerifier& verifier);

  // --- events ---
  void on_start(Now now);
  void on_receive(Now now, PeerHandle from, ByteView payload);
  void on_timeout(Now now);
  TimeUs next_deadline() const;
  std::optional<Transmit> poll_transmit() { return outbox_.pop(); }

  // --- commands (each returns an operation id, or an error when a limit is reached) ---
  // Bootstrap from `seeds`, look up our own id, refresh far buckets, then put(announce) if given.
  Result<std::uint64_t> join(Now now, const std::vector<Contact>& seeds, std::optional<Record> announce = std::nullopt,
                             LookupCallback done = {});
  // FIND_NODE: the k closest live nodes to `target`.
  Result<std::uint64_t> lookup(Now now, const NodeId& target, LookupCallback done = {});
  // FIND_VALUE: valid records under `key`.
  Result<std::uint64_t> get(Now now, const NodeId& key, LookupCallback done = {});
  // Validates, stores at the k closest nodes, and republishes until it expires.
  // result.stored_at counts acknowledgements.
  Result<std::uint64_t> put(Now now, const Record& record, LookupCallback done = {});
  // Results of commands given no callback, oldest first (bounded: the oldest are dropped).
  std::optional<LookupResult> poll_result();

  // --- inspection ---
  const Contact& self() const { return self_; }
  const RoutingTable& routing_table() const { return table_; }
  const RecordStore& record_store() const { return store_; }
  const DhtStats& stats() const { return stats_; }
  std::size_t pending_requests() const { return pending_.size(); }
  std::size_t active_operations() const { return ops_.size(); }

 private:
  enum class OpKind : std::uint8_t { user_lookup, user_get, put, republish, join, refresh };
  enum class Purpose : std::uint8_t { lookup, probe, store, ping };
  struct Operation {
    OpKind kind;
    std::unique_ptr<Lookup> lookup;
    LookupCallback done;
    std::optional<Record> record;  // put / republish / join announce
    std::size_t stores_outstanding = 0;
    std::vector<std::uint16_t> added_to_bucket;  // one entry per contact this lookup added to the table
  };
  struct Pending {
    PeerHandle peer;
    Contact contact;
    MessageType type;
    Purpose purpose;
    std::uint64_t op = 0;
    std::size_t attempts_left = 1;
    TimeUs deadline = 0;
    Bytes payload;
  };
  struct Published {
    Record record;
    TimeUs next_republish;
  };

  // dht_node.cpp: messages in and out
  void handle_request(Now now, PeerHandle from, Message&& m);
  void handle_response(Now now, PeerHandle from, Message&& m);
  // `op` (non-zero): the contact answered that operation's lookup; see max_added_per_lookup.
  void observe(TimeUs now, const Contact& contact, std::uint64_t op = 0);
  bool send_request(TimeUs now, const Contact& to, Message m, Purpose purpose, std::uint64_t op, std::size_t attempts);
  void send_response(PeerHandle to, Message m);
  void expire_requests(Now now);
  void request_failed(Now now, Pending&& p);
  Message make(MessageType type, std::uint64_t request_id) const;

  // dht_ops.cpp: operations
  Result<std::uint64_t> start(Now now, OpKind kind, LookupKind lookup_kind, const NodeId& target,
                              const std::vector<Contact>& extra_seeds, LookupCallback done, std::optional<Record> record);
  void pump(Now now, std::uint64_t op_id);
  void lookup_finished(Now now, std::uint64_t op_id);
  void complete(std::uint64_t op_id);
  void maintenance(Now now);
  void refresh_far_buckets(Now now);
  void deliver_finished(Now now);
  // The sparse-neighbourhood yardstick (LookupParams::sparse_window_factor): how far the k
  // closest nodes around a point reach, as the smaller of how far our own k closest contacts
  // reach from us and the median spread of our last 32 converged node lookups.
  double neighbourhood_radius() const;
  void learn_neighbourhood(const LookupResult& result);

  Contact self_;
  DhtConfig config_;
  RandomSource& random_;
  AddressBook& book_;
  const RecordVerifier& verifier_;
  RoutingTable table_;
  RecordStore store_;
  Outbox outbox_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::set<std::pair<TimeUs, std::uint64_t>> deadlines_;  // (deadline, request id)
  std::map<std::uint64_t, Operation> ops_;
  std::set<std::pair<TimeUs, std::uint64_t>> op_deadlines_;  // (lookup deadline, op id)
  std::vector<std::pair<LookupResult, LookupCallback>> finished_;
  std::deque<LookupResult> results_;
  std::vector<Published> published_;
  static constexpr std::size_t kRadiusSamples = 32;
  std::array<double, kRadiusSamples> radius_samples_{};  // ring buffer of lookup spreads
  std::size_t radius_sampled_ = 0;
  std::uint64_t next_op_id_ = 1;
  TimeUs next_maintenance_ = kNever;
  bool joined_ = false;
  DhtStats stats_;
};

}  // namespace zmesh::dht
