// Thin POSIX socket helpers: an owning fd, an IPv4/IPv6 socket address, listening sockets and
// a host resolver that never blocks the event loop (IP literals resolve at once; names go to a
// short-lived thread running getaddrinfo(3), bounded in number).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/net_address.hpp"
#include "util/result.hpp"

namespace zmesh::io {

class EventLoop;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

class SocketAddress {
 public:
  SocketAddress() = default;
  // An IPv4 or IPv6 literal without brackets ("127.0.0.1", "::1").
  // Errc::invalid_argument for anything else (util/net_address.hpp parse_ip_address).
  static Result<SocketAddress> from_ip(std::string_view ip, std::uint16_t port);
  static SocketAddress from_ip(const IpAddress& ip, std::uint16_t port);
  static SocketAddress from_sockaddr(const sockaddr* addr, socklen_t length);

  int family() const { return storage_.ss_family; }
  std::uint16_t port() const;
  // The address without port; 0.0.0.0 for a socket address of another family.
  IpAddress ip_address() const;
  std::string ip() const;  // ip_address().to_string(), "?" for another family
  // "127.0.0.1:4433" or "[::1]:4433".
  std::string to_string() const;
  // 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
  bool is_loopback() const;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

Error socket_error(const char* what, int err);

Result<SocketAddress> local_address(int fd);
Result<SocketAddress> peer_address(int fd);

// A nonblocking, close-on-exec, SO_REUSEADDR listening socket (IPv6 sockets are v6-only).
Result<UniqueFd> open_listening_socket(const SocketAddress& address, int backlog = 512);
// Starts a nonblocking connect; the caller waits for writability and then reads SO_ERROR.
Result<UniqueFd> start_connect(const SocketAddress& address);
// Applies TCP_NODELAY (cells are small and latency matters more than packet count).
void set_tcp_nodelay(int fd);

// Resolves host (a name, an IPv4 literal or an IPv6 literal without brackets) to addresses,
// literals first-class. The callback always runs later on the loop thread, never inside this
// call. At most kMaxResolverThreads lookups run at once; more fail with limit_exceeded.
inline constexpr int kMaxResolverThreads = 8;
using ResolveCallback = std::function<void(Result<std::vector<SocketAddress>>)>;
void resolve_host(EventLoop& loop, const std::string& host, std::uint16_t port, ResolveCallback callback);

}  // namespace zmesh::io
