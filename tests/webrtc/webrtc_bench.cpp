// WebRTC benchmarks on loopback, one process, one event loop (docs/benchmarks.md §WebRTC):
//  1. setup time: RtcSession offerer start → data channel open on the offerer (offer, answer,
//     trickled candidates, ICE checks, DTLS 1.2 handshake, SCTP association, DCEP OPEN/ACK),
//     repeated --setups times, median and spread;
//  2. throughput of one data channel against the TCP transport (io::listen/dial "tcp://"),
//     measured in the same run with the same message sizes, sender and receiver on one loop.
//   webrtc_bench [--setups 20] [--mib 64]
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "io/transport.hpp"
#include "webrtc_test_util.hpp"

namespace zmesh::io::webrtc {
namespace {

struct Pair {
  std::unique_ptr<Connection> sender, receiver;
};

Pair webrtc_pair(EventLoop& loop, RtcEngine& a, RtcEngine& b, double* setup_ms) {
  TimeUs started = loop.now();
  TimeUs opened = 0;
  test::SessionPair pair(a, b, loop);
  loop.run_until([&] {
    if (pair.offerer.done && opened == 0) opened = loop.now();
    return pair.offerer.done && pair.answerer.done;
  }, test::kGenerous);
  if (!pair.offerer.connection || !pair.answerer.connection) {
    std::fprintf(stderr, "setup failed: %s\n", pair.offerer.error ? pair.offerer.error->describe().c_str() : "?");
    std::exit(1);
  }
  if (setup_ms) *setup_ms = static_cast<double>(opened - started) / kMillisecond;
  return {std::move(pair.offerer.connection), std::move(pair.answerer.connection)};
}

Pair tcp_pair(EventLoop& loop, RandomSource& random) {
  auto listener = io::listen(loop, "tcp://127.0.0.1:0");
  Pair out;
  listener.value()->on_accept([&](std::unique_ptr<Connection> c) { out.receiver = std::move(c); });
  auto handle = io::dial(loop, random, listener.value()->local_url(), [&](Result<std::unique_ptr<Connection>> c) {
    if (c.ok()) out.sender = std::move(c.value());
  });
  loop.run_until([&] { return out.sender && out.receiver; }, test::kGenerous);
  if (!out.sender || !out.receiver) std::exit(1);
  return out;
}

// Sends `total` bytes in messages of `size`, respecting backpressure; MB/s at the receiver.
double throughput(EventLoop& loop, Pair& p, std::size_t size, std::size_t total) {
  const Bytes message = test::pattern(size, 1, 0);
  std::size_t sent = 0, received = 0;
  p.receiver->on_data([&](ByteView m) { received += m.size(); });
  std::function<void()> pump = [&] {
    while (sent < total) {
      if (!p.sender->send(message).ok()) return;  // limit_exceeded: on_writable resumes
      sent += size;
    }
  };
  p.sender->on_writable(pump);
  TimeUs started = loop.now();
  std::clock_t cpu_started = std::clock();
  pump();
  loop.run_until([&] {
    if (sent < total && p.sender->send_buffered_bytes() == 0) pump();
    return received >= total;
  }, 120 * kSecond);
  double seconds = static_cast<double>(loop.now() - started) / kSecond;
  double cpu = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  std::fprintf(stderr, "  (%zu-byte messages: %.2f s wall, %.2f s CPU)\n", size, seconds, cpu);
  p.sender->on_writable(nullptr);
  return static_cast<double>(received) / seconds / 1e6;
}

int run(int setups, std::size_t mib) {
  auto loop = test::make_loop();
  SeededRandom ra(1), rb(2), rt(3);
  auto a = test::make_engine(*loop, ra);
  auto b = test::make_engine(*loop, rb);
  webrtc_pair(*loop, *a, *b, nullptr);  // warm-up: first-use costs (usrsctp init, page faults)
  std::vector<double> times;
  for (int i = 0; i < setups; ++i) {
    double ms = 0;
    webrtc_pair(*loop, *a, *b, &ms);
    times.push_back(ms);
    loop->run_until([] { return false; }, 20 * kMillisecond);  // let the closed pair's packets settle
  }
  std::sort(times.begin(), times.end());
  std::printf("setup offer->open (ms, %d runs): median %.1f  min %.1f  p90 %.1f  max %.1f\n", setups,
              times[times.size() / 2], times.front(), times[times.size() * 9 / 10], times.back());
  for (std::size_t size : {std::size_t{1024}, std::size_t{16 * 1024}}) {
    Pair rtc = webrtc_pair(*loop, *a, *b, nullptr);
    Pair tcp = tcp_pair(*loop, rt);
    double rtc_mbs = throughput(*loop, rtc, size, mib << 20);
    double tcp_mbs = throughput(*loop, tcp, size, mib << 20);
    std::printf("throughput %6zu-byte messages, %zu MiB: webrtc %.1f MB/s  tcp %.1f MB/s  ratio %.3f\n", size, mib,
                rtc_mbs, tcp_mbs, rtc_mbs / tcp_mbs);
  }
  return 0;
}

}  // namespace
}  // namespace zmesh::io::webrtc

int main(int argc, char** argv) {
  int setups = 20;
  std::size_t mib = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--setups") == 0) setups = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--mib") == 0) mib = static_cast<std::size_t>(std::atoi(argv[i + 1]));
  }
  return zmesh::io::webrtc::run(std::max(setups, 1), std::max<std::size_t>(mib, 1));
}
