#include "waves/rtl_trace.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace epvp::waves {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

bool checked_vcd_file::open(const std::string& name) {
    // Opened without waiting (a FIFO with no reader fails here instead of blocking), then
    // written with blocking writes (a slow reader is waited for, not spun on).
    fd_ = ::open(name.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    failed_ = false;
    if (fd_ >= 0) {
        const int flags = ::fcntl(fd_, F_GETFL);
        if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    }
    return fd_ >= 0;
}

void checked_vcd_file::close() {
    if (fd_ >= 0 && ::close(fd_) != 0 && !failed_) failed_ = true;
    fd_ = -1;
}

ssize_t checked_vcd_file::write(const char* bufp, ssize_t len) {
    for (ssize_t done = 0; !failed_ && done < len;) {
        const ssize_t got = ::write(fd_, bufp + done, static_cast<std::size_t>(len - done));
        if (got > 0) {
            done += got;
        } else if (got == 0 || errno != EINTR) {
            failed_ = true;
            // Empty: a file cut where the disk filled up would look like a shorter run.
            if (::ftruncate(fd_, 0) != 0) {
                // nothing more to do: the check after the run reads the file's size and end
            }
        }
    }
    return len; // what is not written is reported after the run, not here
}

trace_format trace_format_for(const std::string& file) {
    if (ends_with(file, ".fst")) return trace_format::fst;
    if (ends_with(file, ".vcd")) return trace_format::vcd;
    throw std::invalid_argument("wave file '" + file +
                                "': the name must end in .fst or .vcd (it picks the format)");
}

const char* to_string(trace_format f) {
    return f == trace_format::fst ? "FST" : "VCD";
}

rtl_trace::rtl_trace(std::string file)
    : file_(std::move(file))
    , fmt_(trace_format_for(file_)) {}

rtl_trace::~rtl_trace() {
    close();
}

void rtl_trace::unsupported(const char* asked, const char* built) {
    throw std::invalid_argument("wave file '" + file_ + "': " + asked +
                                " asked, but the block was verilated for " + built);
}

void rtl_trace::open_file() {
    if (fst_) fst_->open(file_.c_str());
    if (vcd_) vcd_->open(file_.c_str());
    const bool ok = fst_ ? fst_->isOpen() : vcd_ ? vcd_->isOpen() : false;
    if (!ok) throw std::runtime_error("wave file '" + file_ + "': cannot be opened for writing");
}

void rtl_trace::dump(std::uint64_t time_ps) {
    if (fst_) fst_->dump(time_ps);
    if (vcd_) vcd_->dump(time_ps);
}

void rtl_trace::close() {
    if (fst_) fst_->close();
    if (vcd_) vcd_->close();
    fst_.reset();
    vcd_.reset();
}

} // namespace epvp::waves
