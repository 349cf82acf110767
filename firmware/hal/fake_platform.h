// A fake HAL for unit tests of firmware (SDK: an endpoint function's tests use it too): sparse
// byte-addressed memory where every address reads what was last written there (0 before), a
// clock that only moves when the code under test delays or waits, interrupt lines a test raises
// by hand, and the log lines kept for the test to inspect. No SystemC, no model.
//
// Models: program order; wait_for_interrupt runs the handlers of the raised lines, or advances
// the clock by the whole timeout when none is raised. Does not model: bus errors (every access
// is hal::status::ok unless fail_at says otherwise), bus or compute time.
#pragma once

#include "firmware/hal/hal.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace hal {

class fake_platform : public platform {
public:
    struct log_line {
        log_level level;
        std::string category, msg;
    };

    std::map<std::uint64_t, std::uint8_t> mem;
    std::uint64_t now = 0;
    std::vector<log_line> logs;
    std::set<std::uint64_t> fail_at; // accesses touching these addresses return slave_error
    // Called after each write (a test models a device register block here).
    std::function<void(std::uint64_t addr, const void* data, std::size_t len)> on_write;

    status read(std::uint64_t addr, void* data, std::size_t len) override {
        auto* p = static_cast<std::uint8_t*>(data);
        for (std::size_t i = 0; i < len; ++i) {
            if (fail_at.count(addr + i)) return status::slave_error;
            const auto it = mem.find(addr + i);
            p[i] = it == mem.end() ? 0 : it->second;
        }
        return status::ok;
    }
    status write(std::uint64_t addr, const void* data, std::size_t len) override {
        const auto* p = static_cast<const std::uint8_t*>(data);
        for (std::size_t i = 0; i < len; ++i) {
            if (fail_at.count(addr + i)) return status::slave_error;
            mem[addr + i] = p[i];
        }
        if (on_write) on_write(addr, data, len);
        return status::ok;
    }
    std::uint64_t now_ns() override { return now; }
    void delay_ns(std::uint64_t ns) override { now += ns; }
    void charge_cycles(std::uint64_t) override {}
    void charge(work, std::uint64_t) override {}
    std::uint64_t cpu_clock_hz() const override { return 1'000'000'000; }
    void set_irq_handler(unsigned line, irq_handler handler) override {
        handlers_[line] = std::move(handler);
    }
    bool wait_for_interrupt(std::uint64_t timeout_ns) override {
        if (raised_.empty()) {
            now += timeout_ns;
            return false;
        }
        const std::set<unsigned> lines = std::move(raised_);
        raised_.clear();
        for (unsigned l : lines)
            if (handlers_[l]) handlers_[l](l);
        return true;
    }
    void log(log_level level, const std::string& category, const std::string& msg) override {
        logs.push_back({level, category, msg});
    }

    // The test's side.
    void raise(unsigned line) { raised_.insert(line); }
    bool logged(const std::string& category, const std::string& part) const {
        for (const auto& l : logs)
            if (l.category == category && l.msg.find(part) != std::string::npos) return true;
        return false;
    }

private:
    std::map<unsigned, irq_handler> handlers_;
    std::set<unsigned> raised_;
};

} // namespace hal
