#include "sim/stream_workload.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>


namespace zmesh::sim {
namespace {

constexpr std::size_t kChunkBytes = 16 * 1024;
constexpr std::uint16_t kPort = 80;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool parse_u64(std::string_view text, int base, std::uint64_t& out) {
  if (text.empty() || text.size() > 16) return false;
  out = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0 || digit >= base) return false;
    out = out * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  return true;
}

}  // namespace

void StreamCounters::add(const StreamCounters& o) {
  opened += o.opened;
  completed += o.completed;
  failed += o.failed;
  corrupted += o.corrupted;
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  incoming += o.incoming;
  served += o.served;
  refused += o.refused;
  if (!o.last_failure.empty()) last_failure = o.last_failure;
}

onion::StreamTarget stream_target(const StreamSpec& spec) {
  char name[64];
  std::snprintf(name, sizeof name, "s%016llx-q%u-r%u.sim", static_cast<unsigned long long>(spec.seed), spec.request_bytes,
                spec.response_bytes);
  return onion::StreamTarget::to_domain(name, kPort);
}

std::optional<StreamSpec> parse_stream_spec(const onion::StreamTarget& target) {
  if (target.kind != onion::TargetKind::domain || target.port != kPort) return std::nullopt;
  std::string_view name = target.domain;
  constexpr std::string_view kSuffix = ".sim";
  if (name.size() < 1 + 16 + kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix || name[0] != 's')
    return std::nullopt;
  name = name.substr(1, name.size() - 1 - kSuffix.size());
  const auto q = name.find("-q");
  const auto r = name.find("-r");
  if (q == std::string_view::npos || r == std::string_view::npos || r < q) return std::nullopt;
  StreamSpec spec;
  std::uint64_t request = 0, response = 0;
  if (!parse_u64(name.substr(0, q), 16, spec.seed) || !parse_u64(name.substr(q + 2, r - q - 2), 10, request) ||
      !parse_u64(name.substr(r + 2), 10, response) || request > UINT32_MAX || response > UINT32_MAX)
    return std::nullopt;
  spec.request_bytes = static_cast<std::uint32_t>(request);
  spec.response_bytes = static_cast<std::uint32_t>(response);
  return spec;
}

void fill_content(std::uint64_t seed, std::uint64_t offset, MutableByteView out) {
  for (std::size_t i = 0; i < out.size();) {
    const std::uint64_t position = offset + i;
    const std::uint64_t word = splitmix64(seed ^ splitmix64(position / 8));
    for (std::uint64_t b = position % 8; b < 8 && i < out.size(); ++b, ++i) out[i] = static_cast<std::uint8_t>(word >> (8 * b));
  }
}

