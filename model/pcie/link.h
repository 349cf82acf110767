// A PCIe link between an upstream port (root port, switch downstream port) and a downstream port
// (the endpoint's controller, a switch upstream port), both directions, timed from first
// principles. Models: per-direction reservations (no event per TLP) with serialisation or the
// controller's datapath time, propagation, flow-control credits (data credits and wire bytes
// count the dwords a payload spans from its first byte), ACK/UpdateFC DLLPs (Base Spec 5.0
// tables 3-7..3-9, or link.ack_latency_ns; owed DLLPs go out after the direction's last TLP, so
// idle time absorbs them), FIFO ordering, training to the common generation and width, Data Link
// Layer retry (replay buffer, LCRC errors, NAK, replay timer, REPLAY_NUM rollover), link-down
// and poisoned-TLP faults, hot reset. Attachment by sockets and ports only: TLPs on the four
// sockets, each TLP's timing back to its sender in its extension (pcie_tlp::sent); state, partner,
// DLL errors and per-TLP activity to each end through up_status / dn_status (synchronous calls
// at the instant of the change, upstream end first); Secondary Bus Reset in through up_control,
// the downstream port's training through dn_control. Burst mode (sim.link_timing = burst): a
// transaction that stands for several TLPs (pcie_tlp::burst) is reserved piece by piece with the
// same arithmetic, each piece's times written back, and forwarded once (docs/link-timing.md).
// Does not model: lane-to-lane skew, L0s/L1, scaled flow control, the MPS the host programs
// (the DLLP interval uses link.mps),
// TLP prefixes, relaxed ordering, VCs other than VC0, FLIT-level retry in Gen6.
// Details: docs/link.md.
#pragma once

#include "model/pcie/tlp.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace epvp::pcie {

// Data Link Layer errors, told to the end of the link that detects them: bad_tlp at the
// receiver of a direction, the others at its transmitter.
enum class dll_error { bad_tlp, bad_dllp, replay_timer_timeout, replay_num_rollover };

// Busy time (TLPs and DLLPs), TLPs and time lost to replays and retrains that one TLP added to
// each direction of the link (reports' per-transfer utilisation).
struct link_activity_delta {
    sc_core::sc_time busy_up, busy_down;
    std::uint64_t tlps_up = 0, tlps_down = 0;
    sc_core::sc_time lost_up, lost_down;
};

// What a port hears from the link at its end, through the link's status port bound to the
// port's export (no pointer to the link): the link trained (its generation and width) or went
// down, and the Data Link Layer errors this end detected at `when` (simulated time). Calls are
// synchronous, upstream end first, at the instant the link changes.
class link_status_if : public virtual sc_core::sc_interface {
public:
    virtual void link_state(bool up, unsigned gen, unsigned width) = 0;
    virtual void link_dll_error(dll_error e, sc_core::sc_time when) = 0;
    // The partner is there to train with (false during a link-down fault or a hot reset), and
    // whether the hot-reset training sequence is being received (downstream end). Told at every
    // change; a port that does not train its link may ignore it.
    virtual void link_partner(bool present, bool hot_reset_received) {
        (void)present;
        (void)hot_reset_received;
    }
    // What one TLP cost the link, told as the link reserves it (before it is forwarded).
    virtual void link_activity(const link_activity_delta& a) { (void)a; }
};
// What the downstream port asks of the link: training to the highest generation and width both
// ports support (the result comes back through link_state), and taking the link down.
class link_training_if : public virtual sc_core::sc_interface {
public:
    virtual void train(unsigned max_gen, unsigned max_width) = 0;
    virtual void down() = 0;
};
// What the upstream port asks of the link: the hot-reset training sequence (Secondary Bus
// Reset held).
class link_control_if : public virtual sc_core::sc_interface {
public:
    virtual void hot_reset(bool asserted) = 0;
};

// Credits a receiver advertises (0 = infinite) and how long it holds a TLP before returning
// them.
struct rx_credits {
    unsigned posted_header = 0, posted_data = 0;
    unsigned nonposted_header = 0, nonposted_data = 0;
    unsigned completion_header = 0, completion_data = 0;
    sc_core::sc_time posted_drain = sc_core::SC_ZERO_TIME;
    sc_core::sc_time nonposted_drain = sc_core::SC_ZERO_TIME;
    sc_core::sc_time completion_drain = sc_core::SC_ZERO_TIME;
};

