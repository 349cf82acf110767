// Arm SMMUv3 driver for the endpoint firmware: the SMMU that sits between the PCIe controller's
// AXI master and DRAM, driven as the architecture (Arm IHI 0070) describes, plus stage-1
// translation domains that endpoint functions use as their DMA-mapping layer.
//
// Models (what the driver supports): probing IDR0/IDR1/IDR5 and refusing (-ENODEV, with the
// reason logged) an SMMU without stage 1, AArch64 tables, a 4 KiB granule, little-endian table
// walks, or stream IDs wide enough for the board's (hal::smmu_stream_desc). The stream table
// follows the board: for a fixed StreamID (the SoC integration's, as on Tegra194) the smallest
// table that covers it, linear or 2-level (SPLIT 6, 8 or 10, whichever needs fewest bytes) with
// only the level-2 table that holds it, every other level-1 descriptor invalid; for requester IDs
// (which need 2-level tables and 16-bit stream IDs) a 2-level table with SPLIT = 8 whose 256
// level-1 descriptors (index = bus number, which the host assigns later and may change) all
// point to one shared level-2 table of 256 STEs (index = devfn). Every STE written explicitly
// (abort unless a function asked for more); command and event queues in coherent-pool memory;
// enabling through CR0/CR0ACK, IRQ_CTRL/IRQ_CTRLACK and GBPA.UPDATE with bounded polls; commands
// with queue-full handling and CMD_SYNC completion by CMDQ_CONS (no MSI, no SEV), a stopped queue
// (CMDQ_CONS.ERR with GERROR.CMDQ_ERR) reported as -EIO naming the opcode and repaired (the bad
// command becomes a CMD_SYNC, GERRORN acknowledges, the queue resumes), a queue that stops moving
// reported as -ETIMEDOUT; event records drained (from the interrupt handler on hal::irq_smmu or on
// request) into decoded records kept for the caller; global errors logged by name and acknowledged.
// A domain is one ASID, one context descriptor and a 4-level VMSAv8-64 table (4 KiB granule,
// 48-bit input) of 2 MiB blocks and 4 KiB pages; map/unmap are all-or-nothing, unmap splits a
// block it only partly covers (new table written first, then the block descriptor replaced)
// and invalidates with one TLBI_NH_VA per removed 4 KiB page (one TLBI_NH_ASID above
// smmu_domain::tlbi_asid_threshold pages) followed by CMD_SYNC. The firmware keeps a copy of
// every table it writes (its "shadow") and never reads its tables back over the bus.
//
// Does not model: stage 2, substreams/PASID (S1CDMax = 0), ATS/PRI, MSI-signalled completions
// and interrupts, stalls and resume (faults terminate: CD.A = 1), 1 GiB blocks, 16/64 KiB
// granules, hardware access/dirty flag updates (every descriptor is written with AF = 1), other
// `iommu-map` shapes than the two above, the secure programming interface, freeing page tables that
// became empty, or concurrent callers (the firmware is single-threaded; the only reentry is the
// interrupt handler, which only drains events and acknowledges global errors).
#pragma once

#include "firmware/epc/epc.h"
#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"
#include "firmware/iommu/smmu_v3_regs.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>
#include <vector>

