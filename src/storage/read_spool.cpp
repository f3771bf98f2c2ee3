#include "storage/read_spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace emkhana::storage {
namespace {

constexpr int kSlots = 64;

Error SysError(const std::string& what, const std::string& path) {
  return Error::Unavailable(fmt::format("read spool {}: {}: {}", path, what, std::strerror(errno)));
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t GetLe(std::string_view s, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v |= std::uint64_t(static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)])) << (8 * i);
  }
  return v;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string out;
  char buf[1 << 16];
  off_t at = 0;
  for (;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("read", path);
    }
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
}

Result<void> WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

void ReadSpool::Encode(const AuditEntry& e, std::string& out) {
  const std::size_t start = out.size();
  out.push_back('R');
  PutU32(out, 0);  // the length, set below
  PutU64(out, static_cast<std::uint64_t>(e.at));
  for (const std::string* f : {&e.actor, &e.channel, &e.action, &e.subject, &e.detail}) {
    PutU32(out, static_cast<std::uint32_t>(f->size()));
    out += *f;
  }
  const auto length = static_cast<std::uint32_t>(out.size() - start - 5);
  for (int i = 0; i < 4; ++i)
    out[start + 1 + static_cast<std::size_t>(i)] = static_cast<char>((length >> (8 * i)) & 0xff);
}

std::vector<AuditEntry> ReadSpool::Decode(std::string_view bytes) {
  std::vector<AuditEntry> out;
  std::size_t at = 0;
  while (bytes.size() - at >= 5 && bytes[at] == 'R') {
    const std::size_t length = GetLe(bytes, at + 1, 4);
    if (length > bytes.size() - at - 5) break;  // cut short
    std::string_view body = bytes.substr(at + 5, length);
    at += 5 + length;
    if (body.size() < 8) break;
    AuditEntry e;
    e.at = static_cast<std::int64_t>(GetLe(body, 0, 8));
    std::size_t p = 8;
    bool whole = true;
    for (std::string* f : {&e.actor, &e.channel, &e.action, &e.subject, &e.detail}) {
      if (body.size() - p < 4) {
        whole = false;
        break;
      }
      const std::size_t n = GetLe(body, p, 4);
      p += 4;
      if (n > body.size() - p) {
        whole = false;
        break;
      }
      f->assign(body.substr(p, n));
      p += n;
    }
    if (!whole || p != body.size()) break;  // not a record this code wrote
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::unique_ptr<ReadSpool>> ReadSpool::Open(const std::string& base) {
  std::unique_ptr<ReadSpool> spool(new ReadSpool());
  int lock_fd = -1;
  std::string slot;
  for (int n = 0; n < kSlots; ++n) {
    slot = fmt::format("{}.reads-{}", base, n);
    const std::string lock_path = slot + ".lock";
    lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) return SysError("open", lock_path);
    if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0) break;
    const int err = errno;
    close(lock_fd);
    lock_fd = -1;
    if (err != EWOULDBLOCK) {
      errno = err;
      return SysError("lock", lock_path);
    }
  }
  if (lock_fd < 0) {
    return Error::Unavailable(fmt::format("read spool {}: all {} slots are taken", base, kSlots));
  }
  spool->lock_fd_ = lock_fd;
  spool->path_ = slot + ".0";
  // What a process that is gone left, from all three files.
  std::vector<AuditEntry> left;
  for (int i = 0; i < 3; ++i) {
    const std::string path = fmt::format("{}.{}", slot, i);
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return SysError("open", path);
    spool->fds_[i] = fd;
    auto bytes = ReadAll(fd, path);
    if (!bytes) return bytes.error();
    for (auto& e : Decode(*bytes)) left.push_back(std::move(e));
  }
  if (left.empty()) {
    for (int i = 0; i < 3; ++i) {
      if (ftruncate(spool->fds_[i], 0) != 0) return SysError("truncate", slot);
    }
    if (auto r = spool->Map(); !r) return r.error();
    return spool;
  }
  // Once, in time order (which file was active last is not known), each record once (a crash
  // during the hand-over below leaves some twice).
  std::stable_sort(left.begin(), left.end(),
                   [](const AuditEntry& a, const AuditEntry& b) { return a.at < b.at; });
  std::set<
      std::tuple<std::int64_t, std::string, std::string, std::string, std::string, std::string>>
      seen;
  std::string encoded;
  for (auto& e : left) {
    if (!seen.emplace(e.at, e.actor, e.channel, e.action, e.subject, e.detail).second) continue;
    Encode(e, encoded);
    spool->leftovers_.push_back(std::move(e));
  }
  // Into a new file 0, synced, renamed over the old one; only then are the others emptied.
  const std::string tmp = slot + ".0.new";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return SysError("open", tmp);
  auto written = WriteAll(fd, encoded, tmp);
  if (written && fdatasync(fd) != 0) written = SysError("sync", tmp);
  close(fd);
  if (!written) return written.error();
  if (rename(tmp.c_str(), spool->path_.c_str()) != 0) return SysError("rename", tmp);
  close(spool->fds_[0]);
  spool->fds_[0] = open(spool->path_.c_str(), O_RDWR | O_CLOEXEC);
  if (spool->fds_[0] < 0) return SysError("open", spool->path_);
  spool->sizes_[0] = spool->reserved_[0] = static_cast<std::int64_t>(encoded.size());
  for (int i = 1; i < 3; ++i) {
    if (ftruncate(spool->fds_[i], 0) != 0) return SysError("truncate", slot);
  }
  if (auto r = spool->Map(); !r) return r.error();
  return spool;
}

