// The RTL iATU (rtl_iatu: dw_iatu.sv on an island with its bridges and checkers) as the iATU
// stage on the controller's data path: a dwc::iatu_unit with the same sockets as the TLM one,
// bound by dw_pcie_ep in its place; optionally in lockstep with the TLM model
// (model/dwc/iatu.h), which then computes the expected result of every translation and register
// read and counts the differences.
//
// Models: register access through the APB port (one APB transfer per 32-bit access; the
// region limit the controller checks an outbound access against is read back through APB the
// first time it is needed after a register write, and kept until the next one, so that, as in
// the hardware, accesses between register writes cost no register-bus transfer); outbound, the EP
// CPU's aperture access arriving on ob_in is driven into ob_s and inbound, the controller's AXI
// master request arriving on ib_in into ib_s (AxUSER: BAR hit, BAR size, function, TLP type, from
// the request's pcie_tlp and iatu_xlat), each as exact bursts (an aligned run of full 64-bit beats,
// narrow INCR bursts at a ragged start or end, split at 4 KiB and 256 beats), so that every byte
// the RTL forwards is a byte the request asked for; each request the RTL forwards on ob_m/ib_m
// leaves on ob_out/ib_out carrying the request's extensions and the lookup result the RTL put in
// AxUSER (iatu_xlat, pcie_tlp::bar/function); a miss the RTL answers with DECERR (its own
// MISS_DECERR build) leaves untranslated as a miss, so the controller's dwc.iatu.miss_policy
// decides either way. The island's cycles stand still while a forwarded request is carried out
// (the RTL waits for its response with no pin activity): it is carried out by the process
// running them (axi2tlm_bridge::carry_in_clock), except in the bridge's own worker cases, while
// a worker carries out another forwarded request, and for an outbound hit whose region limit has
// not been read since the last register write: those are carried out by the bridge's worker
// thread with the island held, and a worker lends its hold for the controller's limit read, so
// that the read can run its APB cycles.
// Lockstep: the TLM model receives the same register writes; each translation (hit, region,
// type, address) and register read is compared; the first mismatch (direction, window,
// address, expected, got) and the count are kept, with coverage of what was compared.
// Does not model: the legacy viewport, programming-order warnings (the TLM model gives them in
// lockstep only), the data beats' timing inside the controller beyond the iATU's own cycles; the
// outbound region's CTRL1.FUNC_NUM on a forwarded request (AxUSER carries no function: it is the
// request's own, except in lockstep, where the TLM model's region supplies it).
#pragma once

#include "model/dwc/iatu_unit.h"
#include "rtl-bridge/kept_payload.h"
#include "rtl-bridge/rtl_iatu.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::rtl {

struct rtl_iatu_unit_params {
    dwc::iatu_params model; // the controller's iATU parameters (geometry, limit)
    bool lockstep = false;
    sc_core::sc_time clock_period = sc_core::sc_time(1, sc_core::SC_NS);
    wave_flavour waves = std::nullopt; // trace flavour of the block (see rtl_iatu_params)
};

// What the RTL iATU counts besides dwc::iatu_unit_stats (reports and the lockstep summary).
struct rtl_iatu_stats {
    // Lockstep only: results compared against the TLM model, and what differed.
    bool lockstep = false;
    std::uint64_t compared = 0, mismatches = 0;
    std::string first_mismatch; // "outbound window 2 address 0x...: expected ..., got ..."
    // Coverage of the compared traffic: hits per region and direction, by CTRL1 type, inbound
    // BAR-match vs address-match, misses.
    std::vector<std::uint64_t> ob_region_hits, ib_region_hits;
    std::uint64_t ib_bar_match = 0, ib_address_match = 0, type_mem = 0, type_other = 0;
    // Island clock cycles run (idle time runs none).
    std::uint64_t rtl_cycles = 0;
    // AXI requests holding an ID of the block when the counters were read: taken into the RTL
    // and not yet answered to their initiator (0 after a run that finished; a run cut short by
    // sim.time_limit_us may leave some inside).
    std::uint64_t requests_in_flight = 0;
    // The report's declaration (model/core/stats.h), after the counters every iATU keeps.
    template <class V>
    void for_each(V&& v) const {
        v("rtl_cycles", rtl_cycles, "island clock cycles run");
        v("requests_in_flight", requests_in_flight,
          "AXI requests inside the block when the run ended (0 unless cut short)");
        v("outbound_region_hits", ob_region_hits, "outbound hits per region");
        v("inbound_region_hits", ib_region_hits, "inbound hits per region");
        v("type_mem", type_mem, "requests of CTRL1 type MEM");
        v("type_other", type_other, "requests of other CTRL1 types");
    }
    template <class V>
    void for_each_lockstep(V&& v) const {
        v("compared", compared, "results compared against the TLM model");
        v("mismatches", mismatches, "results that differed");
        v("first_mismatch", first_mismatch, "the first difference, or empty");
        v("inbound_bar_match", ib_bar_match, "inbound BAR-match requests compared");
        v("inbound_address_match", ib_address_match, "inbound address-match requests compared");
    }
};

