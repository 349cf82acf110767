// TLM-2.0 -> AXI4 manager bridge: a TLM target socket whose b_transport drives the AXI4
// subordinate port of a Verilated block, cycle by cycle, on an rtl_island.
//
// Widths: those of the port view (axi_pins.h: data 8..1024 bits, address up to 64 bits, IDs up to
// 32 bits, AxUSER up to 64 bits); the view is checked at construction (std::invalid_argument naming
// what does not fit). "The bus width" below is the port's data width.
//
// Models: the LT->pin boundary (b_transport first waits out the annotated delay, or, when nothing
// could run before it ends, has the request's cycles start then (rtl_island::may_run_ahead), then
// hands the transaction to the pins, running the island's cycles itself when the clock is free
// (rtl_island::run_in_caller); it returns with a zero delay once the last response has been
// taken, the island's clock having advanced simulated time one period per cycle); reads and writes
// of any length: without an axi_ext, INCR bursts of the full bus width split at 4 KiB boundaries
// and 256 beats, an unaligned start and a ragged end handled with write strobes (reads ignore the
// surplus lanes), a streaming width below the data length as FIXED bursts of that width (a power of
// two up to the bus width, at most 16 beats each); with an axi_ext marked explicit, the exact burst
// (INCR/FIXED/WRAP, narrow sizes, unaligned starts) it describes; TLM byte enables as WSTRB (reads:
// disabled bytes are left untouched); AXI IDs from the extension or handed out round robin per
// transaction, several transactions outstanding at once (from several initiator threads) with
// responses taken in any order the subordinate gives them (matched per ID, in order within an ID);
// AxUSER from the extension; AxCACHE/AxPROT/AxQOS/AxREGION from the extension when it has them
// (axi_ext::has_attrs), else the bridge's default (given at construction, all 0 unless given;
// set_default_attrs changes it), on the pins the port has (they are optional); the worst response
// of all beats as the TLM status (OKAY -> TLM_OK_RESPONSE, SLVERR -> TLM_GENERIC_ERROR_RESPONSE,
// DECERR -> TLM_ADDRESS_ERROR_RESPONSE) and in axi_ext::resp. A plain transaction may end exactly
// at 2^64; one running past it is refused (TLM_BURST_ERROR_RESPONSE); on a port of fewer than 64
// address bits, one not wholly below 2^addr_bits is refused with TLM_ADDRESS_ERROR_RESPONSE. IDs
// and AxUSER are truncated to the port's widths. Illegal explicit bursts, and data lengths that do
// not fit them, are answered TLM_BURST_ERROR_RESPONSE without touching the pins. Test-only fault
// injection (faults()) breaks the handshake on purpose for checker tests.
// Does not model: DMI and debug transport (refused), AxLOCK (absent), write data interleaving, the
// AT (non-blocking) protocol.
#pragma once

#include "rtl-bridge/axi_burst.h"
#include "rtl-bridge/axi_ext.h"
#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/id_table.h"
#include "rtl-bridge/rtl_island.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::rtl {

// Test-only: each armed fault fires once and disarms itself.
struct tlm2axi_faults {
    bool drop_awvalid_while_stalled = false;  // AWVALID low for a cycle while AWREADY is low
    bool change_awaddr_while_stalled = false; // AWADDR changes while AWVALID && !AWREADY
    bool early_wlast = false;                 // WLAST on the first beat of a multi-beat burst
    unsigned fired = 0;                       // how many faults have fired
};

class tlm2axi_bridge : public sc_core::sc_module, public cycle_agent {
public:
    tlm_utils::simple_target_socket<tlm2axi_bridge> socket;

    // The view is kept by reference (it must outlive this), so that a block re-made in its
    // other trace flavour before it runs is followed (rtl_models.h).
    // default_attrs: AxCACHE/AxPROT/AxQOS/AxREGION of transactions whose axi_ext does not give
    // them (or that have none).
    tlm2axi_bridge(sc_core::sc_module_name name, rtl_island& island, const axi_port& pins,
                   const axi_attrs& default_attrs = {});