namespace fw::iommu {

// Permissions and attributes of a mapping (the IOMMU_READ / IOMMU_WRITE / IOMMU_MMIO idea).
// Stage-1 AArch64 permissions cannot express write-only: prot_write alone maps read/write.
enum prot_flags : unsigned {
    prot_read = 1u << 0,
    prot_write = 1u << 1,
    prot_mmio = 1u << 2,     // Device-nGnRE attributes instead of Normal write-back memory
    prot_no_block = 1u << 3, // 4 KiB pages only, even where a 2 MiB block would fit
    prot_all = prot_read | prot_write | prot_mmio | prot_no_block,
};

// The DMA-mapping call path endpoint functions use. map() and unmap() take 4 KiB-aligned
// addresses and sizes and are all-or-nothing; the error codes are smmu_domain's.
class dma_domain {
public:
    virtual ~dma_domain() = default;
    virtual int map(std::uint64_t iova, std::uint64_t phys, std::uint64_t size, unsigned prot) = 0;
    virtual int unmap(std::uint64_t iova, std::uint64_t size) = 0;
    // First IOVA beyond the domain's input address range.
    virtual std::uint64_t iova_limit() const = 0;
};

// Driver knobs; every value has a unit.
struct smmu_config {
    unsigned cmdq_log2_entries = 8;          // capped by IDR1.CMDQS
    unsigned evtq_log2_entries = 7;          // capped by IDR1.EVTQS
    std::uint64_t ack_timeout_ns = 100000;   // CR0ACK, IRQ_CTRLACK, GBPA.UPDATE
    std::uint64_t sync_timeout_ns = 1000000; // CMD_SYNC completion, room in a full queue
    std::uint64_t poll_interval_ns = 100;    // delay between two polls of a register
    std::size_t max_kept_events = 1024;      // decoded events kept; the oldest go first
    unsigned max_logged_events_per_drain = 16;
};

// What probe() found.
struct smmu_features {
    bool s1p = false, s2p = false, aarch64_tables = false, coherent = false;
    bool two_level_strtab = false, gran4k = false, gran16k = false, gran64k = false;
    unsigned asid_bits = 8;
    unsigned sid_bits = 0, ssid_bits = 0;
    unsigned cmdq_log2_max = 0, evtq_log2_max = 0;
    unsigned oas_bits = 0;
    std::uint32_t idr0 = 0, idr1 = 0, idr5 = 0;
};

// One decoded event record.
struct smmu_event {
    std::uint8_t id = 0;
    const char* name = "";  // "F_TRANSLATION", ...; "UNKNOWN" for an ID the driver does not know
    std::uint32_t sid = 0;  // stream ID (the board's fixed one, or bus << 8 | devfn)
    std::uint64_t addr = 0; // input address (IOVA) of the faulting access
    bool read = false;      // RnW
    bool privileged = false;
    bool instruction = false;
    std::array<std::uint64_t, smmu_regs::EVT_DWORDS> raw{};
};

struct smmu_stats {
    std::uint64_t commands = 0;       // entries written to the command queue (syncs included)
    std::uint64_t syncs = 0;          // CMD_SYNCs that completed
    std::uint64_t sync_timeouts = 0;  // waits for the queue that gave up
    std::uint64_t cmd_errors = 0;     // commands the queue refused (replaced by a CMD_SYNC)
    std::uint64_t events = 0;         // event records drained
    std::uint64_t events_dropped = 0; // decoded events pushed out of the kept list
    std::uint64_t evtq_overflows = 0; // EVTQ_PROD.OVFLG changes seen
    std::uint64_t gerrors = 0;        // global error bits acknowledged
    std::uint64_t irqs = 0;
};

// One 16-byte command, little-endian dwords as they go into the queue.
struct smmu_cmd {
    std::uint64_t dw0 = 0, dw1 = 0;
    std::uint8_t opcode() const {
        return static_cast<std::uint8_t>(dw0 & smmu_regs::CMD0_OPCODE_MASK);
    }
    static smmu_cmd cfgi_ste(std::uint32_t sid, bool leaf);
    static smmu_cmd cfgi_all();
    static smmu_cmd cfgi_cd(std::uint32_t sid);
    static smmu_cmd tlbi_nh_asid(std::uint16_t asid);
    static smmu_cmd tlbi_nh_va(std::uint16_t asid, std::uint64_t va, bool leaf);
    static smmu_cmd tlbi_nsnh_all();
    static smmu_cmd sync();
};

// What an STE (one devfn, every bus) does with a stream.
enum class ste_mode : std::uint8_t { abort, bypass, translate };
const char* to_string(ste_mode m);

// The shape of a stream table, as STRTAB_BASE_CFG describes it (Arm IHI 0070, SMMU_STRTAB_BASE_CFG
// and the level-1 descriptor).
struct strtab_shape {
    bool two_level = false;
    unsigned log2size = 0; // StreamIDs 0 .. 2^log2size - 1
    unsigned split = 0;    // 2-level: a level-2 table holds 2^split STEs
    // Bytes of the linear table, or of the level-1 table plus one level-2 table.
    std::uint64_t bytes() const;
};
// The smallest table that covers StreamID sid: linear (2^n STEs, n = bits of sid), or 2-level with
// SPLIT 6, 8 or 10 below n (2^(n - SPLIT) descriptors plus one level-2 table) when two_level_ok
// and it needs fewer bytes; a tie keeps the linear table.
strtab_shape smallest_strtab(std::uint32_t sid, bool two_level_ok);

class smmu_v3 {
public:
    smmu_v3(hal::platform& io, const hal::ep_board& board, epc::coherent_pool& pool,
            const smmu_config& cfg = {});
    // Disables the SMMU (incoming DMA aborts through GBPA), silences its interrupt and returns the
    // queue and table memory. Destroy every smmu_domain of this SMMU first.
    ~smmu_v3();
    smmu_v3(const smmu_v3&) = delete;
    smmu_v3& operator=(const smmu_v3&) = delete;

