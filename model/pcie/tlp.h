// PCIe Transaction Layer Packets as TLM-2.0 transactions.
//
// Models: every TLP is its own generic-payload transaction travelling in its own direction
// (burst mode: one transaction may stand for several TLPs of one stream, tlp_burst).
// The pcie_tlp extension carries what the TLP header carries: type, requester ID, tag, traffic
// class, attributes, first/last byte enables, completer ID, completion status, byte count and
// lower address, message code, and the routing ID of configuration requests. Write-type TLPs
// (MWr, CfgWr, Cpl with data) carry their payload in the payload's data; MRd and CfgRd carry
// none: their data comes back as separate CplD transactions matched by requester ID and tag.
// The generic payload's response status says only whether the receiver accepted the TLP.
// Also here: SystemC-free arithmetic on TLPs (header size, bytes on the wire, completion
// splitting at RCB and MPS, the 4 KiB rule) and the header's dwords as the wire carries them
// (what AER's Header Log records).
// Timing travels with the TLP: the link that carries it writes into the extension when the TLP
// left the transmitter and what it waited for there, for the sender to read once its transport
// returns (no module asks a link about "the last TLP").
// Does not model: prefixes, TPH, LN, TD/ECRC in the header image.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

namespace epvp::pcie {

// Sizes every PCIe block counts in (PCIe Base Spec 5.0 section 2.2): a dword is 4 bytes, the
// optional TLP digest (ECRC) one dword; configuration registers are dword-aligned in a 4 KiB
// function space (the register number's bits [11:2]).
constexpr unsigned dword_bytes = 4;
constexpr unsigned ecrc_bytes = 4;
constexpr std::uint32_t cfg_reg_mask = 0xFFC;
// A requester or completer ID (Bus/Device/Function, section 2.2.6.2): bus in bits [15:8], device
// in [7:3], function in [2:0].
constexpr unsigned id_bus_shift = 8, id_dev_shift = 3;

enum class tlp_type : std::uint8_t {
    mrd,
    mwr,
    cfgrd0,
    cfgwr0,
    cfgrd1,
    cfgwr1,
    msg,  // message without data (INTx, PM, error)
    msgd, // message with data
    cpl,  // completion without data
    cpld, // completion with data
};
const char* to_string(tlp_type t);
// Inline: asked several times per TLP on every hop.
inline bool is_posted(tlp_type t) {
    return t == tlp_type::mwr || t == tlp_type::msg || t == tlp_type::msgd;
}
inline bool is_completion(tlp_type t) {
    return t == tlp_type::cpl || t == tlp_type::cpld;
}
// A request that needs a completion (MRd, configuration requests).
inline bool is_non_posted_request(tlp_type t) {
    return !is_posted(t) && !is_completion(t);
}
// Payload bytes travel with this TLP.
inline bool has_data(tlp_type t) {
    return t == tlp_type::mwr || t == tlp_type::cfgwr0 || t == tlp_type::cfgwr1 ||
           t == tlp_type::msgd || t == tlp_type::cpld;
}

enum class cpl_status : std::uint8_t { sc = 0, ur = 1, crs = 2, ca = 4 };
const char* to_string(cpl_status s);

// Message codes (PCIe Base Spec table 2-x).
enum class msg_code : std::uint8_t {
    assert_inta = 0x20,
    assert_intb = 0x21,
    assert_intc = 0x22,
    assert_intd = 0x23,
    deassert_inta = 0x24,
    deassert_intb = 0x25,
    deassert_intc = 0x26,
    deassert_intd = 0x27,
    err_cor = 0x30,
    err_nonfatal = 0x31,
    err_fatal = 0x33,
};

// Bus/device/function as a 16-bit routing ID.
constexpr std::uint16_t make_bdf(unsigned bus, unsigned dev, unsigned fn) {
    return static_cast<std::uint16_t>(((bus & 0xFF) << 8) | ((dev & 0x1F) << 3) | (fn & 7));
}
std::string bdf_string(std::uint16_t bdf);

// What a TLP met at the first link on its way (its sender's), as that link reports it.
struct tlp_link_timing {
    sc_core::sc_time departed;    // absolute: its last byte left the transmitter (replays included)
    sc_core::sc_time link_wait;   // behind earlier TLPs and DLLPs, or for replay-buffer space
    sc_core::sc_time credit_wait; // for the receiver's flow-control credits
};

// Burst-level timing (sim.link_timing = burst, docs/link-timing.md): one transaction stands for
// several TLPs of the same type in one direction, back to back at consecutive addresses (requests,
// MWr) or answering consecutive requests (completions). The link times each piece with the same
// arithmetic as a single TLP and writes its times here; the transaction carries the data of all.
struct tlp_burst_piece {
    std::uint32_t bytes = 0;   // payload (MWr, CplD) or bytes asked for (MRd)
    std::uint32_t group = 0;   // completions: the request piece they answer
    sc_core::sc_time ready;    // absolute: the sender cannot send it earlier
    sc_core::sc_time start;    // written by the first link: it began to occupy the direction
    sc_core::sc_time departed; // its last byte left the transmitter (replays included)
    sc_core::sc_time arrival;  // its last byte reached the receiver
    sc_core::sc_time link_wait, credit_wait; // as tlp_link_timing, for this piece
    // Requests: when the last completion answering it arrived, and how many there were.
    sc_core::sc_time completed;
    unsigned completions = 0;
};
struct tlp_burst {
    std::vector<tlp_burst_piece> pieces;
    // When a piece is ready besides its own time: when the one before it left (MWr that wait for
    // the previous one), when it started (requests paced by their issue), or never later
    // (completions, all ready once their request is served).
    enum class pacing { departed, started, own } paced = pacing::departed;
    // The sender has other work due at max(stop_at, when piece stop_after left) that it would do
    // before a piece ready at or after it: the link leaves such pieces (and those after them) out
    // of the burst and drops them from `pieces`; the first piece always goes.
    sc_core::sc_time stop_at = sc_core::sc_max_time();
    std::size_t stop_after = no_piece;
    // No piece ready at or after end_before goes (another sender starts then and competes for
    // the link one TLP at a time); the first piece always goes.
    sc_core::sc_time end_before = sc_core::sc_max_time();
    static constexpr std::size_t no_piece = ~std::size_t{0};
};

struct pcie_tlp : tlm::tlm_extension<pcie_tlp> {
    tlp_type type = tlp_type::mrd;
    std::uint16_t requester_id = 0;
    std::uint16_t tag = 0;
    std::uint8_t tc = 0;
    std::uint8_t attr = 0; // bit0 no-snoop, bit1 relaxed ordering, bit2 ID-based ordering
    std::uint8_t first_be = 0xF;
    std::uint8_t last_be = 0xF;
    bool addr64 = false; // 4 DW header
    bool poisoned = false;
    // Configuration requests: target ID and register number (byte offset, dword aligned).
    std::uint16_t target_id = 0;
    // Completions.
    std::uint16_t completer_id = 0;
    cpl_status status = cpl_status::sc;
    std::uint16_t byte_count = 0; // remaining bytes including this completion (0 = 4096)
    std::uint8_t lower_addr = 0;
    // Messages.
    msg_code code = msg_code::assert_inta;
    // Filled by the receiving controller for inbound requests.
    int bar = -1;
    unsigned function = 0;
    // Written by the links that carry the TLP; after the sender's transport returns it holds what
    // the sender's own link reported (a later link on the way writes first, the first one last).
    tlp_link_timing sent;
    // Burst mode: the pieces this transaction stands for (null: one TLP). Owned by the sender.
    tlp_burst* burst = nullptr;

