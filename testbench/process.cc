#include "testbench/process.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace epvp::tb {

namespace {

using clock_type = std::chrono::steady_clock;

constexpr int exit_exec_failed = 127; // the child could not execute the program (as a shell)
constexpr auto child_poll_interval = std::chrono::milliseconds(20);
constexpr mode_t child_file_mode = 0644;

double child_seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Starts argv in its own process group, stdin from /dev/null. Returns the pid, or -1.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file,
            const std::string& err_file) {
    std::vector<char*> cargv;
    for (const auto& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    const char* out = out_file.empty() ? nullptr : out_file.c_str();
    const char* err = err_file.empty() ? nullptr : err_file.c_str();
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid != 0) {
        if (pid > 0) ::setpgid(pid, pid); // also in the child: whichever runs first
        return pid;
    }
    // The child: only async-signal-safe calls from here on.
    ::setpgid(0, 0);
    const int in_fd = ::open("/dev/null", O_RDONLY);
    if (in_fd >= 0) ::dup2(in_fd, STDIN_FILENO);
    const int flags = O_WRONLY | O_CREAT | O_TRUNC;
    if (out) {
        const int fd = ::open(out, flags, child_file_mode);
        if (fd >= 0) ::dup2(fd, STDOUT_FILENO);
    }
    if (err) {
        const int fd = ::open(err, flags, child_file_mode);
        if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    }
    ::execv(cargv[0], cargv.data());
    static const char msg[] = "epsim sweep: cannot execute the program\n";
    if (::write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    ::_exit(exit_exec_failed);
}

} // namespace

child_process::child_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                             const std::string& stderr_file) {
    pid_ = spawn(argv, stdout_file, stderr_file);
    if (pid_ < 0) {
        start_errno_ = errno;
        ended_ = true;
        return;
    }
    result_.started = true;
}

child_process::~child_process() {
    release();
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1))
    , ended_(std::exchange(other.ended_, true))
    , kill_sent_(other.kill_sent_)
    , start_errno_(other.start_errno_)
    , result_(other.result_) {}

child_process& child_process::operator=(child_process&& other) noexcept {
    if (this != &other) {
        release();
        pid_ = std::exchange(other.pid_, -1);
        ended_ = std::exchange(other.ended_, true);
        kill_sent_ = other.kill_sent_;
        start_errno_ = other.start_errno_;
        result_ = other.result_;
    }
    return *this;
}

void child_process::release() {
    if (ended_) return;
    if (!kill_sent_) {
        kill_group();
        wait_for(process_reap_grace_s);
    } else {
        poll(); // its owner already waited its grace period for it
    }
}

bool child_process::poll() {
    if (ended_) return true;
    int st = 0;
    const pid_t got = ::waitpid(pid_, &st, WNOHANG);
    if (got == 0) return false;
    ended_ = true;
    if (got < 0) { // not our child any more: nothing to wait for
        result_.exit_status = -1;
    } else if (WIFEXITED(st)) {
        result_.exit_status = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        result_.signal = WTERMSIG(st);
    }
    return true;
}

bool child_process::wait_for(double seconds) {
    const auto start = clock_type::now();
    while (!poll()) {
        if (child_seconds_since(start) >= seconds) return false;
        std::this_thread::sleep_for(child_poll_interval);
    }
    return true;
}

void child_process::kill_group() {
    if (ended_ || kill_sent_) return;
    ::kill(-pid_, SIGKILL);
    kill_sent_ = true;
}

process_result run_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                           const std::string& stderr_file, double timeout_s) {
    child_process c(argv, stdout_file, stderr_file);
    if (!c.started()) return c.result();
    if (!c.wait_for(timeout_s)) {
        c.kill_group();
        c.wait_for(process_reap_grace_s);
        process_result r = c.result();
        r.timed_out = true;
        return r;
    }
    return c.result();
}

std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream is(path ? path : "");
    for (std::string dir; std::getline(is, dir, ':');) {
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

std::string self_path() {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("epsim") : p.string();
}

} // namespace epvp::tb