    // Reads the ID registers. Returns 0, or -ENODEV (no SMMU on the board, registers not
    // readable, or a feature this driver needs is missing: the log says which).
    int probe();
    // probe() if needed, then the stream table (every STE abort), queues, interrupts and
    // SMMUEN, followed by CFGI_ALL, TLBI_NSNH_ALL and CMD_SYNC. Returns 0, -ENODEV, -ENOMEM (pool
    // exhausted), -ETIMEDOUT (an acknowledge or the sync did not come), -EIO (a register access
    // failed or a command was refused). On failure nothing stays allocated and SMMUEN is 0.
    int init();
    bool probed() const { return probed_; }
    bool enabled() const { return enabled_; }
    const smmu_features& features() const { return feat_; }
    const smmu_config& config() const { return cfg_; }

    // The STE of devfn (0..255): with the requester ID as StreamID shared by every bus number;
    // with a fixed StreamID the controller's one STE, shared by all its functions. Each returns 0,
    // -EINVAL (devfn out of range, cd_addr not 64-byte aligned), -ENODEV (not initialised) or a
    // command error.
    int set_abort(unsigned devfn);
    int set_bypass(unsigned devfn);
    int set_translate(unsigned devfn, std::uint64_t cd_addr);
    ste_mode mode(unsigned devfn) const;
    // The context descriptor devfn's STE translates with; 0 when it does not translate.
    std::uint64_t ste_cd(unsigned devfn) const;

    // Queue commands, waiting for room while the queue is full. Returns 0, -ENODEV (not
    // initialised), -EINVAL (n == 0 or null), -ETIMEDOUT (no room came), -EIO (a queue write
    // failed). A command error found while waiting is repaired and reported by the next sync().
    int submit(const smmu_cmd* cmds, std::size_t n);
    int submit(const smmu_cmd& c) { return submit(&c, 1); }
    // CMD_SYNC, then wait until CMDQ_CONS passed it. Returns 0, -EIO (a command before it was
    // refused since the last sync: logged with its opcode), -ETIMEDOUT (logged with the opcode
    // the queue is stuck at) or -ENODEV.
    int sync();
    // submit() then sync().
    int issue(const smmu_cmd* cmds, std::size_t n);
    int issue(const smmu_cmd& c) { return issue(&c, 1); }

    // Reads every pending event record, decodes and keeps it. Returns how many were read.
    unsigned drain_events();
    const std::deque<smmu_event>& events() const { return events_; }
    std::vector<smmu_event> take_events();
    // Active GERROR bits (before acknowledging them), each logged by name; 0 when none.
    std::uint32_t handle_gerror();
    // What the hal::irq_smmu handler does: drain events, then global errors.
    void handle_irq();
    static const char* event_name(std::uint8_t id);
    static const char* opcode_name(std::uint8_t opcode);

    // ASIDs for domains: 1..2^asid_bits - 1 (0 stays unused). -ENOSPC when none is left.
    int alloc_asid(std::uint16_t& asid);
    void free_asid(std::uint16_t asid);

