// AXI4 -> TLM-2.0 subordinate bridge: takes the AXI4 manager port of a Verilated block and
// carries each burst out as TLM b_transport calls on an initiator socket.
//
// Widths: those of the port view (axi_pins.h: data 8..1024 bits, address up to 64 bits, IDs up to
// 32 bits, AxUSER up to 64 bits); the view is checked at construction (std::invalid_argument naming
// what does not fit).
//
// Models: AW, W and AR accepted into queues of queue_depth requests (write data may come
// before its address); each burst becomes one TLM transaction per run of contiguous bytes (an
// INCR burst is one transaction from its start address, a WRAP burst two, a FIXED burst one per
// beat), with WSTRB as TLM byte enables and an axi_ext carrying the burst's type, size, beats,
// ID, AxUSER and AxCACHE/AxPROT/AxQOS/AxREGION as received (has_attrs set; 0 on a port
// without those pins); the annotated delay the target returns passes (the island keeps clocking;
// for a burst carried out by the process running the cycles, carry_in_clock, no cycle runs)
// before the response goes back on the pins. Responses: TLM_OK_RESPONSE -> OKAY,
// TLM_ADDRESS_ERROR_RESPONSE -> DECERR, any other error -> SLVERR; a write's B response is the
// worst of its transactions, a read's beats carry their own transaction's response; a write
// whose WLAST count does not match AWLEN is answered SLVERR. Bursts are carried out one at a
// time, in the order their requests completed, so responses come back in request order (legal
// for any IDs). BREADY/RREADY-side backpressure from the manager is honoured; set_ready_stall
// drops AWREADY/WREADY/ARREADY at random for tests.
// Does not model: parallel TLM transactions (one burst at a time), DMI, exclusive access
// (AxLOCK); AxCACHE/AxPROT/AxQOS/AxREGION are passed on, not acted on.
#pragma once

#include "rtl-bridge/axi_burst.h"
#include "rtl-bridge/axi_ext.h"
#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/kept_payload.h"
#include "rtl-bridge/rtl_island.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

namespace epvp::rtl {

class axi2tlm_bridge : public sc_core::sc_module, public cycle_agent {
public:
    tlm_utils::simple_initiator_socket<axi2tlm_bridge> socket;

    SC_HAS_PROCESS(axi2tlm_bridge);
    // The view is kept by reference (it must outlive this), so that a block re-made in its
    // other trace flavour before it runs is followed (rtl_models.h).
    axi2tlm_bridge(sc_core::sc_module_name name, rtl_island& island, const axi_port& pins,
                   unsigned queue_depth = 8);

    // AWREADY/WREADY/ARREADY low in about percent% of cycles (deterministic from the seed).
    void set_ready_stall(unsigned percent, std::uint32_t seed);
    // Called for every request the block issues, at its address handshake.
    void on_request(std::function<void(const axi_request&, bool is_write)> f) {
        on_request_ = std::move(f);
    }
    // A burst `ok` accepts is carried out by the process running the island's cycles right
    // after the cycle that completed it (rtl_island::carry_after_cycle), without a switch to
    // the worker thread: the target is called with the cycle's start as its annotated delay, no
    // cycle runs until the delay it returns has passed, and the response goes on the pins from
    // the first cycle after that. So the island is held through a burst's round trip, as a
    // target that hold()s the island around each call from the worker holds it. `ok` is asked,
    // once the burst's request and data are complete, only about a burst that could be carried
    // out so (the first of its cycle here, nothing queued for or carried out by the worker): it
    // does not see every burst. The worker carries out the bursts, as without this, whenever
    // doing it in that process could move a cycle or a call in time: a cycle that completed
    // more than one burst here, or a burst `ok` refuses; a burst completed while an earlier one
    // waits for the worker or while the worker carries one out; a cycle in which another agent
    // also asked to carry out a burst (rtl_island::run_carriers); a cycle that completed the
    // request of the caller running the cycles. `ok` must refuse a burst whose target may need the
    // same island's cycles (a register read through its APB port), or may wait for another request
    // that needs them: the process running them cannot while it waits inside the target.
    void carry_in_clock(std::function<bool(const axi_request&, bool is_write)> ok) {
        carry_ok_ = std::move(ok);
    }
    std::uint64_t transactions() const { return transactions_; }

    void drive() override;
    void sample(std::uint64_t cycle) override;
    bool busy() const override;
    sc_core::sc_time carry(const sc_core::sc_time& cycle_start) override;
    void hand_over(const sc_core::sc_time& cycle_start) override;

private:
    struct w_beat {
        axi_lanes data{};
        axi_strobes strb{};
    };
    struct job {
        bool write = false;
        axi_request req;
        std::vector<w_beat> data;
    };
    struct r_beat {
        unsigned id = 0;
        axi_lanes data{};
        axi_resp resp = axi_resp::okay;
        bool last = false;
    };
    void worker();
    // at: nullptr in the worker thread (each target's delay is waited for); in the process
    // running the cycles (carry()), the time the burst starts, moved on by each target's delay.
    void carry_out(job& j, sc_core::sc_time* at);
    // One TLM transaction of data_ (and be_ when with_be) at addr.
    tlm::tlm_response_status transport(bool write, std::uint64_t addr, bool with_be,
                                       const axi_request& req, sc_core::sc_time* at);
    void add_job(job&& j);
    void to_worker(std::deque<job>& from); // to the back of jobs_, in order
    bool stall_now();
    axi_request request(bool aw) const;

    rtl_island& island_;
    const axi_port& p_; // the block's view: follows the instance when it is re-made
    unsigned depth_;
    unsigned bus_bytes_; // the port's data width in bytes
    std::function<void(const axi_request&, bool)> on_request_;
    std::deque<axi_request> aw_waiting_;           // addresses waiting for their data
    std::deque<std::vector<w_beat>> data_waiting_; // data bursts waiting for their address
    std::vector<w_beat> w_cur_;
    std::deque<job> jobs_;     // for the worker thread
    std::deque<job> in_clock_; // for the process running the cycles (carry_in_clock): 0 or 1
    bool asked_ = false;       // carry() or hand_over() asked for after the cycle being run
    std::function<bool(const axi_request&, bool)> carry_ok_;
    sc_core::sc_event job_ev_;
    bool working_ = false;
    bool idle_driven_ = false; // the last drive() was an idle one (see drive())
    std::deque<std::pair<unsigned, axi_resp>> b_out_;
    std::deque<r_beat> r_out_;
    unsigned stall_percent_ = 0;
    std::uint32_t rng_ = 1;
    std::uint64_t transactions_ = 0;
    // The worker's scratch, reused from burst to burst (one burst at a time): its beats, runs of
    // contiguous bytes, one run's data and byte enables, and the payload that carries them.
    struct run {
        std::size_t first = 0, end = 0; // [first beat, end beat)
        std::uint64_t addr = 0;
        std::size_t bytes = 0;
    };
    std::vector<axi_beat> beats_;
    std::vector<run> runs_;
    std::vector<unsigned char> data_, be_;
    kept_payload gp_;
};

} // namespace epvp::rtl
