// The exit-policy parser (src/onion/exit_policy.hpp) on arbitrary text: it never crashes, and
// a policy that parses prints to a canonical text that parses back to the same policy (and
// prints the same again). Matching is checked against might_accept_port: whenever some
// address is allowed on a port, might_accept_port(port) must say so.
// Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes a few typical policies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "onion/exit_policy.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::onion;

void write_policy_seeds(const char* dir) {
  const char* policies[][2] = {
      {"loopback", "accept 127.0.0.0/8:*"},
      {"web", "accept *:80, accept *:443\nreject *:*"},
      {"mixed", "reject 127.0.0.1:22 # ssh\naccept [2001:db8::]/32:1000-2000, accept *6:8080, reject *4:*"},
  };
  for (const auto& [name, text] : policies) fuzz::write_seed(dir, name, as_bytes(text));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_policy_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = ExitPolicy::parse(text);
  if (!policy.ok()) {
    FUZZ_CHECK(!policy.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(policy->rules().size() <= kMaxExitPolicyRules);
  const std::string canonical = policy->to_string();
  auto again = ExitPolicy::parse(canonical);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *policy);
  FUZZ_CHECK(again->to_string() == canonical);
  for (const auto& rule : policy->rules()) {
    for (std::uint16_t port : {rule.port_low, rule.port_high}) {
      FUZZ_CHECK(!policy->allows(rule.address, port) || policy->might_accept_port(port));
    }
  }
  return 0;
}
