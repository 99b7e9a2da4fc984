#include "app/ping_jobs.hpp"

namespace zmesh::app {
namespace {

// An unsigned integer field in [min, max], or `fallback` when absent.
Result<std::uint64_t> field(const nlohmann::json& body, const char* key, std::uint64_t fallback, std::uint64_t min,
                            std::uint64_t max) {
  if (!body.contains(key)) return fallback;
  const auto& value = body.at(key);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() < min || value.get<std::uint64_t>() > max) {
    return make_error(Errc::invalid_argument, std::string(key) + " must be an integer in [" + std::to_string(min) + ", " +
                                                  std::to_string(max) + "]");
  }
  return value.get<std::uint64_t>();
}

}  // namespace

void PingJobs::start(Now now, const nlohmann::json& request, Respond respond) {
  if (!request.is_object() || !request.contains("node_id") || !request.at("node_id").is_string()) {
    respond(400, {{"error", "body must be a JSON object with node_id (hex)"}});
    return;
  }
  auto peer = NodeId::from_hex(request.at("node_id").get<std::string>());
  if (!peer.ok()) {
    respond(400, {{"error", "node_id: " + peer.error().message}});
    return;
  }
  auto count = field(request, "count", 4, 1, 1'000'000);
  auto size = field(request, "size", 64, 0, node::kMaxPingPayloadBytes);
  auto window = field(request, "window", 8, 1, 256);
  for (const auto* bad : {&count, &size, &window}) {
    if (!bad->ok()) {
      respond(400, {{"error", bad->error().message}});
      return;
    }
  }
  if (!host_.is_up(peer.value())) {
    respond(409, {{"error", "not connected to " + peer.value().hex()}});
    return;
  }
  if (jobs_.size() >= max_jobs_) {
    respond(429, {{"error", "too many ping jobs running"}});
    return;
  }
  Job job;
  job.peer = peer.value();
  job.count = count.value();
  job.size = size.value();
  job.window = window.value();
  job.started = now.mono;
  job.respond = std::move(respond);
  jobs_.emplace(next_job_++, std::move(job));
}

bool PingJobs::feed(Now now, std::uint64_t job_id, Job& job) {
  bool sent = false;
  while (job.sent < job.count && job.in_flight < job.window) {
    Bytes payload(job.size);
    random_.fill(payload);
    auto id = ping_.ping(now, job.peer, payload);
    if (!id.ok()) {
      if (id.error().code == Errc::limit_exceeded) break;  // queue full: more room after the next results
      job.error = id.error().message;                       // the peer is gone: the rest are lost
      job.lost += job.count - job.sent;
      job.sent = job.count;
      break;
    }
    owner_[id.value()] = job_id;
    ++job.sent;
    ++job.in_flight;
    sent = true;
  }
  return sent;
}

void PingJobs::record(Job& job, const node::PingResult& result) {
  --job.in_flight;
  switch (result.status) {
    case node::PingStatus::ok:
      job.rtt_min = job.received == 0 ? result.rtt : std::min(job.rtt_min, result.rtt);
      job.rtt_max = std::max(job.rtt_max, result.rtt);
      job.rtt_sum += result.rtt;
      ++job.received;
      break;
    case node::PingStatus::corrupted: ++job.corrupted; break;
    case node::PingStatus::timeout:
    case node::PingStatus::peer_down: ++job.lost; break;
  }
}

nlohmann::json PingJobs::report(Now now, const Job& job) const {
  const double ms = 1.0 / kMillisecond;
  nlohmann::json body = {
      {"node_id", job.peer.hex()},
      {"count", job.count},
      {"size", job.size},
      {"sent", job.sent},
      {"received", job.received},
      {"lost", job.lost},
      {"corrupted", job.corrupted},
      {"rtt_ms",
       {{"min", job.rtt_min * ms},
        {"avg", job.received ? static_cast<double>(job.rtt_sum) / static_cast<double>(job.received) * ms : 0.0},
        {"max", job.rtt_max * ms}}},
      {"elapsed_ms", static_cast<double>(now.mono - job.started) * ms},
  };
  if (!job.error.empty()) body["error"] = job.error;
  return body;
}

bool PingJobs::poll(Now now) {
  while (auto result = ping_.poll_result()) {
    auto owner = owner_.find(result->id);
    if (owner == owner_.end()) continue;
    auto job = jobs_.find(owner->second);
    owner_.erase(owner);
    if (job != jobs_.end()) record(job->second, *result);
  }
  bool sent = false;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    sent |= feed(now, it->first, it->second);
    if (it->second.sent == it->second.count && it->second.in_flight == 0) {
      Respond respond = std::move(it->second.respond);
      const nlohmann::json body = report(now, it->second);
      it = jobs_.erase(it);
      respond(200, body);
    } else {
      ++it;
    }
  }
  return sent;
}

}  // namespace zmesh::app
