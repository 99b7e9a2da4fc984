// Onion cells (src/onion) on arbitrary bytes. The first input byte picks the mode:
//   even: the codecs: parse_cell, parse_destroy_body and decode_relay_message never crash,
//         and a relay message that decodes re-encodes to exactly the input region.
//   odd:  an OnionRelay that is the middle hop of one open circuit (client C -> R -> N) and
//         the last hop of another (N -> R), rebuilt for every input from recorded cells, is
//         fed the rest as cells: [sender u8 (C, N or a stranger)] [length u16be] [cell]...
//         It must never crash, only ever send to the sender or its neighbours on a circuit,
//         send only well-formed cells, and keep its queues and tables within their limits.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): valid data, reply and destroy cells for both circuits.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_check.hpp"
#include "onion/onion_relay.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::onion;

constexpr UnixSeconds kNow = 1'750'000'000;
// The Now a driver would pass at driver time `t` (driver time 0 = kNow).
Now at(TimeUs t) { return Now{t, static_cast<TimeUs>(kNow) * kSecond + t}; }
constexpr std::uint8_t kFromClient = 0, kFromNext = 1;  // ids[2] is a stranger

OnionRelayConfig small_config() {
  OnionRelayConfig config;
  config.limits.max_circuits = 8;
  config.limits.max_circuits_per_peer = 4;
  config.max_queued_cells = 16;
  config.max_queued_events = 16;
  return config;
}

struct Recorded {
  std::uint8_t sender;
  Bytes cell;
};

// The network C, R, N run once: what R received to get into its state, and some valid cells
// it could receive next (the seeds).
struct Fixture {
  NodeId ids[3];  // C, N, stranger
  NodeId relay_id;
  OnionKeyPair relay_key;
  std::vector<Recorded> setup;  // replayed into every fresh R
  std::vector<Recorded> next;   // valid follow-ups, for the seeds
};

const Fixture& fixture() {
  static const Fixture f = [] {
    crypto::init();
    SeededRandom random(12);
    Fixture x;
    for (NodeId& id : x.ids) random.fill(id.bytes);
    random.fill(x.relay_id.bytes);
    x.relay_key = OnionKeyPair::generate(random, kNow - kHour);
    const OnionKeyPair next_key = OnionKeyPair::generate(random, kNow - kHour);
    OnionRelay client(x.ids[kFromClient], small_config(), random);
    OnionRelay relay(x.relay_id, small_config(), random);
    OnionRelay next(x.ids[kFromNext], small_config(), random);
    if (!relay.add_onion_key(x.relay_key) || !next.add_onion_key(next_key)) std::abort();
    const SetupHop r = SetupHop::from_descriptor(x.relay_id, x.relay_key.public_part());
    const SetupHop n = SetupHop::from_descriptor(x.ids[kFromNext], next_key.public_part());
    const SetupHop through_r[] = {r, n};
    const SetupHop ending_at_r[] = {n, r};
    // Delivers everything queued; cells for R are recorded into `log`.
    auto pump = [&](std::vector<Recorded>& log) {
      for (bool busy = true; busy;) {
        busy = false;
        for (OnionRelay* from : {&client, &relay, &next}) {
          while (auto cell = from->poll_cell()) {
            busy = true;
            OnionRelay* to = cell->to == x.relay_id ? &relay : cell->to == x.ids[kFromNext] ? &next : &client;
            if (to == &relay) log.push_back({from == &client ? kFromClient : kFromNext, cell->cell});
            if (!to->on_cell(at(0), from->self(), cell->cell)) std::abort();
          }
        }
      }
    };
    auto a = client.build_circuit(at(0), through_r);
    auto b = client.build_circuit(at(0), ending_at_r);
    if (!a || !b) std::abort();
    pump(x.setup);
    std::vector<OnionEvent> events;
    while (auto e = next.poll_event()) events.push_back(std::move(*e));
    CircuitHandle at_next{};
    for (const auto& e : events)
      if (auto* in = std::get_if<IncomingCircuit>(&e)) at_next = in->circuit;
    if (!client.send_relay_message(at(0), *a, Bytes{1, 2, 3}) || !client.send_relay_message(at(0), *b, Bytes(925, 4)) ||
        !next.send_relay_message(at(0), at_next, Bytes{5}))
      std::abort();
    client.close_circuit(at(0), *b);
    pump(x.next);
    return x;
  }();
  return f;
}