Result<void> ReadSpool::Map() {
  for (int i = 0; i < 3; ++i) {
    // Beyond the file's end until reserved (Reserve): only reserved bytes are ever touched.
    void* m = mmap(nullptr, kCapacity, PROT_READ | PROT_WRITE, MAP_SHARED, fds_[i], 0);
    if (m == MAP_FAILED) return SysError("map", path_);
    maps_[i] = static_cast<char*>(m);
  }
  return {};
}

ReadSpool::~ReadSpool() {
  for (char* m : maps_) {
    if (m) munmap(m, kCapacity);
  }
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
  if (lock_fd_ >= 0) close(lock_fd_);  // the lock goes with it
}

Result<void> ReadSpool::Reserve(std::int64_t need) {
  const int i = active_;
  if (sizes_[i] + need <= reserved_[i]) return {};
  const std::int64_t wanted = (sizes_[i] + need + kReserveStep - 1) / kReserveStep * kReserveStep;
  if (wanted > kCapacity) {
    return Error::Unavailable(
        fmt::format("read spool {}: {} MiB of reads wait for a commit", path_, kCapacity >> 20));
  }
  // Blocks taken now, so that the stores below can never meet a full disk (a SIGBUS).
  if (const int rc = posix_fallocate(fds_[i], reserved_[i], wanted - reserved_[i]); rc != 0) {
    errno = rc;
    return SysError("reserve", path_);
  }
  reserved_[i] = wanted;
  return {};
}

Result<void> ReadSpool::Append(const std::vector<AuditEntry>& entries) {
  buffer_.clear();
  for (const auto& e : entries) Encode(e, buffer_);
  if (buffer_.empty()) return {};
  const auto need = static_cast<std::int64_t>(buffer_.size());
  if (auto r = Reserve(need); !r) return r;
  // Into the kernel's page cache by a copy, no system call: it survives the process as a
  // write(2) would. The first record's mark goes last, so that records cut short by a crash
  // in the copy are not read back (their reply was not sent).
  char* at = maps_[active_] + sizes_[active_];
  std::memcpy(at + 1, buffer_.data() + 1, buffer_.size() - 1);
  std::atomic_thread_fence(std::memory_order_release);
  *static_cast<volatile char*>(at) = buffer_[0];
  sizes_[active_] += need;
  return {};
}

Result<void> ReadSpool::Clear() {
  for (int i = 0; i < 3; ++i) {
    if (ftruncate(fds_[i], 0) != 0) return SysError("truncate", path_);
    sizes_[i] = reserved_[i] = 0;
  }
  return {};
}

Result<void> ReadSpool::Rotate() {
  const int next = (active_ + 1) % 3;
  // Emptied by zeros over its records, not by a truncation: its blocks and mapped pages are
  // kept for the next turn. Truncating and reserving again 50 times a second cost about a
  // tenth of the GET rate (file-system metadata and page faults on the other core).
  std::memset(maps_[next], 0, static_cast<std::size_t>(sizes_[next]));
  sizes_[next] = 0;
  active_ = next;
  return {};
}

}  // namespace emkhana::storage