    hal::platform& io() { return io_; }
    epc::coherent_pool& pool() { return pool_; }
    const smmu_stats& stats() const { return stats_; }
    // Where the driver put its structures (0 before init): STRTAB_BASE (the level-1 or the linear
    // table) and the level-2 table (0 for a linear table).
    std::uint64_t strtab_l1_addr() const { return l1_; }
    std::uint64_t strtab_l2_addr() const { return l2_; }
    const strtab_shape& strtab() const { return shape_; }
    // True when the board gives the controller one fixed StreamID.
    bool fixed_stream() const { return board_.smmu_stream.source == hal::stream_id_source::fixed; }
    std::uint64_t cmdq_addr() const { return cmdq_; }
    std::uint64_t evtq_addr() const { return evtq_; }
    unsigned cmdq_log2_entries() const { return cmdq_log2_; }
    unsigned evtq_log2_entries() const { return evtq_log2_; }

private:
    using ste = std::array<std::uint64_t, smmu_regs::STE_DWORDS>;

    std::uint64_t reg(std::uint32_t off) const { return board_.smmu.base + off; }
    int read_reg(std::uint32_t off, std::uint32_t& v);
    int write_reg(std::uint32_t off, std::uint32_t v);
    int write_reg64(std::uint32_t off, std::uint64_t v);
    int write_cr0(std::uint32_t v);
    int write_irq_ctrl(std::uint32_t v);
    int update_gbpa(std::uint32_t set);
    int wait_reg(std::uint32_t off, std::uint32_t mask, std::uint32_t want, const char* what);
    int alloc_zeroed(std::uint64_t bytes, std::uint64_t align, std::uint64_t& addr);
    void free_memory();
    void disable();
    int write_ste(unsigned devfn, const ste& s);
    static ste abort_ste();
    int build_strtab();
    // Index into stes_ and bus address of devfn's STE.
    unsigned ste_slot(unsigned devfn) const { return fixed_stream() ? 0 : devfn; }
    std::uint64_t ste_addr(unsigned devfn) const;

    // Queue arithmetic: index in the low log2 bits, wrap bit just above.
    std::uint32_t q_entries(unsigned log2) const { return 1u << log2; }
    std::uint32_t q_mask(unsigned log2) const { return (2u << log2) - 1; }
    int read_cmdq_cons(std::uint32_t& cons);
    void repair_cmdq_error();
    std::uint8_t opcode_at(std::uint32_t index);
    int wait_cmdq(bool for_room, std::uint8_t waiting_opcode);
    void decode_event(const std::array<std::uint64_t, smmu_regs::EVT_DWORDS>& raw, bool log);

    hal::platform& io_;
    const hal::ep_board& board_;
    epc::coherent_pool& pool_;
    smmu_config cfg_;
    smmu_features feat_;
    smmu_stats stats_;
    bool probed_ = false, enabled_ = false, handler_installed_ = false;
    bool cmdq_ready_ = false, evtq_ready_ = false;
    std::uint64_t l1_ = 0, l2_ = 0, cmdq_ = 0, evtq_ = 0;
    strtab_shape shape_;
    unsigned cmdq_log2_ = 0, evtq_log2_ = 0;
    std::uint32_t cmdq_prod_ = 0; // PROD as last written (index | wrap)
    std::uint32_t evtq_cons_ = 0; // CONS as last written (index | wrap | OVACKFLG)
    bool cmd_error_ = false;      // a command was refused since the last sync
    std::uint8_t cmd_error_opcode_ = 0;
    std::array<ste, smmu_regs::DEVFN_COUNT> stes_{};
    std::deque<smmu_event> events_;
    std::vector<bool> asids_;
};

// A stage-1 translation domain: one ASID, one context descriptor, one 4-level page table.
//
// Error codes of map/unmap (nothing changed unless stated):
//   -ENODEV  the domain was not initialised
//   -EINVAL  size 0, an address or size not 4 KiB aligned, prot without read/write or with
//            unknown bits
//   -ERANGE  iova + size beyond the 48-bit input range, or phys + size beyond the SMMU's
//            output address size
//   -EEXIST  map: a page of the range is already mapped
//   -ENODATA unmap: a page of the range is not mapped
//   -ENOMEM  no pool memory for a page table (map: what this call had mapped is undone;
//            unmap: a block that needs splitting could not be, nothing changed)
//   -EIO / -ETIMEDOUT  unmap: the tables were updated but the TLB invalidation failed
//   -EIO     map: a page-table write failed on the bus (logged)
class smmu_domain : public dma_domain {
public:
    // Above this many 4 KiB pages removed by one unmap, one TLBI_NH_ASID replaces the per-page
    // TLBI_NH_VAs (a whole 2 MiB block counts as its 512 pages).
    static constexpr std::uint64_t tlbi_asid_threshold = 64;
    static constexpr std::uint64_t page_bytes = smmu_regs::PAGE_BYTES;
    static constexpr std::uint64_t block_bytes = page_bytes << smmu_regs::PT_INDEX_BITS; // 2 MiB

