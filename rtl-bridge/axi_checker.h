// AXI4 protocol checker: watches every pin of one AXI4 port once per cycle (as an island agent) and
// reports the first breach of a rule with the rule, the channel and the cycle. Any port width the
// view allows (axi_pins.h): burst rules use the port's data width, payloads are compared in full
// (wide data included); the view is checked at construction.
//
// Models these rules (names as they appear in messages):
//   valid-held      AxVALID/WVALID/BVALID/RVALID, once high, stays high until READY
//   payload-stable  a channel's payload does not change while VALID && !READY
//   burst-type, burst-size, burst-length, wrap-length, wrap-alignment, 4k-boundary
//                   burst legality of every AW/AR request (see axi_burst.h)
//   wlast           WLAST on the last beat of its write burst and on no other
//   b-id / r-id     a new BVALID/RVALID carries the ID of an outstanding request (a write whose
//                   address and data are both complete, for B), checked in the first cycle
//                   VALID is high, against the handshakes of earlier cycles
//   b-early         BVALID in the very cycle of the AW or WLAST handshake that completes its
//                   write (AXI4, ARM IHI 0022 section A3.3.1: the response comes after both)
//   r-early         RVALID in the very cycle of its read's AR handshake (A3.3.1)
//   rlast           RLAST on the last beat of its read burst and on no other
//   r-order         read data of one ID in request order (ARM IHI 0022, the AXI ordering
//                   model: responses of one ID and direction in issue order): a burst that ends
//                   after as many beats as a younger outstanding read with its RID, not as the
//                   oldest one, is named here (and taken as that younger read)
// What the pins cannot show, and so is not checked: read bursts of one ID and equal length
// swapped (R carries no address: only the data could tell, which needs a memory model; the
// bridge tests compare data with a reference memory); B responses of one ID swapped (B carries
// neither address nor length, and AXI4 write data comes in AW order, so the oldest write of an
// ID is always the first one complete).
// A violation goes to the handler; the default handler throws protocol_error (the message
// names the port, rule, channel and cycle), which ends the simulation run. Pass a handler to
// collect violations instead.
// Does not model: X/Z checks (two-state simulation), reset-value rules, exclusive-access and
// cache-attribute rules (AxCACHE/AxPROT/AxQOS/AxREGION only held stable), timeouts for requests
// never answered. SystemC-free (an agent of rtl_island, which is SystemC).
#pragma once

#include "rtl-bridge/axi_burst.h"
#include "rtl-bridge/axi_pins.h"
#include "rtl-bridge/id_table.h"
#include "rtl-bridge/rtl_island.h"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace epvp::rtl {

struct protocol_violation {
    std::string port;
    std::string rule;
    std::string channel;
    std::uint64_t cycle = 0;
    std::string detail;
    std::string message() const;
};

class protocol_error : public std::runtime_error {
public:
    explicit protocol_error(const protocol_violation& v)
        : std::runtime_error(v.message())
        , violation(v) {}
    protocol_violation violation;
};

using violation_handler = std::function<void(const protocol_violation&)>;

class axi_checker : public cycle_agent {
public:
    // The view is kept by reference (it must outlive this), so that a block re-made in its
    // other trace flavour before it runs is followed (rtl_models.h).
    explicit axi_checker(const axi_port& port, violation_handler on_violation = nullptr);
    void sample(std::uint64_t cycle) override;
    bool watcher() const override { return true; }
    const std::vector<protocol_violation>& violations() const { return violations_; }
    std::uint64_t handshakes() const { return handshakes_; }
    // Handshakes (VALID && READY cycles) per channel.
    struct channel_counts {
        std::uint64_t aw = 0, w = 0, b = 0, ar = 0, r = 0;
    };
    channel_counts channel_handshakes() const {
        return {aw_.handshakes, w_.handshakes, b_.handshakes, ar_.handshakes, r_.handshakes};
    }

private:
    // A channel's payload pins in one cycle as 64-bit words (W has the most: up to 16 words of
    // WDATA, 2 of WSTRB and WLAST on a 1024-bit bus). A fixed array: the
    // checker samples every cycle, and a heap vector per channel and cycle was most of the
    // co-simulation's allocations.
    using channel_payload = std::array<std::uint64_t, axi_max_data_bytes / 8 + 3>;
    // Fills the first words of out; returns how many (only those are read and compared: the
    // whole array is a kilobyte).
    static std::size_t payload_of(std::initializer_list<const pin*> pins, channel_payload& out);
    struct channel_state {
        bool stalled = false; // VALID && !READY in the previous cycle
        std::uint64_t handshakes = 0;
        channel_payload payload{};
        std::size_t payload_words = 0; // of payload, as seen in the stalled cycle
    };
    // The payload pins are read only when a stall needs them.
    void check_channel(const char* ch, channel_state& s, bool valid, bool ready,
                       std::initializer_list<const pin*> pins, std::uint64_t cycle);
    void read_beat(unsigned id, bool last, std::uint64_t cycle);
    void fail(const char* rule, const char* channel, std::uint64_t cycle,
              const std::string& detail);

    const axi_port& p_; // the block's view: follows the instance when it is re-made
    violation_handler handler_;
    std::vector<protocol_violation> violations_;
    channel_state aw_, w_, b_, ar_, r_;
    std::uint64_t handshakes_ = 0;
    // Write bursts: lengths of accepted AWs whose data is not complete, lengths of complete
    // data bursts whose AW has not come yet, beats of the current data burst.
    std::deque<std::pair<unsigned, unsigned>> aw_waiting_data_; // (AWID, beats)
    std::deque<unsigned> data_waiting_aw_;
    unsigned w_beats_ = 0;
    // Per ID, kept (empty or 0) once an ID has been seen.
    id_table<unsigned> writes_complete_;   // id -> writes ready for a B response
    id_table<std::deque<unsigned>> reads_; // id -> beats of outstanding reads, oldest first
    id_table<unsigned> r_beats_;           // id -> beats seen of its oldest read
};

} // namespace epvp::rtl
