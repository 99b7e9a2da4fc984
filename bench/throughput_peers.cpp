#include "throughput_peers.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>

#include "io/tcp_stream.hpp"
#include "link/link.hpp"

namespace zmesh::bench {
namespace {

constexpr link::Channel kDataChannel = link::kFirstAppChannel;  // 2
constexpr link::Channel kControlChannel = kDataChannel + 1;     // 3: end of round / answer
constexpr std::size_t kPayloadPoolBytes = 1 << 20;                // payload slices come from here
constexpr std::size_t kRawWriteBytes = 64 * 1024;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

const Bytes& payload_pool() {
  static const Bytes pool = [] {
    SeededRandom random(42);
    Bytes out(kPayloadPoolBytes);
    random.fill(out);
    return out;
  }();
  return pool;
}

// `length` bytes of the payload stream starting at stream offset `offset` (never wraps).
ByteView payload_slice(std::uint64_t offset, std::size_t length) {
  const std::size_t start = static_cast<std::size_t>(offset % kPayloadPoolBytes);
  return ByteView(payload_pool()).subspan(start, std::min(length, kPayloadPoolBytes - start));
}

ByteArray<8> encode_u64(std::uint64_t value) {
  ByteArray<8> out{};
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  return out;
}

std::optional<std::uint64_t> decode_u64(ByteView bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (std::uint8_t b : bytes) value = value << 8 | b;
  return value;
}

// Drives one Link over one Connection: transport messages in, cells out with backpressure,
// the link's timers on the loop. Callbacks may not destroy the driver.
class LinkDriver {
 public:
  LinkDriver(io::EventLoop& loop, std::unique_ptr<io::Connection> connection, link::Link link)
      : loop_(loop), connection_(std::move(connection)), link_(std::move(link)) {}
  ~LinkDriver() { loop_.cancel(timer_); }
  LinkDriver(const LinkDriver&) = delete;
  LinkDriver& operator=(const LinkDriver&) = delete;

  std::function<void(link::LinkMessage)> on_message;
  std::function<void()> on_progress;  // opened, or the transport has room again
  std::function<void(const std::string&)> on_failure;

  void start() {
    connection_->on_data([this](ByteView message) { receive(message); });
    connection_->on_writable([this] { progress(); });
    connection_->on_close([this](const io::CloseReason& reason) { fail("transport closed: " + reason.describe()); });
    progress();
  }

  // Moves every pending cell to the transport; false while the transport is full.
  bool flush() {
    while (true) {
      if (!pending_) pending_ = link_.poll_transmit();
      if (!pending_) return true;
      const Status sent = connection_->send(*pending_);
      if (!sent.ok()) {
        if (sent.error().code != Errc::limit_exceeded) fail("transport send: " + sent.error().message);
        return false;
      }
      pending_.reset();
    }
  }

  link::Link& link() { return link_; }
  io::Connection& connection() { return *connection_; }

 private:
  void receive(ByteView message) {
    const Status status = link_.on_receive(loop_.now(), message);
    while (auto delivered = link_.poll_message())
      if (on_message) on_message(std::move(*delivered));
    flush();
    if (!status.ok()) return fail("link: " + status.error().message);
    progress();
  }

  void progress() {
    flush();
    if (link_.state() != link::LinkState::open && link_.state() != link::LinkState::handshaking)
      return fail(std::string("link ") + link::link_state_name(link_.state()));
    arm_timer();
    if (on_progress && link_.is_open()) on_progress();
  }

  // Deadlines only move later while traffic flows, so one timer at the earliest deadline is
  // enough; when it fires early, on_timeout does nothing and the timer is re-armed.
  void arm_timer() {
    const TimeUs deadline = link_.next_deadline();
    if (deadline == kNever || (timer_ != 0 && armed_for_ <= deadline)) return;
    loop_.cancel(timer_);
    armed_for_ = deadline;
    timer_ = loop_.run_at(deadline, [this] {
      timer_ = 0;
      link_.on_timeout(loop_.now());
      progress();
    });
  }

  void fail(const std::string& why) {
    if (failed_) return;
    failed_ = true;
    if (on_failure) on_failure(why);
  }

  io::EventLoop& loop_;
  std::unique_ptr<io::Connection> connection_;
  link::Link link_;
  std::optional<Bytes> pending_;
  io::EventLoop::TimerId timer_ = 0;
  TimeUs armed_for_ = kNever;
  bool failed_ = false;
};

link::LinkConfig bench_link_config() {
  link::LinkConfig config;
  config.handshake.prologue = "zmesh-link-throughput";
  return config;
}

// Generated once per process (thread-safe statics); key generation is not part of any round.
const NodeIdentity& sender_identity() {
  static const NodeIdentity id = [] {
    SeededRandom random(1);
    return NodeIdentity::generate(random);
  }();
  return id;
}

const NodeIdentity& receiver_identity() {
  static const NodeIdentity id = [] {
    SeededRandom random(2);
    return NodeIdentity::generate(random);
  }();
  return id;
}

}  // namespace

std::string link_url(const std::string& scheme, const io::SocketAddress& address) {
  return scheme + "://" + address.to_string() + (scheme == "ws" ? "/zmesh-bench" : "");
}

// ---------------------------------------------------------------------------------------------
// Receiver

struct ThroughputReceiver::State {
  struct RawSession {
    std::unique_ptr<io::TcpStream> stream;
    Bytes header;
    std::optional<std::uint64_t> expected;
    std::uint64_t received = 0;
  };
  struct LinkSession {
    std::unique_ptr<LinkDriver> driver;
    std::uint64_t received = 0;
  };

