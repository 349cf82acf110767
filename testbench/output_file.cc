#include "testbench/output_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace epvp::tb {

namespace {

constexpr mode_t file_mode = 0644;
constexpr std::size_t buffer_bytes = 64 * 1024;
constexpr std::size_t pid_text_bytes = 32;
constexpr const char* lock_file_name = ".lock";

std::string named(const std::string& label, const std::string& path) {
    return label.empty() ? path : label + " " + path;
}

[[noreturn]] void os_failure(const std::string& label, const std::string& path, int err) {
    throw output_error(named(label, path) + ": cannot write: " + std::strerror(err));
}

// write(2) all of it; 0 or the errno of the failure.
int write_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return 0;
}

} // namespace

void probe_output(const std::string& label, const std::string& path) {
    struct stat st {};
    const bool existed = ::stat(path.c_str(), &st) == 0;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, file_mode);
    if (fd < 0) os_failure(label, path, errno);
    ::close(fd);
    if (!existed) ::unlink(path.c_str());
}

// A stream buffer over a file descriptor that remembers the first write error.
class output_file::fd_buf : public std::streambuf {
public:
    explicit fd_buf(int fd)
        : fd_(fd)
        , buffer_(buffer_bytes) {
        setp(buffer_.data(), buffer_.data() + buffer_.size());
    }
    int error() const { return error_; }
    // Flushes and closes; 0 or the first errno.
    int close() {
        sync();
        if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
        fd_ = -1;
        return error_;
    }

protected:
    int_type overflow(int_type ch) override {
        if (sync() != 0) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override {
        const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        if (error_ == 0 && fd_ >= 0 && n > 0) error_ = write_all(fd_, buffer_.data(), n);
        return error_ == 0 ? 0 : -1;
    }

private:
    int fd_;
    int error_ = 0;
    std::vector<char> buffer_;
};

output_file::output_file(const std::string& label, const std::string& path, mode m)
    : label_(label)
    , path_(path)
    , os_(nullptr) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (m == mode::append ? O_APPEND : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, file_mode);
    if (fd < 0) os_failure(label, path, errno);
    buf_ = std::make_unique<fd_buf>(fd);
    os_.rdbuf(buf_.get());
}

output_file::~output_file() {
    if (buf_) buf_->close();
}

void output_file::close() {
    const int err = buf_->close();
    buf_.reset();
    os_.rdbuf(nullptr);
    if (err) os_failure(label_, path_, err);
}

void write_output(const std::string& label, const std::string& path, const std::string& text) {
    output_file f(label, path);
    f.stream() << text;
    f.close();
}

folder_lock::folder_lock(const std::string& label, const std::string& dir)
    : file_(dir + "/" + lock_file_name) {
    // O_CLOEXEC: the processes a sweep starts do not inherit (and so do not hold) the lock.
    fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, file_mode);
    if (fd_ < 0) os_failure(label, file_, errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char pid[pid_text_bytes] = {};
        const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
        ::close(fd_);
        fd_ = -1;
        if (err != EWOULDBLOCK) os_failure(label, file_, err);
        std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
            holder.pop_back();
        throw output_error(named(label, dir) + ": in use by " +
                           (holder.empty() ? std::string("another process") : "process " + holder) +
                           " (lock file " + file_ + ")");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        os_failure(label, file_, err);
    }
}

folder_lock::~folder_lock() {
    if (fd_ < 0) return;
    // Emptied, not removed: a process waiting to open the file must lock the same file. A
    // failure to empty it leaves a stale process id that the next owner overwrites.
    const bool emptied = ::ftruncate(fd_, 0) == 0;
    static_cast<void>(emptied);
    ::close(fd_); // releases the lock
}

} // namespace epvp::tb