std::unique_ptr<OnionRelay> fresh_relay(RandomSource& random) {
  const Fixture& f = fixture();
  auto relay = std::make_unique<OnionRelay>(f.relay_id, small_config(), random);
  if (!relay->add_onion_key(f.relay_key)) std::abort();
  for (const Recorded& r : f.setup)
    if (!relay->on_cell(at(0), f.ids[r.sender], r.cell)) std::abort();
  while (relay->poll_cell()) {
  }
  while (relay->poll_event()) {
  }
  return relay;
}

void append_cell(Bytes& out, std::uint8_t sender, ByteView cell) {
  out.push_back(sender);
  out.push_back(static_cast<std::uint8_t>(cell.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(cell.size()));
  append(out, cell);
}

void write_cell_seeds(const char* dir) {
  const Fixture& f = fixture();
  Bytes all{1};
  for (const Recorded& r : f.next) {
    Bytes one{1};
    append_cell(one, r.sender, r.cell);
    fuzz::write_seed(dir, "cell-" + std::to_string(all.size()), one);
    append_cell(all, r.sender, r.cell);
  }
  fuzz::write_seed(dir, "all", all);
  Bytes region{0};
  region.resize(1 + kRelayMessageRegionBytes, 0);
  region[1] = static_cast<std::uint8_t>(RelayMessageType::data);
  region[3] = 2;
  fuzz::write_seed(dir, "relay-message", region);
  Bytes destroy{0};
  append(destroy, make_destroy_cell(3, CellCommand::destroy_forward, DestroyReason::timeout));
  fuzz::write_seed(dir, "destroy", destroy);
}

void check_codecs(ByteView input) {
  auto cell = parse_cell(input);
  if (cell && (cell->command == CellCommand::destroy_forward || cell->command == CellCommand::destroy_backward)) {
    auto reason = parse_destroy_body(cell->body);
    if (reason) FUZZ_CHECK(Bytes(input.begin(), input.end()) == make_destroy_cell(cell->circuit_id, cell->command, *reason));
  }
  if (input.size() < kRelayMessageRegionBytes) return;
  const ByteView region = input.first(kRelayMessageRegionBytes);
  auto message = decode_relay_message(region);
  if (!message) return;
  FUZZ_CHECK(message->payload.size() <= kMaxRelayPayloadBytes);
  ByteArray<kRelayMessageRegionBytes> again;
  encode_relay_message(message->type, message->payload, again);
  FUZZ_CHECK(std::equal(again.begin(), again.end(), region.begin()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture();
  fuzz::write_seeds_if_asked(write_cell_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView rest(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    check_codecs(rest);
    return 0;
  }
  const Fixture& f = fixture();
  SeededRandom random(13);
  auto relay = fresh_relay(random);
  const OnionRelayConfig config = small_config();
  for (std::size_t i = 0; i + 3 <= rest.size();) {
    const std::uint8_t sender = rest[i] % 3;
    const std::size_t length = std::min<std::size_t>(static_cast<std::size_t>(rest[i + 1]) << 8 | rest[i + 2], rest.size() - i - 3);
    const ByteView cell = rest.subspan(i + 3, length);
    i += 3 + length;
    static_cast<void>(relay->on_cell(at(static_cast<TimeUs>(i)), f.ids[sender], cell));
    FUZZ_CHECK(relay->circuits().size() <= config.limits.max_circuits);
    FUZZ_CHECK(relay->queued_cells() <= config.max_queued_cells + 2 * config.limits.max_circuits + 2);
    while (auto out = relay->poll_cell()) {
      FUZZ_CHECK(parse_cell(out->cell).ok());
      FUZZ_CHECK(out->to == f.ids[sender] || out->to == f.ids[kFromClient] || out->to == f.ids[kFromNext]);
    }
    while (relay->poll_event()) {
    }
  }
  relay->on_timeout(at(kNever - 1 - static_cast<TimeUs>(kNow) * kSecond));
  FUZZ_CHECK(relay->circuits().size() <= config.limits.max_circuits);
  return 0;
}
