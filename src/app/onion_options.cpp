#include "app/onion_options.hpp"

#include "io/socket.hpp"

namespace zmesh::app {

std::vector<FlagSpec> onion_flag_specs() { return {{"socks"}, {"exit-policy", true, true}, {"hops"}}; }

std::string onion_flags_help() {
  return "  --socks HOST:PORT         serve SOCKS5 there (loopback IP): each CONNECT becomes a stream\n"
         "                            through a 2-3 hop onion circuit (curl --socks5-hostname)\n"
         "  --exit-policy RULES       be an exit: open TCP connections that RULES accept (repeatable,\n"
         "                            comma-separated, first match wins, default reject all), e.g.\n"
         "                            \"accept 127.0.0.0/8:*, reject *:*\"; advertises the exit capability\n"
         "  --hops N                  relays in our circuits: 2 or 3 (default 3)\n";
}

Status apply_onion_flags(OnionOptions& options, const Flags& flags) {
  if (flags.has("socks")) {
    options.socks = flags.string("socks");
    const std::size_t colon = options.socks.rfind(':');
    auto port = colon == std::string::npos ? Result<std::int64_t>(make_error(Errc::invalid_argument, "expected HOST:PORT"))
                                           : parse_integer(std::string_view(options.socks).substr(colon + 1), 0, 65535);
    if (!port.ok()) return make_error(Errc::invalid_argument, "zmesh node: --socks " + options.socks + ": " + port.error().message);
    std::string host = options.socks.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto address = io::SocketAddress::from_ip(host, static_cast<std::uint16_t>(*port));
    if (!address.ok()) return make_error(Errc::invalid_argument, "zmesh node: --socks " + options.socks + ": HOST must be an IP address");
    if (!address->is_loopback())
      return make_error(Errc::invalid_argument, "zmesh node: --socks " + options.socks + ": only loopback addresses (no authentication)");
  }
  for (const std::string& rules : flags.values("exit-policy")) options.exit_policy.push_back(rules);
  ZM_TRY(const std::int64_t hops, flags.integer("hops", static_cast<std::int64_t>(options.hops), 2, 3));
  options.hops = static_cast<std::size_t>(hops);
  auto policy = onion_exit_policy(options);
  if (!policy.ok()) return make_error(Errc::invalid_argument, "zmesh node: --exit-policy: " + policy.error().message);
  return {};
}

Result<onion::ExitPolicy> onion_exit_policy(const OnionOptions& options) {
  std::string text;
  for (const std::string& rules : options.exit_policy) text += (text.empty() ? "" : ",") + rules;
  return onion::ExitPolicy::parse(text);
}

}  // namespace zmesh::app
