// A register block as a table: offset, name, reset value, which bits are writable and by whom,
// write-1-to-clear bits, stickiness, and named fields for decoded logs. Blocks that need side
// effects (a BAR register, a doorbell) register a hook per offset instead of growing a switch.
//
// Models the three writers a DWC register sees: the link (a host configuration write), the DBI
// (local firmware) and, for fields that are read-only to the host, the DBI while
// MISC_CONTROL_1.DBI_RO_WR_EN is set. Accesses are 1, 2 or 4 bytes inside one 32-bit register.
// Offsets no entry covers read 0 and ignore writes; the owner logs them once.
// SystemC-free.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace epvp {

struct reg_field {
    const char* name;
    std::uint8_t lsb;
    std::uint8_t width;
};

struct reg_def {
    std::uint32_t offset;
    const char* name;
    std::uint32_t reset;
    std::uint32_t rw;    // writable by every writer (host config write and DBI)
    std::uint32_t ro_wr; // read-only, but writable through DBI while DBI_RO_WR_EN is set
    std::uint32_t w1c;   // write-1-to-clear (every writer)
    bool sticky;         // survives a hot reset / link down
    std::vector<reg_field> fields;
    std::uint32_t dbi_rw = 0; // writable through DBI at any time, not by the host (port logic)
};
// A mask of every bit of a register (a reg_def's reset, rw, ro_wr or w1c).
constexpr std::uint32_t all_bits = 0xFFFFFFFFu;

enum class reg_writer { wire, dbi };

class reg_block {
public:
    using write_hook =
        std::function<void(std::uint32_t offset, std::uint32_t old_value, std::uint32_t new_value)>;

    reg_block(std::string name, std::vector<reg_def> defs);

    const std::string& name() const { return name_; }
    const reg_def* find(std::uint32_t offset) const; // offset of the 32-bit register
    bool has(std::uint32_t offset) const { return find(offset & ~3u) != nullptr; }

    std::uint32_t read32(std::uint32_t offset) const {
        const std::uint32_t i = offset / 4;
        return i < values_.size() ? values_[i] : 0;
    }
    // Value as stored, for hardware-side updates (status bits, LTSSM state): no masks apply.
    void set32(std::uint32_t offset, std::uint32_t value);
    void set_bits(std::uint32_t offset, std::uint32_t mask, std::uint32_t value) {
        set32(offset, (read32(offset) & ~mask) | (value & mask));
    }

    // A software write of the bytes selected by byte_mask (0x000000FF per byte) at a 32-bit
    // register. Returns false when no register is at that offset.
    bool write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask, reg_writer who,
                 bool ro_wr_en);

    void on_write(std::uint32_t offset, write_hook hook) { hooks_[offset] = std::move(hook); }
    // Cold reset: every register; warm (hot reset / link down): non-sticky registers only.
    void reset(bool cold);

    // "NAME=0x... {FIELD=v, ...}" for logs.
    std::string decode(std::uint32_t offset, std::uint32_t value) const;

private:
    std::string name_;
    std::vector<reg_def> defs_;
    // Flat tables indexed by offset / 4: register lookups sit on per-TLP paths.
    std::vector<int> index_;
    std::vector<std::uint32_t> values_;
    std::map<std::uint32_t, write_hook> hooks_;
};

// The log line of a register access, the same for every block (DBI, iATU, eDMA, SMMU, ...):
// "ep-cpu W 0x004 DBI.COMMAND=0x00000006 {...}": who, R or W, the offset in the block's
// aperture, then the decoded register (reg_block::decode, or "BLOCK.REG=0x...").
constexpr const char* reg_log_category = "regs";
std::string reg_access_text(const std::string& who, bool write, std::uint32_t offset,
                            const std::string& decoded);
// Logs it in category "regs" at the access's simulated time (ps).
void log_reg_access(std::uint64_t at_ps, const std::string& who, bool write, std::uint32_t offset,
                    const std::string& decoded);

// Sub-word helpers shared by every block that exposes 32-bit registers on a byte bus.
std::uint32_t byte_lane_mask(std::uint32_t addr, unsigned len); // mask within the 32-bit word
std::uint32_t lane_shift(std::uint32_t addr);

} // namespace epvp