    explicit smmu_domain(smmu_v3& smmu);
    // Sets the STEs it is attached to back to abort, invalidates its ASID and frees its tables.
    ~smmu_domain() override;
    smmu_domain(const smmu_domain&) = delete;
    smmu_domain& operator=(const smmu_domain&) = delete;

    // ASID, empty level-0 table and the context descriptor. Returns 0, -ENODEV (SMMU not
    // enabled), -ENOSPC (no ASID) or -ENOMEM. Calling it again after success does nothing.
    int init();
    bool initialised() const { return cd_ != 0; }
    // Points devfn's STE (every bus) at this domain. Returns 0, -ENODEV, -EINVAL or a command
    // error. detach() sets it to abort.
    int attach(unsigned devfn);
    int detach(unsigned devfn);
    bool attached(unsigned devfn) const { return attached_.count(devfn) != 0; }

    int map(std::uint64_t iova, std::uint64_t phys, std::uint64_t size, unsigned prot) override;
    int unmap(std::uint64_t iova, std::uint64_t size) override;
    std::uint64_t iova_limit() const override { return 1ull << smmu_regs::IA_BITS; }

    // The translation of iova from the shadow tables: 0 with phys (and prot, when asked), or
    // -ENODATA (not mapped) / -ERANGE (beyond the input range).
    int lookup(std::uint64_t iova, std::uint64_t& phys, unsigned* prot = nullptr) const;

    std::uint16_t asid() const { return asid_; }
    std::uint64_t cd_addr() const { return cd_; }
    std::uint64_t ttb0() const { return root_; }
    std::size_t tables() const { return tables_.size(); }
    std::uint64_t splits() const { return splits_; }

private:
    using table = std::vector<std::uint64_t>;
    struct slot {
        std::uint64_t table_addr = 0; // the table holding the descriptor
        unsigned index = 0;
        unsigned level = 0;
        std::uint64_t desc = 0;
    };
    static unsigned index_of(std::uint64_t iova, unsigned level);
    static std::uint64_t level_bytes(unsigned level);
    // Deepest descriptor for iova: stops at an invalid entry, a block or a page.
    slot walk(std::uint64_t iova) const;
    bool any_mapped(std::uint64_t iova, std::uint64_t size) const;
    bool all_mapped(std::uint64_t iova, std::uint64_t size) const;
    std::uint64_t leaf_attrs(unsigned prot) const;
    int check_args(std::uint64_t iova, std::uint64_t size) const;
    int alloc_table(const table& contents, std::uint64_t& addr);
    int write_desc(std::uint64_t table_addr, unsigned index, std::uint64_t desc);
    int write_span(std::uint64_t table_addr, unsigned first, unsigned count);
    // The level-2 table covering iova, created (with its parents) when missing.
    int l2_table(std::uint64_t iova, std::uint64_t& addr);
    int map_chunk(std::uint64_t iova, std::uint64_t phys, std::uint64_t size, unsigned prot);
    // Clears [iova, iova + size) (every page mapped), splitting partly covered blocks; the
    // split tables are allocated before anything changes (-ENOMEM leaves all as it was).
    int unmap_tables(std::uint64_t iova, std::uint64_t size);
    int invalidate(std::uint64_t iova, std::uint64_t size);
    void free_table(std::uint64_t addr);

    smmu_v3& smmu_;
    hal::platform& io_;
    std::uint16_t asid_ = 0;
    std::uint64_t cd_ = 0, root_ = 0;
    std::unordered_map<std::uint64_t, table> tables_; // the shadow: table address -> entries
    std::set<unsigned> attached_;
    std::uint64_t splits_ = 0;
};

} // namespace fw::iommu