// The verilated geometry that serves these iATU parameters (window counts, alignment, region
// limit; the miss policy is the controller's), or throws std::invalid_argument naming the
// geometries that were built.
iatu_geometry rtl_geometry_for(const dwc::iatu_params& p, bool prefer_miss_decerr);

class rtl_iatu_unit : public dwc::iatu_unit {
public:
    rtl_iatu_unit(sc_core::sc_module_name name, const rtl_iatu_unit_params& p,
                  bool prefer_miss_decerr = false);

    rtl_iatu rtl;

    const char* impl_name() const override { return lockstep_ ? "lockstep" : "rtl"; }
    std::uint32_t read_reg(std::uint32_t offset, sc_core::sc_time& delay) override;
    dwc::iatu_write_result write_reg(std::uint32_t offset, std::uint32_t value,
                                     sc_core::sc_time& delay) override;
    std::uint64_t region_limit(dwc::iatu_dir d, unsigned index, sc_core::sc_time& delay) override;
    dwc::iatu_unit_stats stats() const override { return stats_; }
    rtl_iatu_stats rtl_stats() const;

    // Waves of the RTL island, FST or VCD by the file name; before the simulation starts either
    // works (the block is re-made in the flavour the file needs).
    void open_waves(const std::string& file) { rtl.island.open_waves(file); }
    void close_waves() { rtl.island.close_waves(); }

private:
    static constexpr unsigned ids = 1u << iatu_id_bits;
    // An inbound request's BAR decode as the RTL gets it in AxUSER.
    struct inbound_request {
        int bar = -1;
        std::uint64_t bar_offset = 0;
        unsigned bar_size_log2 = 0;
        unsigned function = 0;
        unsigned tlp_type = dwc::iatu_reg::type_mem;
    };
    // One burst driven into the RTL, waiting for what it forwards (found by AXI ID).
    struct piece {
        bool in_use = false;
        bool inbound = false;
        bool forwarded = false;
        std::uint64_t in_addr = 0;
        inbound_request req;
        tlm::tlm_generic_payload* from = nullptr; // the request it is a burst of
        sc_core::sc_time entered;                 // when that request entered the stage
        std::vector<unsigned> carried;            // extensions of `from` put on what it forwards
        // Everything but carried's storage, which is reused.
        void reset() {
            std::vector<unsigned> keep = std::move(carried);
            *this = piece{};
            carried = std::move(keep);
            carried.clear();
        }
    };
    void translate(bool inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
    void fwd_b_transport(int inbound, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    // A request the RTL forwarded (or missed with DECERR) leaves the stage, marked with got.
    void forward(piece& pc, tlm::tlm_generic_payload& gp, const dwc::iatu_hit& got,
                 sc_core::sc_time& delay);
    unsigned take_id();
    void account(bool inbound, std::uint64_t in_addr, const inbound_request& req,
                 const dwc::iatu_hit& got);
    void mismatch(const std::string& what);
    std::uint32_t apb_read(std::uint32_t offset, sc_core::sc_time& delay,
                           tlm::tlm_response_status* st = nullptr);

    // Region limits as last read through APB, per direction (outbound, inbound) and window;
    // every register write forgets them.
    struct known_limit {
        bool valid = false;
        std::uint64_t limit = 0;
    };
    std::array<std::vector<known_limit>, 2> limits_;
    std::uint64_t reg_writes_seen_ = 0; // register writes so far (a limit read across one is stale)
    bool lockstep_;
    std::unique_ptr<dwc::iatu> model_; // lockstep reference
    std::array<piece, ids> pieces_;
    std::array<kept_payload, ids> payloads_; // the burst each piece drives in
    unsigned next_id_ = 0;
    // The worker processes carrying out a forwarded request, each holding the island's clock
    // once (one entry per hold).
    std::vector<sc_core::sc_process_handle> holders_;
    sc_core::sc_event id_freed_; // notified (next delta) when an ID is freed and someone waits
    unsigned id_waiters_ = 0;
    tlm_utils::simple_target_socket_tagged<rtl_iatu_unit> ob_fwd, ib_fwd;
    dwc::iatu_unit_stats stats_;
    rtl_iatu_stats rtl_stats_;
};

} // namespace epvp::rtl
