// zmesh_link_throughput: bulk throughput of an open zMesh link (handshake done, 1024-byte
// cells, ChaCha20-Poly1305) over a real transport, against raw TCP measured in the same run,
// rounds alternating. Results and how they were measured: docs/benchmarks.md "Link layer".
//
//   zmesh_link_throughput [--mib N] [--rounds R] [--message-bytes B] [--transport tcp|ws]
//       both ends in this process, each on its own thread and event loop, over 127.0.0.1
//   zmesh_link_throughput --serve IP:PORT [--transport tcp|ws]
//       receiver only (raw TCP on PORT, links on PORT+1) until SIGINT/SIGTERM
//   zmesh_link_throughput --connect IP:PORT [--mib N] [--rounds R] [--message-bytes B] [--transport tcp|ws]
//       sender only, against a --serve elsewhere (scripts/bench-link-netns.sh)
//
// The last line is machine-readable: "summary raw_MBps=… link_MBps=… ratio=…" (medians).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/secure.hpp"
#include "link/cell.hpp"
#include "throughput_peers.hpp"

namespace zmesh::bench {
namespace {

struct Options {
  std::uint64_t mib = 256;
  int rounds = 5;
  std::size_t message_bytes = 64 * link::kCellPayloadBytes;  // 64 full cells: no partial cell
  std::string transport = "tcp";
  std::string serve;    // IP:PORT
  std::string connect;  // IP:PORT
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "zmesh_link_throughput: %s\n"
               "usage: zmesh_link_throughput [--mib N] [--rounds R] [--message-bytes B] [--transport tcp|ws]\n"
               "                             [--serve IP:PORT | --connect IP:PORT]\n",
               problem.c_str());
  std::exit(2);
}

std::uint64_t parse_number(std::string_view flag, const char* text, std::uint64_t min, std::uint64_t max) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value < min || value > max)
    usage(std::string(flag) + " needs a number in " + std::to_string(min) + ".." + std::to_string(max));
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("missing value after " + std::string(flag));
    const char* value = argv[++i];
    if (flag == "--mib") {
      options.mib = parse_number(flag, value, 1, 1 << 20);
    } else if (flag == "--rounds") {
      options.rounds = static_cast<int>(parse_number(flag, value, 1, 1000));
    } else if (flag == "--message-bytes") {
      options.message_bytes = parse_number(flag, value, 1, 65536);
    } else if (flag == "--transport") {
      options.transport = value;
      if (options.transport != "tcp" && options.transport != "ws") usage("--transport is tcp or ws");
    } else if (flag == "--serve") {
      options.serve = value;
    } else if (flag == "--connect") {
      options.connect = value;
    } else {
      usage("unknown flag " + std::string(flag));
    }
  }
  if (!options.serve.empty() && !options.connect.empty()) usage("--serve and --connect exclude each other");
  return options;
}

io::SocketAddress parse_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) usage("expected IP:PORT, got " + text);
  std::string ip = text.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  const auto port = static_cast<std::uint16_t>(parse_number("port", text.c_str() + colon + 1, 0, 65534));
  auto address = io::SocketAddress::from_ip(ip, port);
  if (!address.ok()) usage(address.error().message);
  return address.value();
}

