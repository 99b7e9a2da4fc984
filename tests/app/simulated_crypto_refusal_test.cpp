// A real node never runs on the simulator's insecure crypto stand-ins.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/node_runtime.hpp"
#include "io/event_loop.hpp"
#include "sim/simulated_crypto.hpp"

namespace zmesh::app {
namespace {

TEST(SimulatedCryptoRefusal, NodeRuntimeRefusesToStartWhileTheStandInsAreActive) {
  auto loop = io::EventLoop::create();
  ASSERT_TRUE(loop.ok());
  NodeOptions options;
  options.data_dir = (std::filesystem::temp_directory_path() / "zmesh-simulated-crypto-refusal").string();
  sim::SimulatedCrypto scope;
  auto runtime = NodeRuntime::create(**loop, options);
  ASSERT_FALSE(runtime.ok());
  EXPECT_NE(runtime.error().message.find("simulator-only"), std::string::npos);
}

}  // namespace
}  // namespace zmesh::app
