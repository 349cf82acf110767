#include "testbench/bench_kernels.h"

#include "model/core/sparse_memory.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace epvp::tb {

namespace {

// ---- The SystemC floor: what one transaction costs the kernel on this machine ----------------
// An initiator writes 256-byte payloads to a target that copies the data. The first loop waits
// once per transaction (the cost of one context switch per TLP); the second keeps local time with
// a tlm_quantumkeeper and synchronises once per quantum. Simulator settings of the measurement
// only: nothing of the platform runs here.
constexpr double floor_txn_delay_ns = 1;
constexpr double floor_quantum_ns = 1000;

struct floor_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<floor_target> socket;
    unsigned char mem[floor_payload_bytes] = {};
    explicit floor_target(sc_core::sc_module_name n)
        : sc_module(n)
        , socket("socket") {
        socket.register_b_transport(this, &floor_target::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        std::memcpy(mem, gp.get_data_ptr(), gp.get_data_length());
        delay += sc_core::sc_time(floor_txn_delay_ns, sc_core::SC_NS);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct floor_initiator : sc_core::sc_module {
    SC_HAS_PROCESS(floor_initiator);
    tlm_utils::simple_initiator_socket<floor_initiator> socket;
    unsigned long long transactions;
    double wait_per_s = 0, quantum_per_s = 0;
    floor_initiator(sc_core::sc_module_name n, unsigned long long count)
        : sc_module(n)
        , socket("socket")
        , transactions(count) {
        SC_THREAD(run);
    }
    void run() {
        unsigned char data[floor_payload_bytes];
        tlm::tlm_generic_payload gp;
        auto one = [&](sc_core::sc_time& delay, unsigned long long n) {
            std::memset(data, static_cast<int>(n), sizeof data);
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(0);
            gp.set_data_ptr(data);
            gp.set_data_length(sizeof data);
            gp.set_streaming_width(sizeof data);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            socket->b_transport(gp, delay);
        };
        auto t0 = std::chrono::steady_clock::now();
        for (unsigned long long n = 0; n < transactions; ++n) {
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            one(delay, n);
            wait(delay);
        }
        wait_per_s = transactions / seconds_since(t0);
        tlm_utils::tlm_quantumkeeper::set_global_quantum(
            sc_core::sc_time(floor_quantum_ns, sc_core::SC_NS));
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        t0 = std::chrono::steady_clock::now();
        for (unsigned long long n = 0; n < transactions; ++n) {
            sc_core::sc_time delay = qk.get_local_time();
            one(delay, n);
            qk.set(delay);
            if (qk.need_sync()) qk.sync();
        }
        qk.sync();
        quantum_per_s = transactions / seconds_since(t0);
        sc_core::sc_stop();
    }
    static double seconds_since(std::chrono::steady_clock::time_point t0) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return s > 0 ? s : 1e-9;
    }
};

} // namespace

double first_touch_seconds(unsigned long long bytes) {
    sparse_memory mem(bytes);
    unsigned char data[floor_payload_bytes];
    std::memset(data, 0xA5, sizeof data);
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned long long off = 0; off < bytes; off += sizeof data)
        mem.write(off, data,
                  static_cast<std::size_t>(std::min<unsigned long long>(sizeof data, bytes - off)));
    return floor_initiator::seconds_since(t0);
}

floor_rates floor_loops(unsigned long long transactions) {
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    floor_initiator init("floor_initiator", transactions);
    floor_target target("floor_target");
    init.socket.bind(target.socket);
    sc_core::sc_start();
    return {init.wait_per_s, init.quantum_per_s};
}

} // namespace epvp::tb

#ifdef EPVP_RTL_COSIM
#include "model/dwc/iatu.h"
#include "rtl-bridge/rtl_iatu.h"

#include <cstdio>
#include <vector>