std::unique_ptr<io::EventLoop> make_loop() {
  auto loop = io::EventLoop::create();
  if (!loop.ok()) {
    std::fprintf(stderr, "zmesh_link_throughput: %s\n", loop.error().message.c_str());
    std::exit(1);
  }
  return std::move(loop.value());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void report(const char* what, int round, const RoundResult& result) {
  const double mbps = static_cast<double>(result.payload_bytes) / result.seconds / 1e6;
  const double mib = static_cast<double>(result.payload_bytes) / (1 << 20);
  std::printf("%-4s round %d: %llu payload bytes in %.3f s = %8.1f MB/s (%7.1f Mbit/s), wire/payload %.4f, "
              "sender CPU %.1f ms/MiB\n",
              what, round, static_cast<unsigned long long>(result.payload_bytes), result.seconds, mbps, mbps * 8,
              static_cast<double>(result.wire_bytes_out) / static_cast<double>(result.payload_bytes),
              result.sender_cpu_seconds * 1e3 / mib);
  std::fflush(stdout);
}

// Alternates raw and link rounds so that both see the same machine load.
int run_rounds(io::EventLoop& loop, const io::SocketAddress& raw, const std::string& link_url, const Options& options) {
  const RoundSpec spec{options.mib << 20, options.message_bytes};
  const DurationUs timeout = 600 * kSecond;
  std::vector<double> raw_mbps, link_mbps;
  std::printf("pushing %llu MiB per round, %d rounds; raw tcp://%s, link %s, %zu-byte link messages\n",
              static_cast<unsigned long long>(options.mib), options.rounds, raw.to_string().c_str(), link_url.c_str(),
              options.message_bytes);
  for (int round = 1; round <= options.rounds; ++round) {
    auto raw_result = run_raw_round(loop, raw, spec, timeout);
    if (!raw_result.ok()) {
      std::fprintf(stderr, "raw round %d failed: %s\n", round, raw_result.error().message.c_str());
      return 1;
    }
    report("raw", round, raw_result.value());
    raw_mbps.push_back(static_cast<double>(spec.total_bytes) / raw_result.value().seconds / 1e6);
    auto link_result = run_link_round(loop, link_url, spec, timeout);
    if (!link_result.ok()) {
      std::fprintf(stderr, "link round %d failed: %s\n", round, link_result.error().message.c_str());
      return 1;
    }
    report("link", round, link_result.value());
    link_mbps.push_back(static_cast<double>(spec.total_bytes) / link_result.value().seconds / 1e6);
  }
  const double raw_median = median(raw_mbps);
  const double link_median = median(link_mbps);
  std::printf("summary raw_MBps=%.1f link_MBps=%.1f ratio=%.3f\n", raw_median, link_median, link_median / raw_median);
  return 0;
}

int serve(const Options& options) {
  auto loop = make_loop();
  if (auto s = loop->stop_on_signals(); !s.ok()) usage(s.error().message);
  const io::SocketAddress address = parse_address(options.serve);
  auto receiver = ThroughputReceiver::open(*loop, address, options.transport);
  if (!receiver.ok()) {
    std::fprintf(stderr, "zmesh_link_throughput: %s\n", receiver.error().message.c_str());
    return 1;
  }
  std::printf("serving raw tcp on port %u, %s links on port %u\n", receiver.value()->raw_port(),
              options.transport.c_str(), receiver.value()->link_port());
  std::fflush(stdout);
  loop->run();
  return 0;
}

int connect(const Options& options) {
  auto loop = make_loop();
  const io::SocketAddress raw = parse_address(options.connect);
  const auto link = io::SocketAddress::from_ip(raw.ip(), static_cast<std::uint16_t>(raw.port() + 1)).value();
  return run_rounds(*loop, raw, link_url(options.transport, link), options);
}

// Receiver on a second thread with its own loop, sender here: two cores, like two processes.
int local(const Options& options) {
  std::promise<std::pair<std::uint16_t, std::uint16_t>> ports;
  std::promise<io::EventLoop*> receiver_loop;
  std::thread receiver_thread([&] {
    auto loop = make_loop();
    auto receiver = ThroughputReceiver::open(*loop, io::SocketAddress::from_ip("127.0.0.1", 0).value(), options.transport);
    if (!receiver.ok()) {
      std::fprintf(stderr, "zmesh_link_throughput: %s\n", receiver.error().message.c_str());
      std::exit(1);
    }
    ports.set_value({receiver.value()->raw_port(), receiver.value()->link_port()});
    receiver_loop.set_value(loop.get());
    loop->run();
  });
  const auto [raw_port, link_port] = ports.get_future().get();
  io::EventLoop* remote_loop = receiver_loop.get_future().get();
  auto loop = make_loop();
  const int status = run_rounds(*loop, io::SocketAddress::from_ip("127.0.0.1", raw_port).value(),
                                link_url(options.transport, io::SocketAddress::from_ip("127.0.0.1", link_port).value()),
                                options);
  remote_loop->stop();
  receiver_thread.join();
  return status;
}

}  // namespace
}  // namespace zmesh::bench

int main(int argc, char** argv) {
  using namespace zmesh::bench;
  zmesh::crypto::init();
  const Options options = parse(argc, argv);
  if (!options.serve.empty()) return serve(options);
  if (!options.connect.empty()) return connect(options);
  return local(options);
}
