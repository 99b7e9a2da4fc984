#include "io/webrtc/usrsctp_runtime.hpp"

#include <usrsctp.h>

#include "io/webrtc/sctp_transport.hpp"

namespace zmesh::io::webrtc {
namespace {

std::weak_ptr<UsrsctpRuntime>& current() {
  static std::weak_ptr<UsrsctpRuntime> runtime;
  return runtime;
}
UsrsctpRuntime* g_runtime = nullptr;  // valid while current() is alive; read by the C callbacks

// usrsctp's AF_CONN output: `address` is the SctpTransport registered with usrsctp_register_address.
int conn_output(void* address, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  auto* transport = static_cast<SctpTransport*>(address);
  if (g_runtime == nullptr || !g_runtime->alive(transport)) return -1;
  transport->output(ByteView(static_cast<const std::uint8_t*>(buffer), length));
  return 0;
}

void init_once() {
  static bool done = false;
  if (done) return;
  done = true;
  usrsctp_init_nothreads(0, &conn_output, nullptr);
  // RFC 8831 §6.2 needs PR-SCTP (RFC 3758) and stream reconfiguration (RFC 6525); WebRTC peers
  // use neither ECN, ASCONF nor AUTH.
  usrsctp_sysctl_set_sctp_pr_enable(1);
  usrsctp_sysctl_set_sctp_reconfig_enable(1);
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  // Faster recovery than the RFC 4960 defaults (3 s initial, 1 s min), as browsers do; INIT
  // retransmissions capped at 10 s.
  usrsctp_sysctl_set_sctp_rto_initial_default(1000);
  usrsctp_sysctl_set_sctp_rto_min_default(200);
  usrsctp_sysctl_set_sctp_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
  usrsctp_sysctl_set_sctp_heartbeat_interval_default(10000);
  usrsctp_sysctl_set_sctp_default_cc_module(SCTP_CC_HTCP);
  usrsctp_sysctl_set_sctp_initial_cwnd(10);
  usrsctp_sysctl_set_sctp_max_chunks_on_queue(10 * 1024);
  usrsctp_sysctl_set_sctp_sendspace(1 << 20);
  usrsctp_sysctl_set_sctp_recvspace(1 << 20);
}

}  // namespace

Result<std::shared_ptr<UsrsctpRuntime>> UsrsctpRuntime::acquire(EventLoop& loop) {
  if (auto existing = current().lock()) {
    if (&existing->loop_ != &loop) {
      return make_error(Errc::invalid_argument, "usrsctp is already driven by another event loop in this process");
    }
    return existing;
  }
  init_once();
  std::shared_ptr<UsrsctpRuntime> runtime(new UsrsctpRuntime(loop));
  current() = runtime;
  g_runtime = runtime.get();
  return runtime;
}

UsrsctpRuntime::UsrsctpRuntime(EventLoop& loop) : loop_(loop), last_tick_(loop.now()) {
  timer_ = loop_.run_after(kTick, [this] { tick(); });
}

UsrsctpRuntime::~UsrsctpRuntime() {
  loop_.cancel(timer_);
  if (g_runtime == this) g_runtime = nullptr;
}

void UsrsctpRuntime::add(SctpTransport* transport) { transports_.insert(transport); }
void UsrsctpRuntime::remove(SctpTransport* transport) { transports_.erase(transport); }

void UsrsctpRuntime::tick() {
  TimeUs now = loop_.now();
  auto elapsed_ms = static_cast<std::uint32_t>((now - last_tick_) / kMillisecond);
  last_tick_ += static_cast<TimeUs>(elapsed_ms) * kMillisecond;  // keep the sub-ms remainder
  timer_ = loop_.run_after(kTick, [this] { tick(); });
  if (elapsed_ms > 0) usrsctp_handle_timers(elapsed_ms);
}

}  // namespace zmesh::io::webrtc