struct link_params {
    unsigned max_gen = 3;
    unsigned max_width = 4;
    sc_core::sc_time propagation = sc_core::sc_time(10, sc_core::SC_NS);
    bool ecrc = false;
    bool dllp = true;
    unsigned mps_bytes = 256; // for the DLLP interval
    rx_credits host_rx;       // what the root port advertises (downstream TLPs need none)
    rx_credits ep_rx;         // what the endpoint advertises
    // The endpoint controller's datapath: a TLP takes ceil(bytes / datapath_bytes) clocks.
    unsigned datapath_bytes = 32;
    sc_core::sc_time core_period = sc_core::sc_time(2, sc_core::SC_NS);
    // Data Link Layer retry.
    struct retry_params {
        std::uint64_t replay_buffer_bytes = 32768;
        sc_core::sc_time ack_latency = sc_core::SC_ZERO_TIME;  // zero: the DLLP table's interval
        sc_core::sc_time replay_timer = sc_core::SC_ZERO_TIME; // zero: 3 x the ACK latency
        sc_core::sc_time retrain_time = sc_core::sc_time(2, sc_core::SC_US);
        // Faults: per transmission of a TLP / per NAK DLLP, drawn from a PRNG seeded by `seed`.
        double lcrc_error_rate = 0, dllp_error_rate = 0;
        std::uint64_t seed = 1;
        // Exact trigger: the Nth TLP (1-based, 0 = off) of a direction fails `count` times.
        std::uint64_t lcrc_nth_tlp = 0;
        int lcrc_direction = 1; // pcie_link::direction
        unsigned lcrc_count = 1;
    } retry;
    // Link-down fault: at `down_at` (zero = never) the link is lost (surprise down: the
    // receivers lose the partner); it can train again `down_duration` later.
    sc_core::sc_time down_at = sc_core::SC_ZERO_TIME;
    sc_core::sc_time down_duration = sc_core::sc_time(100, sc_core::SC_US);
    // Poisoned TLP injection (EP bit), counted over TLPs with data (MWr, CplD) of `direction`.
    struct poison_params {
        enum class filter { any, mwr, cpld };
        std::uint64_t nth_tlp = 0; // 1-based among the TLPs that pass the filter; 0 = off
        double rate = 0;           // per TLP that passes the filter, from the fault PRNG
        int direction = 1;         // pcie_link::direction
        filter type = filter::any;
    } poison;
};

// Usable bytes per second of one lane at a generation after line coding (Gen6: TLP bytes of
// FLIT mode).
double lane_bytes_per_second(unsigned gen);
// ACK/UpdateFC interval in symbol times for a generation, width and MPS (the reading stated
// above).
unsigned dllp_interval_symbols(unsigned gen, unsigned width, unsigned mps_bytes);

class pcie_link : public sc_core::sc_module, public link_control_if, public link_training_if {
public:
    SC_HAS_PROCESS(pcie_link);
    enum direction { downstream = 0, upstream = 1 };
    using dll_error = pcie::dll_error;

    // Link state and DLL errors to the port at each end (optional: a test may leave an end
    // unbound). Bind: link.up_status.bind(port's export), port's control port -> up_control.
    sc_core::sc_port<link_status_if, 0, sc_core::SC_ZERO_OR_MORE_BOUND> up_status, dn_status;
    sc_core::sc_export<link_control_if> up_control;
    // The downstream port's LTSSM trains the link through it: port's training port -> dn_control.
    sc_core::sc_export<link_training_if> dn_control;

    // Downstream direction: TLPs from the upstream port arrive at up_in and leave at dn_out.
    tlm_utils::simple_target_socket<pcie_link> up_in;
    tlm_utils::simple_initiator_socket<pcie_link> dn_out;
    // Upstream direction: TLPs from the downstream port arrive at dn_in and leave at up_out.
    tlm_utils::simple_target_socket<pcie_link> dn_in;
    tlm_utils::simple_initiator_socket<pcie_link> up_out;

    pcie_link(sc_core::sc_module_name name, const link_params& p);

