// Logging for the model, the firmware backends and the testbench: categories that a user turns
// on with --log CATEGORY, one line per event, stamped with simulated time.
//
// Models: a deterministic text log (no wall-clock, no addresses of host objects) so that two
// runs with the same configuration print the same bytes. "guest error" lines (a firmware or host
// programming mistake) and "unimplemented" lines (something the model does not do) are kept
// apart, and warnings are counted so that reports and tests can assert on them.
// SystemC-free: the time source is installed by the platform.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace epvp {

enum class log_kind { info, warning, guest_error, unimplemented };

class logger {
public:
    static logger& get();

    // Categories: regs, tlp, link, ltssm, dwc, edma, fw, host, irq; "all" enables every one.
    void enable(const std::string& category);
    bool enabled(const char* category) const {
        return all_ || (!enabled_.empty() && enabled_.count(category) != 0);
    }
    bool enabled(const std::string& category) const { return enabled(category.c_str()); }
    void set_time_source(std::function<std::uint64_t()> now_ps) { now_ps_ = std::move(now_ps); }
    void set_stream(std::ostream* os) { os_ = os; }

    // Info lines print only when the category is enabled; warnings, guest errors and
    // unimplemented lines always print (unimplemented ones once per key) and are counted.
    void info(const std::string& category, const std::string& msg);
    // The same, stamped with the event's own time (an access ahead of the kernel's time under
    // temporal decoupling) instead of the current simulated time: one time per line.
    void info_at(const std::string& category, std::uint64_t at_ps, const std::string& msg);
    // The same with a {fmt} format: the line is built only when the category is enabled, so an
    // info line costs one lookup when its category is off.
    template <typename... Args>
    void infof(const char* category, fmt::format_string<Args...> f, Args&&... args) {
        if (enabled(category)) info(category, fmt::format(f, std::forward<Args>(args)...));
    }
    // A warning with a key repeats at most repeat_limit times; later ones are counted and
    // summarised by flush_suppressed().
    void warning(const std::string& category, const std::string& msg,
                 const std::string& key = std::string());
    // The same, stamped with the event's own time (as info_at).
    void warning_at(const std::string& category, std::uint64_t at_ps, const std::string& msg,
                    const std::string& key = std::string());
    void flush_suppressed();
    static constexpr std::uint64_t repeat_limit = 10;
    void guest_error(const std::string& category, const std::string& msg,
                     const std::string& key = std::string());
    void unimplemented_once(const std::string& category, const std::string& key,
                            const std::string& msg);

    std::uint64_t count(log_kind k) const;
    // Every warning/guest-error line since the last reset (for tests and the report).
    const std::vector<std::string>& problems() const { return problems_; }
    void reset();

    static std::string format_time(std::uint64_t ps);

private:
    void emit(const char* tag, const std::string& category, const std::string& msg);
    void emit_at(std::uint64_t ps, const char* tag, const std::string& category,
                 const std::string& msg);
    bool all_ = false;
    std::set<std::string> enabled_;
    std::set<std::string> once_;
    std::map<log_kind, std::uint64_t> counts_;
    std::vector<std::string> problems_;
    std::map<std::string, std::uint64_t> repeats_;
    std::function<std::uint64_t()> now_ps_;
    std::ostream* os_ = nullptr;
};

// "0x1f"; digits > 0 zero-pads the hex digits to that many.
std::string hex(std::uint64_t v, int digits = 0);

} // namespace epvp
