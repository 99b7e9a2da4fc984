// `zmesh node --log-file PATH`: log lines appended to a file, each with a UTC timestamp, instead
// of stderr; reopen() (on SIGHUP, as daemons do) closes it and opens PATH again, so logrotate can
// move the file away and signal the node. Created owner-only (0600): logs name peers' addresses.
// Lines are written whole under a mutex (io's resolver threads may log too).
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "util/log.hpp"
#include "util/result.hpp"

namespace zmesh::app {

class LogFile {
 public:
  static Result<std::unique_ptr<LogFile>> open(std::string path);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // "2026-12-07T05:10:00.123Z warn  node: message\n", flushed.
  void write(log::Level level, std::string_view component, std::string_view message);
  // Opens PATH again (a new file if it was moved away); on failure keeps writing to the old one.
  Status reopen();
  const std::string& path() const { return path_; }

  // Makes the process's log sink this file until the returned object is destroyed (then stderr
  // again); `file` must outlive it.
  [[nodiscard]] std::shared_ptr<void> install();

 private:
  explicit LogFile(std::string path) : path_(std::move(path)) {}
  static Result<std::FILE*> open_file(const std::string& path);

  std::string path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace zmesh::app