  explicit State(io::EventLoop& event_loop) : loop(event_loop) {}

  io::EventLoop& loop;
  SystemRandom random;
  std::unique_ptr<io::TcpAcceptor> raw_acceptor;
  std::unique_ptr<io::Listener> link_listener;
  std::map<std::uint64_t, std::unique_ptr<RawSession>> raw_sessions;
  std::map<std::uint64_t, std::unique_ptr<LinkSession>> link_sessions;
  std::uint64_t next_id = 1;

  // Sessions end from inside their own callbacks: erase them from the loop afterwards.
  template <typename Map>
  void erase_later(Map& sessions, std::uint64_t id) {
    loop.post([&sessions, id] { sessions.erase(id); });
  }

  void accept_raw(std::unique_ptr<io::TcpStream> stream) {
    const std::uint64_t id = next_id++;
    auto session = std::make_unique<RawSession>();
    RawSession* s = session.get();
    s->stream = std::move(stream);
    s->stream->on_data([this, s](ByteView chunk) { raw_data(*s, chunk); });
    s->stream->on_close([this, id](const io::CloseReason&) { erase_later(raw_sessions, id); });
    raw_sessions.emplace(id, std::move(session));
  }

  void raw_data(RawSession& s, ByteView chunk) {
    if (!s.expected) {
      const std::size_t take = std::min(chunk.size(), 8 - s.header.size());
      s.header.insert(s.header.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
      chunk = chunk.subspan(take);
      if (s.header.size() == 8) s.expected = decode_u64(s.header);
    }
    s.received += chunk.size();
    if (s.expected && s.received == *s.expected) {
      const std::uint8_t done = 1;
      (void)s.stream->write(ByteView(&done, 1));
    }
  }

  void accept_link(std::unique_ptr<io::Connection> connection) {
    const std::uint64_t id = next_id++;
    auto session = std::make_unique<LinkSession>();
    LinkSession* s = session.get();
    s->driver = std::make_unique<LinkDriver>(
        loop, std::move(connection), link::Link::accept(receiver_identity(), random, bench_link_config(), loop.now()));
    s->driver->on_message = [this, s](link::LinkMessage message) {
      if (message.channel == kDataChannel) {
        s->received += message.payload.size();
      } else if (message.channel == kControlChannel) {
        const auto answer = encode_u64(s->received);
        s->received = 0;
        (void)s->driver->link().send(loop.now(), kControlChannel, answer);
      }
    };
    s->driver->on_failure = [this, id](const std::string&) { erase_later(link_sessions, id); };
    link_sessions.emplace(id, std::move(session));
    s->driver->start();
  }
};

ThroughputReceiver::ThroughputReceiver(std::unique_ptr<State> state) : state_(std::move(state)) {}
ThroughputReceiver::~ThroughputReceiver() = default;

Result<std::unique_ptr<ThroughputReceiver>> ThroughputReceiver::open(io::EventLoop& loop,
                                                                     const io::SocketAddress& address,
                                                                     const std::string& link_scheme) {
  auto state = std::make_unique<State>(loop);
  State* s = state.get();
  ZM_TRY(state->raw_acceptor, io::TcpAcceptor::open(loop, address, 64, io::StreamOptions{},
                                                    [s](std::unique_ptr<io::TcpStream> stream) {
                                                      s->accept_raw(std::move(stream));
                                                    }));
  const std::uint16_t link_port = address.port() == 0 ? 0 : static_cast<std::uint16_t>(address.port() + 1);
  ZM_TRY(const io::SocketAddress link_address, io::SocketAddress::from_ip(address.ip(), link_port));
  ZM_TRY(state->link_listener, io::listen(loop, link_url(link_scheme, link_address)));
  state->link_listener->on_accept([s](std::unique_ptr<io::Connection> connection) {
    s->accept_link(std::move(connection));
  });
  receiver_identity();  // generated before the first round
  return std::unique_ptr<ThroughputReceiver>(new ThroughputReceiver(std::move(state)));
}

std::uint16_t ThroughputReceiver::raw_port() const { return state_->raw_acceptor->local_address().port(); }
std::uint16_t ThroughputReceiver::link_port() const { return state_->link_listener->port(); }

// ---------------------------------------------------------------------------------------------
// Senders

Result<RoundResult> run_raw_round(io::EventLoop& loop, const io::SocketAddress& receiver, const RoundSpec& spec,
                                  DurationUs timeout) {
  std::unique_ptr<io::TcpStream> stream;
  std::optional<Error> error;
  bool answered = false;
  std::uint64_t sent = 0;
  Clock::time_point start;
  double cpu_at_start = 0;
  std::uint64_t bytes_out_at_start = 0;

  std::function<void()> pump = [&] {
    while (sent < spec.total_bytes) {
      const ByteView slice = payload_slice(sent, std::min<std::uint64_t>(kRawWriteBytes, spec.total_bytes - sent));
      const Status written = stream->write(slice);
      if (!written.ok()) {
        if (written.error().code != Errc::limit_exceeded) error = written.error();
        return;  // on_writable resumes
      }
      sent += slice.size();
    }
  };
  io::TcpConnector connector(loop, {receiver}, 10 * kSecond, io::StreamOptions{},
                             [&](Result<std::unique_ptr<io::TcpStream>> connected) {
                               if (!connected.ok()) {
                                 error = connected.error();
                                 return;
                               }
                               stream = std::move(connected.value());
                               stream->on_data([&](ByteView) { answered = true; });
                               stream->on_writable([&] { pump(); });
                               stream->on_close([&](const io::CloseReason& reason) {
                                 if (!answered) error = make_error(Errc::closed, reason.describe());
                               });
                               start = Clock::now();
                               cpu_at_start = thread_cpu_seconds();
                               bytes_out_at_start = stream->bytes_out();
                               (void)stream->write(encode_u64(spec.total_bytes));
                               pump();
                             });
  const bool finished = loop.run_until([&] { return answered || error.has_value(); }, timeout);
  const double seconds = seconds_since(start);
  if (error) return *error;
  if (!finished) return make_error(Errc::timeout, "raw round timed out");
  return RoundResult{seconds, thread_cpu_seconds() - cpu_at_start, spec.total_bytes,
                     stream->bytes_out() - bytes_out_at_start};
}

Result<RoundResult> run_link_round(io::EventLoop& loop, const std::string& link_url_text, const RoundSpec& spec,
                                   DurationUs timeout) {
  SystemRandom random;
  std::unique_ptr<LinkDriver> driver;
  std::optional<Error> error;
  std::optional<std::uint64_t> answer;
  std::uint64_t sent = 0;
  bool end_sent = false;
  Clock::time_point start;
  double cpu_at_start = 0;
  std::uint64_t bytes_out_at_start = 0;
  bool started = false;

  // Keeps the link's queue topped up and the transport full; returns when either blocks.
  auto queue = [&](link::Channel channel, ByteView message) {
    const Status queued = driver->link().send(loop.now(), channel, message);
    if (!queued.ok() && queued.error().code != Errc::limit_exceeded) error = queued.error();
    return queued.ok();
  };
  auto pump = [&] {
    if (!started) {
      started = true;
      start = Clock::now();
      cpu_at_start = thread_cpu_seconds();
      bytes_out_at_start = driver->connection().bytes_out();
    }
    while (!end_sent && !error) {
      while (sent < spec.total_bytes) {
        const ByteView slice = payload_slice(sent, std::min<std::uint64_t>(spec.message_bytes, spec.total_bytes - sent));
        if (!queue(kDataChannel, slice)) break;  // queue full: flush first
        sent += slice.size();
      }
      if (sent == spec.total_bytes && queue(kControlChannel, encode_u64(sent))) end_sent = true;
      if (!driver->flush()) return;  // on_writable resumes
    }
    driver->flush();
  };
  io::TransportOptions options;
  io::DialHandle dial = io::dial(loop, random, link_url_text, [&](Result<std::unique_ptr<io::Connection>> connected) {
    if (!connected.ok()) {
      error = connected.error();
      return;
    }
    driver = std::make_unique<LinkDriver>(loop, std::move(connected.value()),
                                          link::Link::dial(sender_identity(), random, bench_link_config(), loop.now()));
    driver->on_progress = pump;
    driver->on_message = [&](link::LinkMessage message) {
      if (message.channel == kControlChannel) answer = decode_u64(message.payload).value_or(0);
    };
    driver->on_failure = [&](const std::string& why) {
      if (!answer) error = make_error(Errc::closed, why);
    };
    driver->start();
  }, options);
  const bool finished = loop.run_until([&] { return answer.has_value() || error.has_value(); }, timeout);
  const double seconds = seconds_since(start);
  if (error) return *error;
  if (!finished) return make_error(Errc::timeout, "link round timed out");
  if (*answer != spec.total_bytes)
    return make_error(Errc::protocol_violation, "receiver got " + std::to_string(*answer) + " of " +
                                                    std::to_string(spec.total_bytes) + " bytes");
  RoundResult result{seconds, thread_cpu_seconds() - cpu_at_start, spec.total_bytes,
                     driver->connection().bytes_out() - bytes_out_at_start};
  driver->link().close(loop.now(), link::CloseReason::normal, "round done");
  driver->flush();
  return result;
}

}  // namespace zmesh::bench
