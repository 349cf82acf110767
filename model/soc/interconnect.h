// The endpoint SoC's interconnect: an address decoder between masters (EP CPU, the PCIe
// controller's AXI master) and slaves (DRAM, DBI, glue, outbound aperture).
//
// Models: an address map of half-open ranges [base, base + size); the slave sees the offset
// into its range; an address no range claims gets TLM_ADDRESS_ERROR_RESPONSE (AXI DECERR) and a
// guest-error log line naming the master; accesses that straddle the end of a range are decode
// errors too. A range may be mapped inside another one (map_inside: an RTL block placed over part
// of DRAM): it takes those addresses over, and an access that straddles its edge is a decode
// error. Burst mode: a write carrying access_pieces (access_pieces.h) goes as a whole only to a
// range mapped as taking pieces; to any other slave, or if it does not decode as a whole, it goes
// as one write per piece, each decoded on its own. A fixed hop latency from config may be added
// later.
// Does not model: arbitration between masters, QoS, outstanding-transaction limits.
#pragma once

#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

namespace epvp::soc {

class interconnect : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<interconnect> in;
    tlm_utils::multi_passthrough_initiator_socket<interconnect> out;

    explicit interconnect(sc_core::sc_module_name name);

    // Maps [base, base + size) to out[port]. Overlapping ranges are a platform bug (throws).
    // takes_pieces: the slave times a write carrying access_pieces itself (the memory controller).
    void map(std::uint64_t base, std::uint64_t size, unsigned port, const std::string& name,
             bool takes_pieces = false);
    // Maps [base, base + size) to out[port] over part of one mapped range (which then no longer
    // answers those addresses). Throws std::logic_error unless the range lies wholly inside
    // exactly one range mapped with map() and overlaps no other.
    void map_inside(std::uint64_t base, std::uint64_t size, unsigned port, const std::string& name);

    struct range {
        std::uint64_t base, size;
        unsigned port;
        std::string name;
        bool inside = false;       // mapped with map_inside
        bool takes_pieces = false; // see map
    };
    const std::vector<range>& ranges() const { return map_; }
    std::uint64_t decode_errors() const { return decode_errors_; }

private:
    void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
    const range* decode(std::uint64_t addr, std::uint64_t len) const;
    std::vector<range> map_;
    std::uint64_t decode_errors_ = 0;
};

} // namespace epvp::soc
