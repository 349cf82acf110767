// Child processes for `epsim sweep` and `epsim plot`: a program started in its own process group
// (so a kill reaches whatever it started too), stdin from /dev/null, stdout and stderr to files.
// A child_process owns its child: poll() is the one place a child is waited for, and a child
// still running when its owner goes away is killed and reaped there.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace epvp::tb {

// A child process run to completion or killed (with its process group) at its deadline.
struct process_result {
    bool started = false;
    bool timed_out = false;
    int exit_status = -1; // when it exited
    int signal = 0;       // when a signal ended it
};

class child_process {
public:
    // Starts argv[0] (a path) with argv; an empty file name leaves that stream as it is.
    child_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                  const std::string& stderr_file);
    ~child_process();
    child_process(child_process&& other) noexcept;
    child_process& operator=(child_process&& other) noexcept;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    bool started() const { return result_.started; }
    int start_errno() const { return start_errno_; } // why it did not start
    // Reaps the child if it has ended; true once it has (or can no longer be waited for).
    bool poll();
    // Polls until the child has ended or `seconds` have passed; true if it ended.
    bool wait_for(double seconds);
    // SIGKILL to the child's process group (once).
    void kill_group();
    bool kill_sent() const { return kill_sent_; }
    const process_result& result() const { return result_; }

private:
    void release(); // kills and reaps a child still running

    pid_t pid_ = -1;
    bool ended_ = false;
    bool kill_sent_ = false;
    int start_errno_ = 0;
    process_result result_;
};

// Runs argv[0] (a path) with argv; an empty file name leaves that stream as it is. Never waits
// longer than timeout_s plus a short grace period to reap the killed process.
process_result run_process(const std::vector<std::string>& argv, const std::string& stdout_file,
                           const std::string& stderr_file, double timeout_s);

// The full path of a program found in PATH, or "" if there is none.
std::string find_program(const std::string& name);

// The path of this program's executable (for running itself as a child), or "epsim".
std::string self_path();

// How long a killed child gets to exit before its owner stops waiting for it.
constexpr double process_reap_grace_s = 10;

} // namespace epvp::tb