    // Training: both ports' capabilities; the link comes up at the highest common values.
    void train(unsigned ep_max_gen, unsigned ep_max_width) override;
    void down() override;
    bool is_up() const { return up_; }
    // Whether the link partner is there to train with (false during a link-down fault).
    bool partner_present() const { return !partner_lost_; }
    const sc_core::sc_event& partner_back() const { return partner_back_; }
    std::uint64_t tlps_failed_link_down() const { return failed_link_down_; }
    std::uint64_t link_down_faults() const { return link_down_faults_; }
    // Secondary Bus Reset of the upstream port: asserted, the link goes down and the downstream
    // port receives the hot-reset sequence (no training while held); released, it may train.
    void hot_reset(bool asserted) override;
    bool hot_reset_received() const { return hot_reset_; }
    std::uint64_t hot_resets() const { return hot_resets_; }
    unsigned gen() const { return gen_; }
    unsigned width() const { return width_; }
    void on_state_change(std::function<void(bool up)> cb) { listeners_.push_back(std::move(cb)); }
    // Listeners besides the status ports (called after them), with the direction of the error.
    void on_dll_error(std::function<void(direction d, dll_error e, sc_core::sc_time when)> cb) {
        dll_listeners_.push_back(std::move(cb));
    }
    // Effective retry timing on the trained link.
    sc_core::sc_time ack_latency() const { return ack_latency_; }
    sc_core::sc_time replay_timer() const { return replay_timer_; }
    sc_core::sc_time dllp_time() const { return dllp_time_; }
    sc_core::sc_time propagation() const { return p_.propagation; }
    sc_core::sc_time retrain_time() const { return p_.retry.retrain_time; }
    // Duration a TLP of `bytes` wire bytes occupies a direction (serialisation or datapath).
    sc_core::sc_time tlp_duration(std::uint64_t bytes) const;
    // Observers of every TLP carried (waves, traces): its direction, the payload and the time
    // it occupies the direction, [start, end). None installed: no cost.
    using tlp_observer = std::function<void(direction, const tlm::tlm_generic_payload&,
                                            sc_core::sc_time start, sc_core::sc_time end)>;
    void on_tlp(tlp_observer cb) { tlp_observers_.push_back(std::move(cb)); }
    // MPS as the host programmed it (for the DLLP interval).
    void set_mps(unsigned bytes) { p_.mps_bytes = bytes; }

    struct counters {
        std::uint64_t tlps = 0;
        std::uint64_t tlps_by_type[10] = {};
        std::uint64_t wire_bytes = 0;
        std::uint64_t payload_bytes = 0;
        std::uint64_t dllps = 0;
        sc_core::sc_time busy = sc_core::SC_ZERO_TIME; // TLPs and DLLPs
        sc_core::sc_time credit_stall = sc_core::SC_ZERO_TIME;
        sc_core::sc_time link_wait = sc_core::SC_ZERO_TIME;
        // Data Link Layer retry, for TLPs sent in this direction.
        std::uint64_t lcrc_errors = 0, naks = 0, replays = 0, replay_timer_timeouts = 0,
                      bad_dllps = 0, rollovers = 0, retrains = 0, bytes_replayed = 0;
        sc_core::sc_time time_lost = sc_core::SC_ZERO_TIME; // later arrival caused by replays
        sc_core::sc_time replay_buffer_stall = sc_core::SC_ZERO_TIME;
        std::uint64_t poisoned = 0; // TLPs sent with the EP bit injected
        // The report's declarations (model/core/stats.h), per direction: traffic, Data Link
        // Layer retry, fault injection. tlps_by_type, dllps, credit_stall and link_wait are for
        // the workloads' own analyses.
        template <class V>
        void for_each_traffic(V&& v) const {
            v("tlps", tlps, "TLPs sent");
            v("wire_bytes", wire_bytes, "bytes on the wire: framing, headers, payload, LCRC");
            v("payload_bytes", payload_bytes, "data payload bytes of the TLPs");
            v("busy_ns", busy, "time the direction carried TLPs and DLLPs");
        }
        template <class V>
        void for_each_replay(V&& v) const {
            v("lcrc_errors", lcrc_errors, "transmissions the receiver found with a bad LCRC");
            v("naks", naks, "NAKs that brought a replay");
            v("replays", replays, "TLPs sent again from the replay buffer");
            v("replay_timer_timeouts", replay_timer_timeouts, "replays the REPLAY_TIMER brought");
            v("bad_dllps", bad_dllps, "NAK DLLPs lost to a DLLP error");
            v("replay_num_rollovers", rollovers, "REPLAY_NUM rollovers");
            v("retrains", retrains, "retrains (Recovery) after a rollover");
            v("bytes_replayed", bytes_replayed, "wire bytes sent again");
            v("time_lost_ns", time_lost, "later arrival caused by replays");
            v("replay_buffer_stall_ns", replay_buffer_stall, "wait for replay buffer space");
        }
        template <class V>
        void for_each_injected(V&& v) const {
            v("poisoned_tlps_injected", poisoned, "TLPs sent with the EP bit injected");
        }
    };
    const counters& stats(direction d) const { return stats_[d]; }
    // Serialisation time of n bytes on the trained link (incl. SKP), for analytic checks.
    sc_core::sc_time wire_time(std::uint64_t bytes) const;
    // Bytes of a TLP on the wire; lead: the first payload byte's offset in its dword (the
    // payload is carried in the whole dwords it spans, Base Spec 2.2: Length with First/Last DW
    // byte enables).
    std::uint64_t tlp_wire_bytes(const pcie_tlp& t, std::uint64_t payload, unsigned lead = 0) const;

private:
    enum credit_class { posted = 0, nonposted = 1, completion = 2 };
    struct held {
        sc_core::sc_time release;
        unsigned header, data;
    };
    struct credit_pool {
        unsigned header_limit = 0, data_limit = 0; // 0 = infinite
        unsigned header_used = 0, data_used = 0;
        sc_core::sc_time drain;
        std::deque<held> in_buffer;
    };

