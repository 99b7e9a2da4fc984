// `zmesh node`'s onion settings in the config file and on the command line
// (app/node_options.*, app/onion_options.*): the keys parse, bad values are refused with the
// file and key named and change nothing, flags replace file values, and the advertised
// bandwidth reaches the DHT service's descriptor config.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "app/node_options.hpp"
#include "node/path_selection.hpp"

namespace zmesh::app {
namespace {

// A config file in the temp directory, removed again at the end of the test.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& json) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("zmesh_node_options_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".json"))
                .string();
    std::ofstream(path_) << json;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<Flags> node_flags(const std::vector<std::string>& args) { return Flags::parse("zmesh node", args, node_flag_specs()); }

TEST(NodeOptions, OnionKeysParseFromTheConfigFile) {
  ConfigFile file(R"({"data_dir": "/tmp/x", "socks": "127.0.0.1:1080", "exit_policy": ["accept 127.0.0.0/8:*", "reject *:*"],
                      "hops": 2, "bandwidth_kib_per_s": 5000})");
  NodeOptions options;
  ASSERT_TRUE(apply_node_config_file(options, file.path()).ok());
  EXPECT_EQ(options.onion.socks, "127.0.0.1:1080");
  EXPECT_EQ(options.onion.exit_policy, (std::vector<std::string>{"accept 127.0.0.0/8:*", "reject *:*"}));
  EXPECT_TRUE(options.onion.is_exit());
  EXPECT_EQ(options.onion.hops, 2u);
  EXPECT_EQ(options.onion.bandwidth_kib_per_s, 5000u);
  // The whole result still validates with no flags on top.
  auto flags = node_flags({});
  ASSERT_TRUE(flags.ok());
  auto applied = apply_node_flags(options, *flags);
  EXPECT_TRUE(applied.ok()) << applied.error().describe();
  EXPECT_EQ(options.onion.hops, 2u);
  EXPECT_EQ(options.onion.bandwidth_kib_per_s, 5000u);
}

TEST(NodeOptions, DefaultBandwidthIsNonzeroAndBounded) {
  NodeOptions options;
  EXPECT_EQ(options.onion.bandwidth_kib_per_s, node::kDefaultBandwidthKibPerS);
  EXPECT_GE(options.onion.bandwidth_kib_per_s, static_cast<std::uint32_t>(kMinBandwidthKibPerS));
  EXPECT_LE(options.onion.bandwidth_kib_per_s, static_cast<std::uint32_t>(kMaxBandwidthKibPerS));
}

TEST(NodeOptions, BadOnionValuesAreRefusedAndChangeNothing) {
  struct Case {
    const char* json;
    const char* message;  // part of the error
  };
  const Case cases[] = {
      {R"({"socks": 1080})", "socks must be a string"},
      {R"({"socks": "192.0.2.1:1080"})", "only loopback"},
      {R"({"socks": "localhost:1080"})", "HOST must be an IP address"},
      {R"({"socks": "127.0.0.1"})", "socks 127.0.0.1"},
      {R"({"exit_policy": "accept *:*"})", "exit_policy must be a list of strings"},
      {R"({"exit_policy": ["accept *:*", 7]})", "exit_policy must be a list of strings"},
      {R"({"exit_policy": ["allow everything"]})", "exit_policy: "},
      {R"({"hops": 4})", "hops must be an integer in [2, 3]"},
      {R"({"hops": 2.5})", "hops must be an integer in [2, 3]"},
      {R"({"hops": "3"})", "hops must be an integer in [2, 3]"},
      {R"({"bandwidth_kib_per_s": 0})", "bandwidth_kib_per_s must be an integer in [1, 10000000]"},
      {R"({"bandwidth_kib_per_s": 10000001})", "bandwidth_kib_per_s must be an integer in [1, 10000000]"},
      {R"({"bandwidth_kib_per_s": -5})", "bandwidth_kib_per_s must be an integer in [1, 10000000]"},
      {R"({"bandwidth_kib_per_s": 1e30})", "bandwidth_kib_per_s must be an integer in [1, 10000000]"},
      {R"({"bandwidth_kib_per_s": "fast"})", "bandwidth_kib_per_s must be an integer"},
      {R"({"bandwidth": 100})", "unknown key \"bandwidth\""},
  };
  for (const Case& c : cases) {
    ConfigFile file(c.json);
    NodeOptions options;
    auto status = apply_node_config_file(options, file.path());
    ASSERT_FALSE(status.ok()) << c.json;
    EXPECT_EQ(status.error().code, Errc::invalid_argument) << c.json;
    EXPECT_NE(status.error().message.find(file.path()), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find(c.message), std::string::npos) << c.json << ": " << status.error().message;
    EXPECT_TRUE(options.onion.socks.empty()) << c.json;
    EXPECT_TRUE(options.onion.exit_policy.empty()) << c.json;
    EXPECT_EQ(options.onion.hops, 3u) << c.json;
    EXPECT_EQ(options.onion.bandwidth_kib_per_s, node::kDefaultBandwidthKibPerS) << c.json;
  }
}

TEST(NodeOptions, BadOnionFlagsNameTheFlag) {
  const std::vector<std::vector<std::string>> bad = {
      {"--bandwidth", "0"}, {"--bandwidth", "10000001"}, {"--bandwidth", "1.5"}, {"--hops", "1"},
      {"--socks", "192.0.2.1:1080"}, {"--exit-policy", "allow everything"}};
  for (const auto& args : bad) {
    auto flags = node_flags(args);
    ASSERT_TRUE(flags.ok()) << args[0];
    NodeOptions options;
    options.data_dir = "/tmp/x";
    auto status = apply_node_flags(options, *flags);
    ASSERT_FALSE(status.ok()) << args[0] << " " << args[1];
    EXPECT_NE(status.error().message.find(args[0]), std::string::npos) << status.error().message;
    EXPECT_EQ(options.onion.bandwidth_kib_per_s, node::kDefaultBandwidthKibPerS);
  }
}

TEST(NodeOptions, OnionFlagsOverrideTheConfigFile) {
  ConfigFile file(R"({"data_dir": "/tmp/x", "socks": "127.0.0.1:1080", "exit_policy": ["accept 127.0.0.0/8:80"],
                      "hops": 2, "bandwidth_kib_per_s": 50})");
  NodeOptions options;
  ASSERT_TRUE(apply_node_config_file(options, file.path()).ok());
  auto flags = node_flags({"--socks", "[::1]:9050", "--exit-policy", "accept 127.0.0.1:443", "--exit-policy",
                           "reject *:*", "--hops", "3", "--bandwidth", "77"});
  ASSERT_TRUE(flags.ok()) << flags.error().describe();
  auto applied = apply_node_flags(options, *flags);
  ASSERT_TRUE(applied.ok()) << applied.error().describe();
  EXPECT_EQ(options.onion.socks, "[::1]:9050");
  // --exit-policy given at all replaces the file's list, it does not add to it.
  EXPECT_EQ(options.onion.exit_policy, (std::vector<std::string>{"accept 127.0.0.1:443", "reject *:*"}));
  EXPECT_EQ(options.onion.hops, 3u);
  EXPECT_EQ(options.onion.bandwidth_kib_per_s, 77u);

