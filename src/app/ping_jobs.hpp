// `POST /v1/ping` jobs of the control API: COUNT pings of SIZE random bytes to one peer with
// at most WINDOW in flight, each reply checked byte for byte by the ping service; the HTTP
// answer goes out once every ping ended (ok, corrupted, or lost: timeout / peer down).
// Request and response bodies: docs/protocol/control.md.
#pragma once

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "node/ping_service.hpp"
#include "runtime/random.hpp"

namespace zmesh::app {

class PingJobs {
 public:
  using Respond = std::function<void(int status, const nlohmann::json& body)>;

  PingJobs(node::PingService& ping, node::ServiceHost& host, RandomSource& random, std::size_t max_jobs = 16)
      : ping_(ping), host_(host), random_(random), max_jobs_(max_jobs) {}

  // Starts a job from a request body, or answers an error at once (400, 409, 429).
  void start(Now now, const nlohmann::json& request, Respond respond);
  // Collects ping results, keeps the windows full and answers finished jobs. Returns true when
  // it sent pings (the driver then has actions to execute).
  bool poll(Now now);
  std::size_t active() const { return jobs_.size(); }

 private:
  struct Job {
    NodeId peer;
    std::uint64_t count = 0;
    std::size_t size = 0;
    std::size_t window = 0;
    std::uint64_t sent = 0, in_flight = 0, received = 0, corrupted = 0, lost = 0;
    DurationUs rtt_min = 0, rtt_max = 0, rtt_sum = 0;
    TimeUs started = 0;
    std::string error;  // why pings stopped early (peer gone)
    Respond respond;
  };
  bool feed(Now now, std::uint64_t job_id, Job& job);
  void record(Job& job, const node::PingResult& result);
  nlohmann::json report(Now now, const Job& job) const;

  node::PingService& ping_;
  node::ServiceHost& host_;
  RandomSource& random_;
  std::size_t max_jobs_;
  std::map<std::uint64_t, Job> jobs_;
  std::map<std::uint64_t, std::uint64_t> owner_;  // ping id → job id
  std::uint64_t next_job_ = 1;
};

}  // namespace zmesh::app
