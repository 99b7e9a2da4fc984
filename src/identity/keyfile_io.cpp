// keyfile::save / create / load / load_or_create: the POSIX file handling around the codec.
// Writes go to a fresh 0600 temporary file in the same directory, are fsync'ed, and only then
// take the final name, so a crash leaves either the old file or the new one, never half of one.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "identity/keyfile.hpp"

namespace zmesh::keyfile {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return make_error(Errc::io_error, what + " " + path + ": " + std::strerror(errno));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() { close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int close() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status write_all(int fd, ByteView data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// So that the rename/link itself survives a crash (the directory entry is data too).
Status fsync_directory(const std::string& path) {
  const std::string dir = directory_of(path);
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open directory", dir);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) return os_error("cannot fsync directory", dir);
  return {};
}

// Creates a new 0600 file next to `path` holding `contents`, fsync'ed. Returns its name.
Result<std::string> write_temporary(const std::string& path, ByteView contents) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0 && errno == EEXIST) continue;
    if (fd.get() < 0) return os_error("cannot create", temp);
    // The umask can only remove bits, but be explicit: owner read/write, nothing else.
    Status written = ::fchmod(fd.get(), 0600) == 0 ? write_all(fd.get(), contents, temp) : os_error("cannot chmod", temp);
    if (written.ok() && ::fsync(fd.get()) != 0) written = os_error("cannot fsync", temp);
    if (written.ok() && fd.close() != 0) written = os_error("cannot close", temp);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written.error();
    }
    return temp;
  }
  return make_error(Errc::io_error, "cannot find a free temporary name next to " + path);
}

enum class Replace { allowed, refused };

// For file systems without hard links (emscripten's NODERAWFS, some FUSE and FAT mounts):
// create `path` itself with O_EXCL. Still never replaces a file, but a crash mid-write can
// leave a short file, which load() then reports as damaged.
Status create_exclusive(const std::string& path, ByteView contents) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0 && errno == EEXIST) return make_error(Errc::io_error, "refusing to overwrite existing key file " + path);
  if (fd.get() < 0) return os_error("cannot create key file", path);
  Status written = ::fchmod(fd.get(), 0600) == 0 ? write_all(fd.get(), contents, path) : os_error("cannot chmod", path);
  if (written.ok() && ::fsync(fd.get()) != 0) written = os_error("cannot fsync", path);
  if (written.ok() && fd.close() != 0) written = os_error("cannot close", path);
  if (!written.ok()) ::unlink(path.c_str());
  return written;
}

bool hard_links_unsupported(int error) {
  return error == EMLINK || error == EPERM || error == ENOSYS || error == EOPNOTSUPP;
}

Status store(const std::string& path, const NodeKeys& keys, Replace replace) {
  const crypto::SecretBytes contents = encode(keys);
  ZM_TRY(std::string temp, write_temporary(path, contents.view()));
  if (replace == Replace::allowed) {
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      Error error = os_error("cannot rename key file to", path);
      ::unlink(temp.c_str());
      return error;
    }
  } else {
    // link(2) fails with EEXIST instead of replacing: an existing key file is never clobbered,
    // even if another process creates one between our check and this call.
    if (::link(temp.c_str(), path.c_str()) == 0) {
      ::unlink(temp.c_str());
    } else {
      const int link_error = errno;
      ::unlink(temp.c_str());
      if (link_error == EEXIST) return make_error(Errc::io_error, "refusing to overwrite existing key file " + path);
      if (!hard_links_unsupported(link_error)) {
        errno = link_error;
        return os_error("cannot create key file", path);
      }
      ZM_CHECK(create_exclusive(path, contents.view()));
    }
  }
  return fsync_directory(path);
}

Error with_path(const std::string& path, const Error& error) { return make_error(error.code, path + ": " + error.message); }

}  // namespace

Status save(const std::string& path, const NodeKeys& keys) { return store(path, keys, Replace::allowed); }

Status create(const std::string& path, const NodeKeys& keys) { return store(path, keys, Replace::refused); }

Result<NodeKeys> load(const std::string& path, RandomSource& random) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) return make_error(Errc::not_found, "no key file at " + path);
  if (fd.get() < 0) return os_error("cannot open key file", path);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return os_error("cannot stat key file", path);
  if (!S_ISREG(info.st_mode)) return make_error(Errc::io_error, "key file " + path + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return make_error(Errc::io_error, "key file " + path + " has mode " + mode +
                                          ": it must not be readable or writable by group or others (chmod 600 " +
                                          path + ")");
  }
  // One byte more than the limit, so that an oversized file is seen as such.
  crypto::SecretBytes buffer(kMaxBytes + 1);
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot read key file", path);
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  auto keys = decode(buffer.view().first(size), random);
  if (!keys.ok()) return with_path(path, keys.error());
  return keys;
}

Result<NodeKeys> load_or_create(const std::string& path, RandomSource& random, UnixSeconds now) {
  auto loaded = load(path, random);
  if (loaded.ok() || loaded.error().code != Errc::not_found) return loaded;
  NodeKeys keys = NodeKeys::generate(random, now);
  ZM_CHECK(create(path, keys));
  return keys;
}

}  // namespace zmesh::keyfile