  // Flags not given leave the file's values alone.
  NodeOptions kept;
  ASSERT_TRUE(apply_node_config_file(kept, file.path()).ok());
  auto none = node_flags({"--log-level", "warn"});
  ASSERT_TRUE(none.ok());
  ASSERT_TRUE(apply_node_flags(kept, *none).ok());
  EXPECT_EQ(kept.onion.socks, "127.0.0.1:1080");
  EXPECT_EQ(kept.onion.exit_policy, std::vector<std::string>{"accept 127.0.0.0/8:80"});
  EXPECT_EQ(kept.onion.hops, 2u);
  EXPECT_EQ(kept.onion.bandwidth_kib_per_s, 50u);
}

TEST(NodeOptions, BandwidthAndExitReachTheDescriptorConfig) {
  OnionOptions onion;
  onion.bandwidth_kib_per_s = 4321;
  node::DhtServiceConfig config;
  apply_onion_descriptor_settings(onion, config);
  EXPECT_EQ(config.bandwidth_kib_per_s, 4321u);
  EXPECT_FALSE(config.capabilities & capability::exit);
  EXPECT_TRUE(config.capabilities & capability::relay);

  onion.exit_policy = {"accept 127.0.0.0/8:*"};
  apply_onion_descriptor_settings(onion, config);
  EXPECT_TRUE(config.capabilities & capability::exit);

  // Untouched options still advertise a nonzero figure.
  node::DhtServiceConfig defaults;
  apply_onion_descriptor_settings(OnionOptions{}, defaults);
  EXPECT_EQ(defaults.bandwidth_kib_per_s, node::kDefaultBandwidthKibPerS);
}

TEST(NodeOptions, HelpListsTheOnionKeysAndFlag) {
  const std::string keys = node_config_keys_help();
  for (const char* key : {"socks ", "exit_policy ", "hops ", "bandwidth_kib_per_s "})
    EXPECT_NE(keys.find(key), std::string::npos) << key;
  EXPECT_NE(keys.find("as --bandwidth"), std::string::npos);
  EXPECT_NE(onion_flags_help().find("--bandwidth KIB_PER_S"), std::string::npos);
}

}  // namespace
}  // namespace zmesh::app