std::uint64_t response_seed(std::uint64_t request_seed) { return splitmix64(request_seed ^ 0x7265'7370'6f6e'7365ULL); }

Status StreamWorkload::open(Now now, const StreamSpec& spec) {
  ++counters_.opened;
  auto key = onion_.open_stream(now, stream_target(spec));
  if (!key.ok()) {
    ++counters_.failed;
    counters_.last_failure = "open_stream: " + key.error().message;
    return key.error();
  }
  streams_[*key] = Stream{spec, true};
  return {};
}

bool StreamWorkload::poll(Now now) {
  bool any = false;
  while (auto event = onion_.poll_stream_event()) {
    any = true;
    handle(now, *event);
  }
  return any;
}

void StreamWorkload::handle(Now now, const node::OnionStreamEvent& event) {
  using onion::StreamEventKind;
  if (event.kind == StreamEventKind::incoming) {
    accept(now, event);
    return;
  }
  auto it = streams_.find(event.stream);
  if (it == streams_.end()) return;
  Stream& stream = it->second;
  switch (event.kind) {
    case StreamEventKind::connected:
    case StreamEventKind::writable: write(now, event.stream, stream); break;
    case StreamEventKind::readable: read(now, event.stream, stream); break;
    case StreamEventKind::peer_finished: read(now, event.stream, stream); break;
    case StreamEventKind::closed: closed(event.stream, stream); break;
    case StreamEventKind::open_failed:
      failed(event.stream, std::string("open_failed: ") + onion::stream_error_name(event.error));
      break;
    case StreamEventKind::reset: failed(event.stream, std::string("reset: ") + onion::stream_error_name(event.error)); break;
    case StreamEventKind::incoming: break;
  }
}

void StreamWorkload::accept(Now now, const node::OnionStreamEvent& event) {
  ++counters_.incoming;
  const std::optional<StreamSpec> spec = parse_stream_spec(event.target);
  if (!spec) {
    ++counters_.refused;
    (void)onion_.refuse_stream(now, event.stream, onion::StreamError::exit_policy);
    return;
  }
  if (!onion_.accept_stream(now, event.stream).ok()) return;
  Stream& stream = streams_[event.stream] = Stream{*spec, false};
  write(now, event.stream, stream);
}

void StreamWorkload::write(Now now, node::StreamKey key, Stream& stream) {
  const std::uint64_t total = stream.client ? stream.spec.request_bytes : stream.spec.response_bytes;
  const std::uint64_t seed = stream.client ? stream.spec.seed : response_seed(stream.spec.seed);
  std::array<std::uint8_t, kChunkBytes> chunk;
  while (stream.sent < total) {
    const std::size_t room = std::min<std::uint64_t>({total - stream.sent, onion_.writable_bytes(key), kChunkBytes});
    if (room == 0) break;
    fill_content(seed, stream.sent, MutableByteView(chunk.data(), room));
    auto written = onion_.write(now, key, ByteView(chunk.data(), room));
    if (!written.ok() || *written == 0) break;
    stream.sent += *written;
    if (stream.client) counters_.bytes_sent += *written;
    if (*written < room) break;
  }
  if (stream.sent == total && !stream.finished) stream.finished = onion_.finish(now, key).ok();
}

void StreamWorkload::read(Now now, node::StreamKey key, Stream& stream) {
  const std::uint64_t seed = stream.client ? response_seed(stream.spec.seed) : stream.spec.seed;
  std::array<std::uint8_t, kChunkBytes> buffer;
  std::array<std::uint8_t, kChunkBytes> expected;
  for (;;) {
    auto n = onion_.read(now, key, MutableByteView(buffer.data(), buffer.size()));
    if (!n.ok() || *n == 0) break;
    fill_content(seed, stream.received, MutableByteView(expected.data(), *n));
    if (std::memcmp(buffer.data(), expected.data(), *n) != 0) stream.corrupted = true;
    stream.received += *n;
    if (stream.client) counters_.bytes_received += *n;
  }
}

void StreamWorkload::closed(node::StreamKey key, const Stream& stream) {
  const std::uint64_t expect_in = stream.client ? stream.spec.response_bytes : stream.spec.request_bytes;
  const std::uint64_t expect_out = stream.client ? stream.spec.request_bytes : stream.spec.response_bytes;
  const bool intact = !stream.corrupted && stream.received == expect_in && stream.sent == expect_out;
  if (stream.corrupted) ++counters_.corrupted;
  if (stream.client) {
    if (intact) {
      ++counters_.completed;
      streams_.erase(key);
      return;
    }
    failed(key, stream.corrupted ? "corrupted" : "closed short: " + std::to_string(stream.received) + "/" + std::to_string(expect_in));
    return;
  }
  if (intact) ++counters_.served;
  streams_.erase(key);
}

void StreamWorkload::failed(node::StreamKey key, std::string why) {
  auto it = streams_.find(key);
  if (it == streams_.end()) return;
  if (it->second.client) {
    ++counters_.failed;
    counters_.last_failure = std::move(why);
  }
  streams_.erase(it);
}

}  // namespace zmesh::sim
