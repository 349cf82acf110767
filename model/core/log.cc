#include "model/core/log.h"

#include <cstdio>
#include <iostream>

namespace epvp {

logger& logger::get() {
    static logger instance;
    return instance;
}

void logger::enable(const std::string& category) {
    if (category == "all")
        all_ = true;
    else
        enabled_.insert(category);
}

std::string logger::format_time(std::uint64_t ps) {
    constexpr std::uint64_t ps_per_us = 1000000;
    return fmt::format("{}.{:06} us", ps / ps_per_us, ps % ps_per_us);
}

void logger::emit(const char* tag, const std::string& category, const std::string& msg) {
    emit_at(now_ps_ ? now_ps_() : 0, tag, category, msg);
}

void logger::emit_at(std::uint64_t ps, const char* tag, const std::string& category,
                     const std::string& msg) {
    std::ostream& os = os_ ? *os_ : std::cout;
    os << '[' << format_time(ps) << "] " << tag << category << ": " << msg << '\n';
}

void logger::info(const std::string& category, const std::string& msg) {
    if (enabled(category)) emit("", category, msg);
}

void logger::info_at(const std::string& category, std::uint64_t at_ps, const std::string& msg) {
    if (enabled(category)) emit_at(at_ps, "", category, msg);
}

void logger::warning(const std::string& category, const std::string& msg, const std::string& key) {
    warning_at(category, now_ps_ ? now_ps_() : 0, msg, key);
}

void logger::warning_at(const std::string& category, std::uint64_t at_ps, const std::string& msg,
                        const std::string& key) {
    ++counts_[log_kind::warning];
    if (!key.empty() && ++repeats_[category + "/" + key] > repeat_limit) return;
    problems_.push_back("warning: " + category + ": " + msg);
    emit_at(at_ps, "WARNING ", category, msg);
}

void logger::guest_error(const std::string& category, const std::string& msg,
                         const std::string& key) {
    ++counts_[log_kind::guest_error];
    if (!key.empty() && ++repeats_[category + "/" + key] > repeat_limit) return;
    problems_.push_back("guest error: " + category + ": " + msg);
    emit("GUEST-ERROR ", category, msg);
}

void logger::unimplemented_once(const std::string& category, const std::string& key,
                                const std::string& msg) {
    if (!once_.insert(category + "/" + key).second) return;
    ++counts_[log_kind::unimplemented];
    emit("UNIMPLEMENTED ", category, msg);
}

void logger::flush_suppressed() {
    for (const auto& r : repeats_) {
        if (r.second <= repeat_limit) continue;
        std::string line = std::to_string(r.second - repeat_limit) + " more warnings like '" +
                           r.first + "' were not printed";
        problems_.push_back("warning: " + line);
        emit("WARNING ", "log", line);
    }
    repeats_.clear();
}

std::uint64_t logger::count(log_kind k) const {
    auto it = counts_.find(k);
    return it == counts_.end() ? 0 : it->second;
}

void logger::reset() {
    counts_.clear();
    problems_.clear();
    repeats_.clear();
    once_.clear();
    enabled_.clear();
    all_ = false;
}

std::string hex(std::uint64_t v, int digits) {
    return fmt::format("0x{:0{}x}", v, digits);
}

} // namespace epvp
