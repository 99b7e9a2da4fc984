#include "app/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace zmesh::app {

Result<std::FILE*> LogFile::open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::io_error, "cannot open log file " + path + ": " + std::strerror(errno));
  std::FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) {
    ::close(fd);
    return make_error(Errc::io_error, "cannot open log file " + path + ": " + std::strerror(errno));
  }
  return file;
}

Result<std::unique_ptr<LogFile>> LogFile::open(std::string path) {
  std::unique_ptr<LogFile> log(new LogFile(std::move(path)));
  ZM_TRY(log->file_, open_file(log->path_));
  return log;
}

LogFile::~LogFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void LogFile::write(log::Level level, std::string_view component, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard<std::mutex> lock(mutex_);
  std::fprintf(file_, "%s.%03dZ %-5s %.*s: %.*s\n", stamp, static_cast<int>(millis), log::level_name(level),
               static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()), message.data());
  std::fflush(file_);
}

Status LogFile::reopen() {
  ZM_TRY(std::FILE* fresh, open_file(path_));
  std::lock_guard<std::mutex> lock(mutex_);
  std::fclose(file_);
  file_ = fresh;
  return {};
}

std::shared_ptr<void> LogFile::install() {
  log::set_sink([this](log::Level level, std::string_view component, std::string_view message) {
    write(level, component, message);
  });
  return std::shared_ptr<void>(nullptr, [](void*) { log::set_sink(nullptr); });
}

}  // namespace zmesh::app