    void fault_thread();
    void b_transport_down(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void b_transport_up(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void carry(direction d, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void carry_burst(direction d, tlm::tlm_generic_payload& gp, pcie_tlp& t,
                     sc_core::sc_time& delay);
    struct dll_event {
        dll_error e;
        sc_core::sc_time when;
    };
    // One TLP's times on direction d once it may start at link_free (after the DLLPs owed).
    struct reservation {
        sc_core::sc_time link_free, credit_ok, start, end, arrival;
    };
    // Reserves one TLP: credits, replay buffer, LCRC replays, DLLPs and the direction's counters
    // (the events to tell are appended).
    // payload: the data bytes; data_bytes: the dwords they span, in bytes (the data credits).
    reservation reserve(direction d, tlp_type type, std::uint64_t bytes, std::uint64_t payload,
                        std::uint64_t data_bytes, sc_core::sc_time link_free,
                        std::vector<dll_event>& events);
    // Drops a TLP the link cannot carry (down, or starting at the link-down instant).
    bool refuse_down(tlm::tlm_generic_payload& gp, const pcie_tlp& t,
                     const sc_core::sc_time& link_free);
    struct activity_mark {
        sc_core::sc_time busy[2];
        std::uint64_t tlps[2];
        sc_core::sc_time lost[2];
    };
    activity_mark mark() const;
    void tell_activity(const activity_mark& before);
    void log_tlp(direction d, const tlm::tlm_generic_payload& gp, const pcie_tlp& t,
                 const sc_core::sc_time& start, const sc_core::sc_time& arrival,
                 const std::string& extra);
    sc_core::sc_time reserve_credits(direction d, credit_class c, unsigned data_credits,
                                     sc_core::sc_time start);
    void charge_dllps(direction d, std::uint64_t bytes);
    sc_core::sc_time reserve_replay_buffer(direction d, std::uint64_t bytes,
                                           sc_core::sc_time start);
    // How many transmissions of the next TLP of direction d fail their LCRC check.
    unsigned lcrc_failures(direction d);
    // Whether the next TLP of direction d and type t gets the EP bit injected.
    bool poison_next(direction d, tlp_type t);
    double draw(direction d); // uniform [0, 1) from the fault PRNG of a direction
    void tell(direction d, dll_error e, sc_core::sc_time when);
    void tell_state();
    void tell_partner();
    static credit_class class_of(tlp_type t);

    link_params p_;
    bool up_ = false;
    unsigned gen_ = 0;
    unsigned width_ = 0;
    bool flit_ = false;
    double ps_per_byte_ = 0; // serialisation time of one byte across all lanes, SKP included
    std::uint64_t dllp_interval_bytes_ = 0;
    sc_core::sc_time dllp_time_;
    sc_core::sc_time next_free_[2];
    std::uint64_t bytes_since_dllp_[2] = {0, 0};
    sc_core::sc_time dllp_debt_[2];
    credit_pool credits_[2][3]; // [direction of the TLP][class]: the receiver's buffers
    counters stats_[2];
    std::vector<std::function<void(bool)>> listeners_;
    std::vector<std::function<void(direction, dll_error, sc_core::sc_time)>> dll_listeners_;
    sc_core::sc_time ack_latency_, replay_timer_;
    struct replay_entry {
        sc_core::sc_time acked;
        std::uint64_t bytes;
    };
    std::deque<replay_entry> replay_buffer_[2];
    std::uint64_t replay_used_[2] = {0, 0};
    std::uint64_t prng_[2] = {0, 0};
    std::uint64_t tlp_index_[2] = {0, 0};
    std::uint64_t poison_index_[2] = {0, 0};
    bool hot_reset_ = false;
    std::uint64_t hot_resets_ = 0;
    bool partner_lost_ = false;
    bool fault_pending_ = false; // the link-down instant is ahead and not yet trained past
    sc_core::sc_event partner_back_;
    std::uint64_t failed_link_down_ = 0, link_down_faults_ = 0;
    std::vector<tlp_observer> tlp_observers_;
    // tlp_duration by wire bytes on the trained link (computed once per size; cleared by train).
    std::vector<sc_core::sc_time> duration_by_bytes_;
};

const char* to_string(pcie_link::dll_error e);

} // namespace epvp::pcie
