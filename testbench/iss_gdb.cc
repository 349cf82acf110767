#include "testbench/iss_gdb.h"

#include "testbench/endpoint_soc.h"
#include "testbench/gdb_server.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace epvp::tb {

namespace {
// Ctrl-C polling while the CPU runs: at most this often (a socket poll costs a system call).
constexpr auto interrupt_poll = std::chrono::milliseconds(20);
} // namespace

struct gdb_stub::impl
#ifdef EPVP_ISS
    : iss_cpu::debugger,
      gdb::target
#endif
{
    explicit impl(unsigned port)
        : server(port) {}
    gdb::server server;
#ifdef EPVP_ISS
    iss_cpu* cpu = nullptr;
    std::vector<std::uint64_t> breakpoints;
    std::chrono::steady_clock::time_point last_poll{};

    bool halted(iss_cpu&, iss_cpu::debug_stop why) override {
        if (why == iss_cpu::debug_stop::reset) {
            std::printf("gdb: listening on 127.0.0.1:%u\n", server.port());
            std::fflush(stdout);
            server.accept_client();
        }
        // SIGINT for Ctrl-C, SIGABRT for a firmware panic, SIGILL for a CPU exception, else
        // SIGTRAP (a breakpoint or a step).
        const int sig = why == iss_cpu::debug_stop::interrupt   ? gdb::sig_int
                        : why == iss_cpu::debug_stop::panic     ? gdb::sig_abrt
                        : why == iss_cpu::debug_stop::exception ? gdb::sig_ill
                                                                : gdb::sig_trap;
        switch (server.halted(*this, sig, why == iss_cpu::debug_stop::reset)) {
        case gdb::action::step:
            return true;
        case gdb::action::detach:
            // GDB left: the firmware runs on without breakpoints or a debugger.
            for (const auto a : breakpoints)
                cpu->debug_breakpoint(a, false);
            breakpoints.clear();
            cpu->attach(nullptr);
            return false;
        default:
            return false;
        }
    }
    bool interrupt_requested() override {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_poll < interrupt_poll) return false;
        last_poll = now;
        return server.interrupt_requested();
    }

    std::uint64_t read_register(unsigned regno) override {
        return cpu->debug_register(regno);
    }
    void write_register(unsigned regno, std::uint64_t value) override {
        cpu->debug_set_register(regno, value);
    }
    bool read_memory(std::uint64_t addr, std::size_t n, std::uint8_t* out) override {
        return cpu->debug_access(false, addr, n, out);
    }
    bool write_memory(std::uint64_t addr, std::size_t n, const std::uint8_t* in) override {
        std::vector<std::uint8_t> b(in, in + n);
        return cpu->debug_access(true, addr, n, b.data());
    }
    bool insert_breakpoint(std::uint64_t addr) override {
        if (!cpu->debug_breakpoint(addr, true)) return false;
        breakpoints.push_back(addr);
        return true;
    }
    bool remove_breakpoint(std::uint64_t addr) override {
        breakpoints.erase(std::remove(breakpoints.begin(), breakpoints.end(), addr),
                          breakpoints.end());
        return cpu->debug_breakpoint(addr, false);
    }
#endif
};

gdb_stub::gdb_stub(unsigned port, const cfg::platform_config& c) {
    if (c.cpu.kind != cfg::cpu_kind::iss)
        throw cfg::config_error("--gdb " + std::to_string(port) +
                                ": the GDB server debugs the firmware binary; it needs "
                                "--set cpu.kind=iss");
    try {
        impl_ = std::make_unique<impl>(port);
    } catch (const std::runtime_error& e) {
        throw cfg::config_error(e.what());
    }
}

gdb_stub::~gdb_stub() = default;

void gdb_stub::attach([[maybe_unused]] endpoint_soc& soc) {
#ifdef EPVP_ISS
    if (!soc.iss) return;
    impl_->cpu = soc.iss.get();
    soc.iss->attach(impl_.get());
#endif
}

void gdb_stub::exited(int status) {
    impl_->server.exited(status);
}

} // namespace epvp::tb
