// Burst mode (sim.link_timing = burst, docs/link-timing.md): one write that stands for several
// AXI writes to one 4 KiB page, back to back in address order, each with its own start (absolute,
// non-decreasing). The SMMU translates the page once and moves each piece's start past its
// translation; the interconnect hands such a write as a whole only to a slave mapped as taking
// pieces (the memory controller's DRAM) and to any other slave one write per piece
// (write_each_piece); the memory controller times each piece as the access it stands for (same
// DRAM arithmetic, in piece order) and writes when each completed, and writes into its interrupt
// window, or not wholly in range, one piece at a time too. One synchronisation for all of them: a
// piece is booked at the first piece's time, so another master's access between two pieces sees
// the later piece already booked (burst mode accepts that drift; see docs/link-timing.md).
#pragma once

#include "model/core/payload_pool.h"

#include <cstddef>
#include <systemc>
#include <tlm>
#include <vector>

namespace epvp::soc {

struct access_pieces : tlm::tlm_extension<access_pieces> {
    struct piece {
        unsigned bytes = 0;
        sc_core::sc_time start; // when it reaches the next block on the way (absolute)
        sc_core::sc_time done;  // written by whoever completes it: when it completed
    };
    std::vector<piece> pieces;
    // On an error response: the piece that failed (those before it were written, their done
    // set); a failure of the access as a whole is the first piece's.
    std::size_t failed_piece = 0;

    tlm::tlm_extension_base* clone() const override { return new access_pieces(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const access_pieces&>(e);
    }
};

// The byte enables of the part [offset, offset + n) of an access of data_len bytes whose byte
// enables are be[be_len] (none; one per byte, split with the data; or a shorter pattern, which
// the generic payload applies from the start of the whole access: byte i is enabled by
// be[i % be_len]), set on `part`. A pattern is rotated to the part's offset into `rotated`, which
// must outlive the part's use.
inline void set_part_byte_enables(tlm::tlm_generic_payload& part, const unsigned char* be,
                                  unsigned be_len, unsigned data_len, unsigned offset, unsigned n,
                                  std::vector<unsigned char>& rotated) {
    if (!be || !be_len) {
        part.set_byte_enable_ptr(nullptr);
        part.set_byte_enable_length(0);
    } else if (be_len == data_len) {
        part.set_byte_enable_ptr(const_cast<unsigned char*>(be) + offset);
        part.set_byte_enable_length(n);
    } else {
        rotated.resize(be_len);
        for (unsigned i = 0; i < be_len; ++i)
            rotated[i] = be[(offset + i) % be_len];
        part.set_byte_enable_ptr(rotated.data());
        part.set_byte_enable_length(be_len);
    }
}

// The write gp (carrying `pieces`) as one write per piece, each through next(payload, delay)
// starting at the piece's own start, with gp's other extensions; each piece's done is written.
// Stops at the first error response (gp gets it, failed_piece names the piece, delay is its
// completion); else delay is the latest completion.
template <class Next>
void write_each_piece(tlm::tlm_generic_payload& gp, access_pieces& pieces, sc_core::sc_time& delay,
                      Next&& next) {
    pooled_payload pooled;
    tlm::tlm_generic_payload& one = *pooled;
    for (unsigned i = 0; i < tlm::max_num_extensions(); ++i)
        if (i != access_pieces::ID) one.set_extension(i, gp.get_extension(i));
    const unsigned char* be = gp.get_byte_enable_ptr();
    const unsigned be_len = be ? gp.get_byte_enable_length() : 0;
    std::vector<unsigned char> rotated; // a repeating pattern as a piece sees it
    std::uint64_t addr = gp.get_address();
    unsigned offset = 0;
    sc_core::sc_time latest = sc_core::sc_time_stamp() + delay;
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    for (std::size_t k = 0; k < pieces.pieces.size(); ++k) {
        access_pieces::piece& p = pieces.pieces[k];
        one.set_command(gp.get_command());
        one.set_address(addr + offset);
        one.set_data_ptr(gp.get_data_ptr() + offset);
        one.set_data_length(p.bytes);
        one.set_streaming_width(p.bytes);
        set_part_byte_enables(one, be, be_len, gp.get_data_length(), offset, p.bytes, rotated);
        one.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        sc_core::sc_time d = p.start > now ? p.start - now : sc_core::SC_ZERO_TIME;
        next(one, d);
        p.done = sc_core::sc_time_stamp() + d;
        if (!one.is_response_ok()) {
            status = one.get_response_status();
            pieces.failed_piece = k;
            latest = p.done;
            break;
        }
        latest = std::max(latest, p.done);
        offset += p.bytes;
    }
    for (unsigned i = 0; i < tlm::max_num_extensions(); ++i)
        one.set_extension(i, nullptr);
    gp.set_response_status(status);
    delay = latest - sc_core::sc_time_stamp();
}

} // namespace epvp::soc
