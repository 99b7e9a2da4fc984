// Interop: Node's built-in WebSocket client (undici; node 20 needs --experimental-websocket)
// against our WebSocket server. Skipped when node or its WebSocket is unavailable.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "io/transport.hpp"
#include "io_test_util.hpp"

extern char** environ;

namespace zmesh::io {
namespace {

// Runs argv to completion while the loop keeps serving; returns the exit status or -1.
int run_process(EventLoop& loop, std::vector<std::string> args, DurationUs timeout) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  bool exited = loop.run_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WebSocketInterop, NodeClientEchoesThroughOurServer) {
  auto loop = test::make_loop();
  if (run_process(*loop, {"node", "--experimental-websocket", "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 3)"},
                  test::kGenerous) != 0) {
    GTEST_SKIP() << "node with a built-in WebSocket client is not available";
  }
  auto listener = listen(*loop, "ws://127.0.0.1:0/zmesh");
  ASSERT_TRUE(listener.ok()) << listener.error().describe();
  test::EchoServer echo(*listener.value());
  std::string script = std::string(ZMESH_IO_TEST_DIR) + "/ws_node_client.mjs";
  int rc = run_process(*loop, {"node", "--experimental-websocket", "--no-warnings", script, listener.value()->local_url()},
                       test::kGenerous);
  EXPECT_EQ(rc, 0);
  ASSERT_TRUE(loop->run_until([&] { return !echo.close_reasons.empty(); }, test::kGenerous));
  EXPECT_EQ(echo.close_reasons[0].kind, CloseKind::peer_closed) << echo.close_reasons[0].describe();
  EXPECT_EQ(echo.close_reasons[0].ws_status, 1000);
  EXPECT_EQ(echo.close_reasons[0].detail, "interop done");
}

}  // namespace
}  // namespace zmesh::io