    tlm::tlm_extension_base* clone() const override;
    void copy_from(const tlm::tlm_extension_base& ext) override;
};

// Header bytes on the wire: 3 DW for 32-bit addresses, completions, config; 4 DW for 64-bit
// addresses and messages.
unsigned header_bytes(const pcie_tlp& t);
// Transaction-layer bytes of a TLP at the data-link layer: sequence number + LCRC + framing (8),
// header, payload rounded up to dwords, optional ECRC.
std::uint64_t wire_bytes(unsigned header, std::uint64_t payload_bytes, bool ecrc);

// One completion of a read: where its data starts in the request and how many bytes it holds.
struct cpl_piece {
    std::uint64_t offset;
    std::uint32_t bytes;
    std::uint16_t byte_count; // remaining at the start of this piece (4096 encoded as 0)
    std::uint8_t lower_addr;
};
// Splits a read of len bytes at addr into completions: each ends on an RCB boundary unless it
// is the last, and holds at most mps bytes.
std::vector<cpl_piece> split_completions(std::uint64_t addr, std::uint32_t len, unsigned rcb,
                                         unsigned mps);
// The completion of that split that starts at offset off (< len): the pieces one at a time.
cpl_piece next_completion(std::uint64_t addr, std::uint32_t len, std::uint64_t off, unsigned rcb,
                          unsigned mps);

// The TLP's header as it goes on the wire, dword 0 first (PCIe Base Spec 5.0 section 2.2:
// figure 2-5 common DW0 (Fmt/Type, T9, TC, T8, Attr[2], TD, EP, Attr[1:0], AT, Length),
// figures 2-13/2-14 memory requests (Requester ID, Tag, Last/First DW BE, address), 2-17
// configuration requests (Bus/Device/Function, Register Number), 2-22 messages (Message
// Code), 2-27 completions (Completer ID, Status, Byte Count; Requester ID, Tag, Lower
// Address)). addr and len are the transaction's address and length in bytes (a read's
// requested length). A 3 DW header leaves dword 3 zero.
std::array<std::uint32_t, 4> header_dwords(const pcie_tlp& t, std::uint64_t addr,
                                           std::uint32_t len);

// Byte enables for a dword-granular request covering [addr, addr + len).
void byte_enables(std::uint64_t addr, std::uint32_t len, std::uint8_t& first_be,
                  std::uint8_t& last_be);

// Reads the extension; every TLP socket in the model requires one (a logic_error without).
[[noreturn]] void missing_tlp_extension();
inline pcie_tlp& tlp_of(tlm::tlm_generic_payload& gp) {
    pcie_tlp* t = gp.get_extension<pcie_tlp>();
    if (!t) missing_tlp_extension();
    return *t;
}

} // namespace epvp::pcie
