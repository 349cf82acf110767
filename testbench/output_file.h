// Output files of epsim (reports, traces, sweep results, scripts) checked end to end: a path is
// probed before any work starts, every write, the flush and the close are checked, and a failure
// is one line naming the file and the operating system's reason ("--report /dev/full: cannot
// write: No space left on device"). An output folder can be locked for one writer at a time.
#pragma once

#include <memory>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>

namespace epvp::tb {

// An output that cannot be opened or written; what() is the one-line message.
struct output_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Opens `path` for writing as a later output_file would (creating it) and closes it again; a
// file that did not exist before is removed. `label` names where the path came from ("--report";
// may be empty). Throws output_error "LABEL PATH: cannot write: REASON".
void probe_output(const std::string& label, const std::string& path);

// A file written through stream(); close() flushes and closes it and throws output_error when
// any write, the flush or the close failed. Destroyed without close(): closed, errors ignored.
class output_file {
public:
    enum class mode { truncate, append };
    output_file(const std::string& label, const std::string& path, mode m = mode::truncate);
    ~output_file();
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;

    std::ostream& stream() { return os_; }
    void close();

private:
    class fd_buf;
    std::string label_, path_;
    std::unique_ptr<fd_buf> buf_;
    std::ostream os_;
};

// Writes `text` to `path` whole (output_file + close()).
void write_output(const std::string& label, const std::string& path, const std::string& text);

// An exclusive lock on a folder, held while the object lives: flock(2) on DIR/.lock, which holds
// the owner's process id. Throws output_error naming the holder when another process has it.
class folder_lock {
public:
    folder_lock(const std::string& label, const std::string& dir);
    ~folder_lock();
    folder_lock(const folder_lock&) = delete;
    folder_lock& operator=(const folder_lock&) = delete;

private:
    int fd_ = -1;
    std::string file_;
};

} // namespace epvp::tb