    // BREADY/RREADY low in about percent% of cycles (deterministic from the seed).
    void set_ready_stall(unsigned percent, std::uint32_t seed);
    // Changes the default given at construction.
    void set_default_attrs(const axi_attrs& a) { default_attrs_ = a; }
    tlm2axi_faults& faults() { return faults_; }
    std::uint64_t bursts() const { return bursts_; }
    std::uint64_t unmatched_responses() const { return unmatched_; }
    // Responses that completed a burst while an older burst of the same direction was still
    // outstanding (the subordinate reordered by ID).
    std::uint64_t out_of_order_responses() const { return out_of_order_; }

    // The socket's b_transport, also callable directly (from an SC_THREAD).
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    void drive() override;
    void sample(std::uint64_t cycle) override;
    bool busy() const override;

private:
    struct beat_plan {
        unsigned lane_lo = 0, lanes = 0;
        std::size_t data_off = 0;
    };
    struct txn;
    struct burst_job {
        axi_request req;
        bool write = false;
        std::vector<beat_plan> beats;
        unsigned next_beat = 0; // reads: next R beat
        std::uint64_t seq = 0;  // issue order
        txn* owner = nullptr;
    };
    struct txn {
        tlm::tlm_generic_payload* gp = nullptr;
        unsigned pending = 0;
        axi_resp resp = axi_resp::okay;
        sc_core::sc_event done;
        std::vector<std::unique_ptr<burst_job>> jobs;
    };
    // Transactions and bursts are kept for reuse once done (a transaction per b_transport and a
    // burst per job allocated anew were a good part of the bridge's cost per request).
    std::unique_ptr<txn> take_txn(tlm::tlm_generic_payload& gp);
    void recycle(std::unique_ptr<txn> t);
    std::vector<std::unique_ptr<txn>> free_txns_;
    // Transactions whose caller left while their bursts were under way (a killed process): kept
    // (gp cleared: read data is dropped) until their last response, then recycled.
    std::vector<std::unique_ptr<txn>> abandoned_;
    std::vector<std::unique_ptr<burst_job>> free_jobs_;
    std::vector<axi_beat> beats_; // plan()'s scratch (plan does not wait)
    struct w_beat {
        axi_lanes data{};
        axi_strobes strb{};
        bool last = false;
        bool first = false;
    };

    // Fills t.jobs; an empty string when the transaction maps onto legal bursts.
    std::string plan(tlm::tlm_generic_payload& gp, const axi_ext* ext, txn& t);
    bool byte_enabled(const tlm::tlm_generic_payload& gp, std::size_t i) const;
    void finish(burst_job* j, axi_resp r);
    // AW and AR alike: drive the head of the queue, take a handshake.
    void drive_address(const axi_addr_pins& c, const std::deque<burst_job*>& q);
    void accept_address(const axi_addr_pins& c, std::deque<burst_job*>& q,
                        id_table<std::deque<burst_job*>>& outstanding);
    bool stall_now();

    rtl_island& island_;
    const axi_port& p_; // the block's view: follows the instance when it is re-made
    tlm2axi_faults faults_;
    axi_attrs default_attrs_;
    // The port's data width in bytes.
    unsigned bus_bytes_;
    std::deque<burst_job*> aw_q_, ar_q_;
    std::deque<w_beat> w_q_;
    id_table<std::deque<burst_job*>> writes_, reads_; // outstanding, per ID
    unsigned outstanding_ = 0;
    unsigned next_id_ = 0;
    bool aw_stalled_ = false;
    bool idle_driven_ = false; // the last drive() was an idle one (see drive())
    bool bready_ = true, rready_ = true;
    unsigned stall_percent_ = 0;
    std::uint32_t rng_ = 1;
    std::uint64_t bursts_ = 0, unmatched_ = 0, out_of_order_ = 0;
    // seq of outstanding reads [0] / writes [1], in issue order (seqs only grow).
    std::deque<std::uint64_t> in_flight_[2];
};

} // namespace epvp::rtl