namespace epvp::tb {
namespace {

// Takes whatever the RTL iATU forwards.
struct iatu_bench_sink : sc_core::sc_module {
    tlm_utils::simple_target_socket<iatu_bench_sink> socket;
    explicit iatu_bench_sink(sc_core::sc_module_name n)
        : sc_module(n)
        , socket("socket") {
        socket.register_b_transport(this, &iatu_bench_sink::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

constexpr unsigned iatu_bench_translations = 100000;
constexpr std::uint64_t ob_base = 0x10000000, ob_window_bytes = 1ull << 20;
constexpr std::uint64_t ib_base = 0xC0000000, ib_target = 0x80000000;
constexpr std::uint64_t pci_target = 0x4000000000ull;
constexpr unsigned bench_bar_size_log2 = 20;

} // namespace

int iatu_block_bench(iatu_block_rates& rates) {
    const rtl::iatu_geometry g = rtl::iatu_geometries().at(0);
    rtl::rtl_iatu rtl_block("bench_iatu", rtl::rtl_iatu_params{g});
    iatu_bench_sink ob_sink("ob_sink"), ib_sink("ib_sink");
    rtl_block.ob_out.socket.bind(ob_sink.socket);
    rtl_block.ib_out.socket.bind(ib_sink.socket);
    dwc::iatu model(dwc::iatu_params{g.outbound_windows, g.inbound_windows, g.region_align,
                                     g.region_limit, true, true});
    namespace r = dwc::iatu_reg;
    struct query {
        bool inbound;
        std::uint64_t addr;
        int bar;
    };
    std::vector<query> qs;
    std::uint64_t mismatches = 0;
    double rtl_s = 0;
    sc_core::sc_spawn([&] {
        auto wr = [&](std::uint32_t off, std::uint32_t v) {
            rtl_block.write_reg(off, v);
            model.write_unrolled(off, v);
        };
        for (unsigned i = 0; i < g.outbound_windows; ++i) {
            const std::uint32_t o = i * r::region_bytes;
            const std::uint64_t base = ob_base + i * ob_window_bytes;
            wr(o + r::lower_base, static_cast<std::uint32_t>(base));
            wr(o + r::upper_base, 0);
            wr(o + r::lower_limit, static_cast<std::uint32_t>(base + ob_window_bytes - 1));
            wr(o + r::lower_target, 0);
            wr(o + r::upper_target, static_cast<std::uint32_t>((pci_target >> 32) + i));
            wr(o + r::ctrl1, r::type_mem);
            wr(o + r::ctrl2, r::ctrl2_enable);
        }
        for (unsigned i = 0; i < g.inbound_windows; ++i) {
            const std::uint32_t o = i * r::region_bytes + r::inbound_offset;
            wr(o + r::lower_target,
               static_cast<std::uint32_t>(ib_target + (i << bench_bar_size_log2)));
            wr(o + r::ctrl1, r::type_mem);
            wr(o + r::ctrl2, r::ctrl2_enable | r::ctrl2_bar_mode | (i % 6) << r::ctrl2_bar_shift);
        }
        std::uint32_t seed = 1;
        auto rnd = [&] {
            seed = seed * 1664525u + 1013904223u;
            return seed;
        };
        for (unsigned n = 0; n < iatu_bench_translations; ++n) {
            const bool inbound = n % 2;
            const std::uint64_t off = rnd() % (ob_window_bytes * g.outbound_windows);
            qs.push_back({inbound,
                          inbound ? ib_base + off % (1u << bench_bar_size_log2) : ob_base + off,
                          static_cast<int>(rnd() % 6)});
        }
        const auto t0 = std::chrono::steady_clock::now();
        for (const query& q : qs) {
            const rtl::rtl_translation t =
                q.inbound ? rtl_block.translate_inbound(q.addr, q.bar, bench_bar_size_log2, 0)
                          : rtl_block.translate_outbound(q.addr);
            const dwc::iatu_hit want =
                q.inbound ? model.translate_inbound(q.addr, q.bar,
                                                    q.addr & ((1ull << bench_bar_size_log2) - 1), 0)
                          : model.translate_outbound(q.addr);
            if (t.hit.hit != want.hit || t.hit.address != want.address || t.hit.index != want.index)
                ++mismatches;
        }
        rtl_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        sc_core::sc_stop();
    });
    sc_core::sc_start();
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t checksum = 0;
    for (const query& q : qs)
        checksum += (q.inbound ? model.translate_inbound(
                                     q.addr, q.bar, q.addr & ((1ull << bench_bar_size_log2) - 1), 0)
                               : model.translate_outbound(q.addr))
                        .address;
    const double tlm_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.rtl_per_s = qs.size() / rtl_s;
    rates.tlm_per_s = qs.size() / (tlm_s > 0 ? tlm_s : 1e-9);
    std::printf("iATU block, %zu translations (half outbound, half inbound BAR-match), %s:\n",
                qs.size(), g.describe().c_str());
    std::printf("  RTL (verilated, APB/AXI bridges, checkers): %10.0f translations per wall second "
                "(%.3f s, %llu cycles), %llu mismatches against the model\n",
                qs.size() / rtl_s, rtl_s,
                static_cast<unsigned long long>(rtl_block.island.cycles()),
                static_cast<unsigned long long>(mismatches));
    std::printf(
        "  TLM model (pure lookup):                     %10.0f translations per wall second "
        "(%.6f s, checksum %llu)\n",
        qs.size() / (tlm_s > 0 ? tlm_s : 1e-9), tlm_s,
        static_cast<unsigned long long>(checksum & 0xFF));
    return mismatches ? 1 : 0;
}

} // namespace epvp::tb
#endif
