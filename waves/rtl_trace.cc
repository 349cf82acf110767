#include "waves/rtl_trace.h"

namespace epvp::waves {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

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
