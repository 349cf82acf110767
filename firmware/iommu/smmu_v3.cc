#include "firmware/iommu/smmu_v3.h"

#include "firmware/hal/errno.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace fw::iommu {

using namespace smmu_regs;

namespace {
constexpr const char* log_cat = "smmu";
constexpr unsigned bits_per_byte = 8;
constexpr unsigned devfn_bits = 8;
constexpr std::uint32_t devfn_mask = 0xFF;
constexpr unsigned t0sz = 64 - IA_BITS;
constexpr std::uint32_t cr0_used_bits = CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN;
constexpr std::uint32_t irq_ctrl_used_bits =
    IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_PRIQ_IRQEN | IRQ_CTRL_EVTQ_IRQEN;
constexpr std::uint64_t asid_reserved = 0; // never handed out
constexpr unsigned asid16_bits = 16, asid8_bits = 8;
// SMMU_STRTAB_BASE_CFG.SPLIT values (level-2 tables of 4, 16 and 64 KiB); others are reserved.
constexpr unsigned strtab_splits[] = {6, 8, 10};
constexpr unsigned sid_max_bits = 32;

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

void put_le64(std::vector<std::uint8_t>& buf, std::size_t off, std::uint64_t v) {
    for (std::size_t i = 0; i < sizeof v; ++i)
        buf[off + i] = static_cast<std::uint8_t>(v >> (i * bits_per_byte));
}

std::uint64_t get_le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof v; ++i)
        v |= std::uint64_t(p[i]) << (i * bits_per_byte);
    return v;
}

const char* cerror_name(std::uint32_t err) {
    switch (err) {
    case CERROR_NONE:
        return "CERROR_NONE";
    case CERROR_ILL:
        return "CERROR_ILL";
    case CERROR_ABT:
        return "CERROR_ABT";
    case CERROR_ATC_INV_SYNC:
        return "CERROR_ATC_INV_SYNC";
    }
    return "CERROR_?";
}

struct gerror_bit {
    std::uint32_t bit;
    const char* name;
    const char* meaning;
};
constexpr gerror_bit gerror_bits[] = {
    {GERROR_CMDQ_ERR, "CMDQ_ERR", "the command queue stopped at a bad command"},
    {GERROR_EVTQ_ABT_ERR, "EVTQ_ABT_ERR", "an event-queue write aborted: events were lost"},
    {GERROR_PRIQ_ABT_ERR, "PRIQ_ABT_ERR", "a PRI-queue write aborted"},
    {GERROR_MSI_CMDQ_ABT_ERR, "MSI_CMDQ_ABT_ERR", "a CMD_SYNC MSI write aborted"},
    {GERROR_MSI_EVTQ_ABT_ERR, "MSI_EVTQ_ABT_ERR", "an event-queue MSI write aborted"},
    {GERROR_MSI_PRIQ_ABT_ERR, "MSI_PRIQ_ABT_ERR", "a PRI-queue MSI write aborted"},
    {GERROR_MSI_GERROR_ABT_ERR, "MSI_GERROR_ABT_ERR", "a GERROR MSI write aborted"},
    {GERROR_SFM_ERR, "SFM_ERR", "service failure mode: the SMMU stopped translating"},
    {GERROR_CMDQP_ERR, "CMDQP_ERR", "a command-queue error while processing"},
};
} // namespace

std::uint64_t strtab_shape::bytes() const {
    if (!two_level) return std::uint64_t(STE_BYTES) << log2size;
    return (std::uint64_t(L1STD_BYTES) << (log2size - split)) + (std::uint64_t(STE_BYTES) << split);
}

strtab_shape smallest_strtab(std::uint32_t sid, bool two_level_ok) {
    strtab_shape best;
    while (best.log2size < sid_max_bits && (std::uint64_t(sid) >> best.log2size))
        ++best.log2size;
    if (!two_level_ok) return best;
    for (unsigned split : strtab_splits) {
        if (split >= best.log2size) continue;
        const strtab_shape s{true, best.log2size, split};
        if (s.bytes() < best.bytes()) best = s;
    }
    return best;
}

const char* to_string(ste_mode m) {
    switch (m) {
    case ste_mode::abort:
        return "abort";
    case ste_mode::bypass:
        return "bypass";
    case ste_mode::translate:
        return "translate";
    }
    return "?";
}

// ---- commands --------------------------------------------------------------------------------

smmu_cmd smmu_cmd::cfgi_ste(std::uint32_t sid, bool leaf) {
    return {CMD_CFGI_STE | (std::uint64_t(sid) << CMD0_SID_SHIFT), leaf ? CMD1_LEAF : 0};
}
smmu_cmd smmu_cmd::cfgi_all() {
    return {CMD_CFGI_ALL, CMD1_CFGI_ALL_RANGE};
}
smmu_cmd smmu_cmd::cfgi_cd(std::uint32_t sid) {
    return {CMD_CFGI_CD | (std::uint64_t(sid) << CMD0_SID_SHIFT), 0};
}
smmu_cmd smmu_cmd::tlbi_nh_asid(std::uint16_t asid) {
    return {CMD_TLBI_NH_ASID | (std::uint64_t(asid) << CMD0_ASID_SHIFT), 0};
}
smmu_cmd smmu_cmd::tlbi_nh_va(std::uint16_t asid, std::uint64_t va, bool leaf) {
    return {CMD_TLBI_NH_VA | (std::uint64_t(asid) << CMD0_ASID_SHIFT),
            (va & CMD1_VA_MASK) | (leaf ? CMD1_LEAF : 0)};
}
smmu_cmd smmu_cmd::tlbi_nsnh_all() {
    return {CMD_TLBI_NSNH_ALL, 0};
}
smmu_cmd smmu_cmd::sync() {
    return {CMD_SYNC | (CMD_SYNC_CS_NONE << CMD0_SYNC_CS_SHIFT), 0};
}

const char* smmu_v3::opcode_name(std::uint8_t opcode) {
    switch (opcode) {
    case CMD_CFGI_STE:
        return "CFGI_STE";
    case CMD_CFGI_ALL:
        return "CFGI_ALL";
    case CMD_CFGI_CD:
        return "CFGI_CD";
    case CMD_TLBI_NH_ASID:
        return "TLBI_NH_ASID";
    case CMD_TLBI_NH_VA:
        return "TLBI_NH_VA";
    case CMD_TLBI_NSNH_ALL:
        return "TLBI_NSNH_ALL";
    case CMD_SYNC:
        return "CMD_SYNC";
    }
    return "UNKNOWN";
}

const char* smmu_v3::event_name(std::uint8_t id) {
    switch (id) {
    case EVT_F_UUT:
        return "F_UUT";
    case EVT_C_BAD_STREAMID:
        return "C_BAD_STREAMID";
    case EVT_F_STE_FETCH:
        return "F_STE_FETCH";
    case EVT_C_BAD_STE:
        return "C_BAD_STE";
    case EVT_F_STREAM_DISABLED:
        return "F_STREAM_DISABLED";
    case EVT_C_BAD_SUBSTREAMID:
        return "C_BAD_SUBSTREAMID";
    case EVT_F_CD_FETCH:
        return "F_CD_FETCH";
    case EVT_C_BAD_CD:
        return "C_BAD_CD";
    case EVT_F_WALK_EABT:
        return "F_WALK_EABT";
    case EVT_F_TRANSLATION:
        return "F_TRANSLATION";
    case EVT_F_ADDR_SIZE:
        return "F_ADDR_SIZE";
    case EVT_F_ACCESS:
        return "F_ACCESS";
    case EVT_F_PERMISSION:
        return "F_PERMISSION";
    case EVT_F_TLB_CONFLICT:
        return "F_TLB_CONFLICT";
    case EVT_F_CFG_CONFLICT:
        return "F_CFG_CONFLICT";
    }
    return "UNKNOWN";
}

// ---- construction ----------------------------------------------------------------------------

smmu_v3::smmu_v3(hal::platform& io, const hal::ep_board& board, epc::coherent_pool& pool,
                 const smmu_config& cfg)
    : io_(io)
    , board_(board)
    , pool_(pool)
    , cfg_(cfg) {
    for (ste& s : stes_)
        s = abort_ste();
}

smmu_v3::~smmu_v3() {
    if (cmdq_ready_ || evtq_ready_ || enabled_) disable();
    if (handler_installed_) {
        // The handler refers to this object: leave one behind that only silences the SMMU.
        hal::platform& io = io_;
        const std::uint64_t irq_ctrl = reg(IRQ_CTRL);
        io_.set_irq_handler(hal::irq_smmu, [&io, irq_ctrl](unsigned) { io.wr32(irq_ctrl, 0); });
    }
    free_memory();
}

// ---- register access -------------------------------------------------------------------------

int smmu_v3::read_reg(std::uint32_t off, std::uint32_t& v) {
    const hal::status s = io_.read32(reg(off), v);
    if (s == hal::status::ok) return 0;
    io_.log(hal::log_level::error, log_cat,
            "read of register " + hex(off) + " failed: " + hal::to_string(s));
    return -EIO;
}

int smmu_v3::write_reg(std::uint32_t off, std::uint32_t v) {
    const hal::status s = io_.write32(reg(off), v);
    if (s == hal::status::ok) return 0;
    io_.log(hal::log_level::error, log_cat,
            "write of register " + hex(off) + " failed: " + hal::to_string(s));
    return -EIO;
}

int smmu_v3::write_reg64(std::uint32_t off, std::uint64_t v) {
    const hal::status s = io_.write64(reg(off), v);
    if (s == hal::status::ok) return 0;
    io_.log(hal::log_level::error, log_cat,
            "64-bit write of register " + hex(off) + " failed: " + hal::to_string(s));
    return -EIO;
}

// Polls until (reg & mask) == want; bounded both by simulated time and by a poll count, so a
// backend whose delay does not advance time cannot make it spin forever.
int smmu_v3::wait_reg(std::uint32_t off, std::uint32_t mask, std::uint32_t want, const char* what) {
    const std::uint64_t poll_ns = std::max<std::uint64_t>(cfg_.poll_interval_ns, 1);
    const std::uint64_t max_polls = cfg_.ack_timeout_ns / poll_ns + 2;
    const std::uint64_t deadline = io_.now_ns() + cfg_.ack_timeout_ns;
    std::uint32_t v = 0;
    for (std::uint64_t polls = 0;; ++polls) {
        if (int r = read_reg(off, v)) return r;
        if ((v & mask) == want) return 0;
        if (polls >= max_polls || io_.now_ns() >= deadline) break;
        io_.delay_ns(poll_ns);
    }
    io_.log(hal::log_level::error, log_cat,
            std::string(what) + " timed out after " + std::to_string(cfg_.ack_timeout_ns) +
                " ns: register " + hex(off) + " = " + hex(v) + ", expected " + hex(want) +
                " under mask " + hex(mask));
    return -ETIMEDOUT;
}

int smmu_v3::write_cr0(std::uint32_t v) {
    if (int r = write_reg(CR0, v)) return r;
    return wait_reg(CR0ACK, cr0_used_bits, v & cr0_used_bits, "CR0ACK");
}

int smmu_v3::write_irq_ctrl(std::uint32_t v) {
    if (int r = write_reg(IRQ_CTRL, v)) return r;
    return wait_reg(IRQ_CTRLACK, irq_ctrl_used_bits, v & irq_ctrl_used_bits, "IRQ_CTRLACK");
}

// GBPA changes take effect through UPDATE, which the SMMU clears when done.
int smmu_v3::update_gbpa(std::uint32_t set) {
    if (int r = wait_reg(GBPA, GBPA_UPDATE, 0, "GBPA.UPDATE")) return r;
    std::uint32_t v = 0;
    if (int r = read_reg(GBPA, v)) return r;
    if (int r = write_reg(GBPA, (v & ~GBPA_UPDATE) | set | GBPA_UPDATE)) return r;
    return wait_reg(GBPA, GBPA_UPDATE, 0, "GBPA.UPDATE");
}

// ---- probe -----------------------------------------------------------------------------------

int smmu_v3::probe() {
    if (probed_) return 0;
    if (!board_.smmu.size) {
        io_.log(hal::log_level::info, log_cat, "no SMMU on this board");
        return -ENODEV;
    }
    if (board_.smmu.size < REG_SPACE_BYTES) {
        io_.log(hal::log_level::error, log_cat,
                "SMMU register region of " + std::to_string(board_.smmu.size) +
                    " bytes is smaller than its two register pages (" + hex(REG_SPACE_BYTES) +
                    "): not used");
        return -ENODEV;
    }
    smmu_features f;
    if (read_reg(IDR0, f.idr0) || read_reg(IDR1, f.idr1) || read_reg(IDR5, f.idr5)) return -ENODEV;
    auto refuse = [this](const std::string& why) {
        io_.log(hal::log_level::error, log_cat, "SMMU not usable: " + why);
        return -ENODEV;
    };
    f.s1p = f.idr0 & IDR0_S1P;
    f.s2p = f.idr0 & IDR0_S2P;
    const std::uint32_t ttf = (f.idr0 & IDR0_TTF_MASK) >> IDR0_TTF_SHIFT;
    f.aarch64_tables = ttf == IDR0_TTF_AARCH64 || ttf == IDR0_TTF_BOTH;
    f.coherent = f.idr0 & IDR0_COHACC;
    f.asid_bits = (f.idr0 & IDR0_ASID16) ? asid16_bits : asid8_bits;
    f.two_level_strtab =
        ((f.idr0 & IDR0_ST_LEVEL_MASK) >> IDR0_ST_LEVEL_SHIFT) == IDR0_ST_LEVEL_2LVL;
    const std::uint32_t endian = (f.idr0 & IDR0_TTENDIAN_MASK) >> IDR0_TTENDIAN_SHIFT;
    f.sid_bits = (f.idr1 & IDR1_SIDSIZE_MASK) >> IDR1_SIDSIZE_SHIFT;
    f.ssid_bits = (f.idr1 & IDR1_SSIDSIZE_MASK) >> IDR1_SSIDSIZE_SHIFT;
    f.evtq_log2_max = (f.idr1 & IDR1_EVTQS_MASK) >> IDR1_EVTQS_SHIFT;
    f.cmdq_log2_max = (f.idr1 & IDR1_CMDQS_MASK) >> IDR1_CMDQS_SHIFT;
    f.gran4k = f.idr5 & IDR5_GRAN4K;
    f.gran16k = f.idr5 & IDR5_GRAN16K;
    f.gran64k = f.idr5 & IDR5_GRAN64K;
    const std::uint32_t oas = (f.idr5 & IDR5_OAS_MASK) >> IDR5_OAS_SHIFT;

    if (!f.s1p) return refuse("no stage-1 translation (IDR0.S1P = 0)");
    if (!f.aarch64_tables)
        return refuse("no AArch64 translation tables (IDR0.TTF = " + std::to_string(ttf) + ")");
    if (endian != IDR0_TTENDIAN_MIXED && endian != IDR0_TTENDIAN_LE)
        return refuse("no little-endian table walks (IDR0.TTENDIAN = " + std::to_string(endian) +
                      ")");
    if (!f.gran4k) return refuse("no 4 KiB translation granule (IDR5.GRAN4K = 0)");
    if (oas >= PA_ENCODINGS) return refuse("reserved IDR5.OAS value " + std::to_string(oas));
    const hal::smmu_stream_desc& st = board_.smmu_stream;
    if (fixed_stream()) {
        if (f.sid_bits < sid_max_bits && (std::uint64_t(st.fixed_id) >> f.sid_bits))
            return refuse("the board's StreamID " + hex(st.fixed_id) + " does not fit in " +
                          std::to_string(f.sid_bits) + "-bit stream IDs (IDR1.SIDSIZE)");
    } else {
        if (!f.two_level_strtab)
            return refuse("no 2-level stream table (IDR0.ST_LEVEL != 1) to share among the bus "
                          "numbers of requester-ID stream IDs");
        if (f.sid_bits < SID_BITS)
            return refuse("stream IDs of " + std::to_string(f.sid_bits) +
                          " bits cannot hold a 16-bit requester ID (IDR1.SIDSIZE)");
    }
    f.oas_bits = PA_BITS[oas];
    feat_ = f;
    probed_ = true;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "SMMUv3: S1%s, %u-bit ASID, %u-bit SID, %u-bit OAS, cmdq 2^%u, evtq 2^%u%s",
                  f.s2p ? "+S2" : "", f.asid_bits, f.sid_bits, f.oas_bits, f.cmdq_log2_max,
                  f.evtq_log2_max, f.coherent ? ", coherent" : "");
    io_.log(hal::log_level::info, log_cat, buf);
    return 0;
}

// ---- init ------------------------------------------------------------------------------------

smmu_v3::ste smmu_v3::abort_ste() {
    ste s{};
    s[0] = STE0_V | (STE_CONFIG_ABORT << STE0_CONFIG_SHIFT);
    return s;
}

int smmu_v3::alloc_zeroed(std::uint64_t bytes, std::uint64_t align, std::uint64_t& addr) {
    if (pool_.alloc(bytes, align, addr)) {
        io_.log(hal::log_level::error, log_cat,
                "no pool memory for " + std::to_string(bytes) + " bytes");
        return -ENOMEM;
    }
    const std::vector<std::uint8_t> zeros(bytes, 0);
    const hal::status s = io_.write(addr, zeros.data(), zeros.size());
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                "clearing memory at " + hex(addr) + " failed: " + hal::to_string(s));
        pool_.free(addr);
        addr = 0;
        return -EIO;
    }
    return 0;
}

void smmu_v3::free_memory() {
    for (std::uint64_t* a : {&l1_, &l2_, &cmdq_, &evtq_}) {
        if (*a) pool_.free(*a);
        *a = 0;
    }
}

void smmu_v3::disable() {
    enabled_ = false;
    (void)write_irq_ctrl(0);
    (void)write_cr0(0);
    // With SMMUEN = 0 the SMMU obeys GBPA: abort rather than let DMA through untranslated.
    (void)update_gbpa(GBPA_ABORT);
    cmdq_ready_ = evtq_ready_ = false;
}

int smmu_v3::init() {
    if (enabled_) return 0;
    if (int r = probe()) return r;
    cmdq_log2_ = std::min(cfg_.cmdq_log2_entries, feat_.cmdq_log2_max);
    evtq_log2_ = std::min(cfg_.evtq_log2_entries, feat_.evtq_log2_max);
    const std::uint64_t cmdq_bytes = std::uint64_t(q_entries(cmdq_log2_)) * CMD_BYTES;
    const std::uint64_t evtq_bytes = std::uint64_t(q_entries(evtq_log2_)) * EVT_BYTES;
    auto fail = [this](int r) {
        disable();
        free_memory();
        return r;
    };

    // Stream table, then the queues, each aligned to its size.
    int r = build_strtab();
    if (!r)
        r = alloc_zeroed(cmdq_bytes, std::max<std::uint64_t>(cmdq_bytes, Q_MIN_ALIGN_BYTES), cmdq_);
    if (!r)
        r = alloc_zeroed(evtq_bytes, std::max<std::uint64_t>(evtq_bytes, Q_MIN_ALIGN_BYTES), evtq_);
    if (r) {
        free_memory();
        return r;
    }

    // Quiesce whatever ran before, with incoming DMA aborted while SMMUEN is 0.
    std::uint32_t cr0 = 0;
    if ((r = read_reg(CR0, cr0))) return fail(r);
    if (cr0 & CR0_SMMUEN)
        io_.log(hal::log_level::warning, log_cat, "SMMU was enabled before init: resetting it");
    if ((r = update_gbpa(GBPA_ABORT))) return fail(r);
    if ((r = write_cr0(0))) return fail(r);
    if ((r = write_irq_ctrl(0))) return fail(r);

    // Table and queue accesses: write-back cacheable, inner shareable; record bad stream IDs.
    const std::uint32_t cr1 =
        (CR1_CACHE_WB << CR1_QUEUE_IC_SHIFT) | (CR1_CACHE_WB << CR1_QUEUE_OC_SHIFT) |
        (CR1_SH_ISH << CR1_QUEUE_SH_SHIFT) | (CR1_CACHE_WB << CR1_TABLE_IC_SHIFT) |
        (CR1_CACHE_WB << CR1_TABLE_OC_SHIFT) | (CR1_SH_ISH << CR1_TABLE_SH_SHIFT);
    if ((r = write_reg(CR1, cr1))) return fail(r);
    if ((r = write_reg(CR2, CR2_RECINVSID))) return fail(r);

    const std::uint32_t fmt =
        shape_.two_level ? STRTAB_BASE_CFG_FMT_2LVL : STRTAB_BASE_CFG_FMT_LINEAR;
    const std::uint32_t strtab_cfg = (fmt << STRTAB_BASE_CFG_FMT_SHIFT) |
                                     (shape_.split << STRTAB_BASE_CFG_SPLIT_SHIFT) |
                                     (shape_.log2size << STRTAB_BASE_CFG_LOG2SIZE_SHIFT);
    if ((r = write_reg64(STRTAB_BASE, STRTAB_BASE_RA | (l1_ & STRTAB_BASE_ADDR_MASK))))
        return fail(r);
    if ((r = write_reg(STRTAB_BASE_CFG, strtab_cfg))) return fail(r);

    // Command queue, then the invalidations of anything cached from before.
    if ((r = write_reg64(CMDQ_BASE, Q_BASE_RWA | (cmdq_ & Q_BASE_ADDR_MASK) | cmdq_log2_)))
        return fail(r);
    if ((r = write_reg(CMDQ_PROD, 0)) || (r = write_reg(CMDQ_CONS, 0))) return fail(r);
    cmdq_prod_ = 0;
    cmd_error_ = false;
    if ((r = write_cr0(CR0_CMDQEN))) return fail(r);
    cmdq_ready_ = true;
    const smmu_cmd inval[] = {smmu_cmd::cfgi_all(), smmu_cmd::tlbi_nsnh_all()};
    if ((r = issue(inval, sizeof inval / sizeof inval[0]))) return fail(r);

    // Event queue.
    if ((r = write_reg64(EVTQ_BASE, Q_BASE_RWA | (evtq_ & Q_BASE_ADDR_MASK) | evtq_log2_)))
        return fail(r);
    if ((r = write_reg(EVTQ_PROD, 0)) || (r = write_reg(EVTQ_CONS, 0))) return fail(r);
    evtq_cons_ = 0;
    if ((r = write_cr0(CR0_CMDQEN | CR0_EVTQEN))) return fail(r);
    evtq_ready_ = true;

    // Interrupts: event queue and global errors on hal::irq_smmu.
    io_.set_irq_handler(hal::irq_smmu, [this](unsigned) { handle_irq(); });
    handler_installed_ = true;
    if ((r = write_irq_ctrl(IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVTQ_IRQEN))) return fail(r);

    if ((r = write_cr0(CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN))) return fail(r);
    asids_.assign(std::size_t(1) << feat_.asid_bits, false);
    asids_[asid_reserved] = true;
    enabled_ = true;
    const std::string streams = fixed_stream() ? "StreamID " + hex(board_.smmu_stream.fixed_id)
                                               : std::string("requester-ID StreamIDs");
    const std::string shape =
        shape_.two_level ? "2-level, LOG2SIZE " + std::to_string(shape_.log2size) + ", SPLIT " +
                               std::to_string(shape_.split) + ", L2 " + hex(l2_)
                         : "linear, LOG2SIZE " + std::to_string(shape_.log2size);
    io_.log(hal::log_level::info, log_cat,
            "SMMUv3 enabled: stream table " + hex(l1_) + " (" + shape + ", " +
                std::to_string(shape_.bytes()) + " bytes, " + streams + "), cmdq " + hex(cmdq_) +
                " x" + std::to_string(q_entries(cmdq_log2_)) + ", evtq " + hex(evtq_) + " x" +
                std::to_string(q_entries(evtq_log2_)));
    return 0;
}

// ---- stream table ----------------------------------------------------------------------------

// The stream table for the board's StreamIDs, every STE explicitly abort. A fixed StreamID gets
// the smallest table that covers it; requester IDs a 2-level table whose 256 level-1 descriptors
// (one per bus number) all point at one level-2 table (index = devfn). Tables are aligned to
// their size, as STRTAB_BASE and L1STD.L2Ptr require (at least 64 bytes). On failure the caller
// frees what was allocated.
int smmu_v3::build_strtab() {
    const std::uint32_t sid = board_.smmu_stream.fixed_id;
    shape_ = fixed_stream() ? smallest_strtab(sid, feat_.two_level_strtab)
                            : strtab_shape{true, SID_BITS, STRTAB_SPLIT};
    const std::uint64_t stes = std::uint64_t(1)
                               << (shape_.two_level ? shape_.split : shape_.log2size);
    const std::uint64_t ste_table_bytes = stes * STE_BYTES;
    const std::uint64_t l1_count =
        shape_.two_level ? std::uint64_t(1) << (shape_.log2size - shape_.split) : 0;
    const std::uint64_t l1_bytes = l1_count * L1STD_BYTES;
    std::uint64_t& ste_table = shape_.two_level ? l2_ : l1_;
    int r = 0;
    if (shape_.two_level)
        r = alloc_zeroed(l1_bytes, std::max<std::uint64_t>(l1_bytes, STE_BYTES), l1_);
    if (!r) r = alloc_zeroed(ste_table_bytes, ste_table_bytes, ste_table);
    if (r) return r;

    std::vector<std::uint8_t> buf(ste_table_bytes, 0);
    const ste abort = abort_ste();
    for (ste& s : stes_)
        s = abort;
    for (std::uint64_t i = 0; i < stes; ++i)
        for (unsigned d = 0; d < STE_DWORDS; ++d)
            put_le64(buf, i * STE_BYTES + d * sizeof(std::uint64_t), abort[d]);
    hal::status s = io_.write(ste_table, buf.data(), buf.size());
    if (shape_.two_level && s == hal::status::ok) {
        // Level-1 descriptors: SPAN covers the whole level-2 table (2^(SPAN - 1) STEs). With a
        // fixed StreamID only its own descriptor is valid (SPAN 0 elsewhere: C_BAD_STREAMID).
        const std::uint64_t desc = (l2_ & L1STD_L2PTR_MASK) | (shape_.split + 1);
        buf.assign(l1_bytes, 0);
        for (std::uint64_t i = 0; i < l1_count; ++i)
            if (!fixed_stream() || i == (sid >> shape_.split)) put_le64(buf, i * L1STD_BYTES, desc);
        s = io_.write(l1_, buf.data(), buf.size());
    }
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                std::string("writing the stream table failed: ") + hal::to_string(s));
        return -EIO;
    }
    return 0;
}

std::uint64_t smmu_v3::ste_addr(unsigned devfn) const {
    if (!fixed_stream()) return l2_ + std::uint64_t(devfn) * STE_BYTES;
    const std::uint32_t sid = board_.smmu_stream.fixed_id;
    if (!shape_.two_level) return l1_ + std::uint64_t(sid) * STE_BYTES;
    return l2_ + std::uint64_t(sid & ((1u << shape_.split) - 1)) * STE_BYTES;
}

// Dwords 1..7 first, dword0 (V, Config, S1ContextPtr) last as one 64-bit store, so the SMMU
// never sees a new Config with old attributes; then CFGI_STE of the fixed StreamID, or CFGI_ALL
// when the level-2 table is shared by every bus, and CMD_SYNC.
int smmu_v3::write_ste(unsigned devfn, const ste& s) {
    if (!enabled_) return -ENODEV;
    if (devfn >= DEVFN_COUNT) {
        io_.log(hal::log_level::error, log_cat,
                "devfn " + std::to_string(devfn) + " out of range (0..255)");
        return -EINVAL;
    }
    const std::uint64_t addr = ste_addr(devfn);
    ste& cur = stes_[ste_slot(devfn)];
    hal::status st = hal::status::ok;
    if (!std::equal(s.begin() + 1, s.end(), cur.begin() + 1)) {
        std::vector<std::uint8_t> buf(STE_BYTES - sizeof(std::uint64_t), 0);
        for (unsigned d = 1; d < STE_DWORDS; ++d)
            put_le64(buf, (d - 1) * sizeof(std::uint64_t), s[d]);
        st = io_.write(addr + sizeof(std::uint64_t), buf.data(), buf.size());
    }
    if (st == hal::status::ok) st = io_.write64(addr, s[0]);
    if (st != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                "writing the STE of devfn " + std::to_string(devfn) +
                    " failed: " + hal::to_string(st));
        return -EIO;
    }
    cur = s;
    return issue(fixed_stream() ? smmu_cmd::cfgi_ste(board_.smmu_stream.fixed_id, true)
                                : smmu_cmd::cfgi_all());
}

int smmu_v3::set_abort(unsigned devfn) {
    return write_ste(devfn, abort_ste());
}

int smmu_v3::set_bypass(unsigned devfn) {
    ste s{};
    s[0] = STE0_V | (STE_CONFIG_BYPASS << STE0_CONFIG_SHIFT);
    s[1] = STE_SHCFG_INCOMING << STE1_SHCFG_SHIFT;
    return write_ste(devfn, s);
}

int smmu_v3::set_translate(unsigned devfn, std::uint64_t cd_addr) {
    if (!cd_addr || (cd_addr & ~STE0_S1CTXPTR_MASK)) {
        io_.log(hal::log_level::error, log_cat,
                "context descriptor address " + hex(cd_addr) + " is not a 64-byte aligned " +
                    "address below 2^52");
        return -EINVAL;
    }
    ste s{};
    s[0] = STE0_V | (STE_CONFIG_S1_TRANS << STE0_CONFIG_SHIFT) | (cd_addr & STE0_S1CTXPTR_MASK);
    s[1] = (STE_CACHE_WBRA << STE1_S1CIR_SHIFT) | (STE_CACHE_WBRA << STE1_S1COR_SHIFT) |
           (STE_SH_ISH << STE1_S1CSH_SHIFT);
    return write_ste(devfn, s);
}

ste_mode smmu_v3::mode(unsigned devfn) const {
    if (devfn >= DEVFN_COUNT) return ste_mode::abort;
    switch ((stes_[ste_slot(devfn)][0] & STE0_CONFIG_MASK) >> STE0_CONFIG_SHIFT) {
    case STE_CONFIG_BYPASS:
        return ste_mode::bypass;
    case STE_CONFIG_S1_TRANS:
        return ste_mode::translate;
    default:
        return ste_mode::abort;
    }
}

std::uint64_t smmu_v3::ste_cd(unsigned devfn) const {
    if (mode(devfn) != ste_mode::translate) return 0;
    return stes_[ste_slot(devfn)][0] & STE0_S1CTXPTR_MASK;
}

// ---- command queue ---------------------------------------------------------------------------

int smmu_v3::read_cmdq_cons(std::uint32_t& cons) {
    std::uint32_t v = 0;
    if (int r = read_reg(CMDQ_CONS, v)) return r;
    cons = v & q_mask(cmdq_log2_);
    return 0;
}

std::uint8_t smmu_v3::opcode_at(std::uint32_t index) {
    std::uint64_t dw0 = 0;
    const std::uint64_t addr =
        cmdq_ + std::uint64_t(index & (q_entries(cmdq_log2_) - 1)) * CMD_BYTES;
    if (io_.read64(addr, dw0) != hal::status::ok) return 0;
    return static_cast<std::uint8_t>(dw0 & CMD0_OPCODE_MASK);
}

// The queue stopped at a command: name it and acknowledge CMDQ_ERR so the queue resumes. A command
// it refused (CERROR_ILL, or an error code it does not know) is replaced by a CMD_SYNC first (which
// does nothing harmful when executed); after an abort on the command fetch (CERROR_ABT) the queue
// fetches the same command again, as Linux's __arm_smmu_cmdq_skip_err leaves it.
void smmu_v3::repair_cmdq_error() {
    std::uint32_t g = 0, gn = 0, cons = 0;
    if (read_reg(GERROR, g) || read_reg(GERRORN, gn)) return;
    if (!((g ^ gn) & GERROR_CMDQ_ERR)) return;
    if (read_reg(CMDQ_CONS, cons)) return;
    const std::uint32_t err = (cons & CMDQ_CONS_ERR_MASK) >> CMDQ_CONS_ERR_SHIFT;
    const std::uint32_t index = cons & (q_entries(cmdq_log2_) - 1);
    const std::uint8_t op = opcode_at(index);
    const bool skip = err != CERROR_ABT && err != CERROR_NONE && err != CERROR_ATC_INV_SYNC;
    char buf[160];
    std::snprintf(buf, sizeof buf, "command queue stopped (%s) at entry %u: opcode 0x%02x (%s) %s",
                  cerror_name(err), index, op, opcode_name(op), skip ? "refused" : "fetched again");
    io_.log(hal::log_level::error, log_cat, buf);
    if (skip) {
        const smmu_cmd nop = smmu_cmd::sync();
        std::vector<std::uint8_t> bytes(CMD_BYTES, 0);
        put_le64(bytes, 0, nop.dw0);
        put_le64(bytes, sizeof(std::uint64_t), nop.dw1);
        (void)io_.write(cmdq_ + std::uint64_t(index) * CMD_BYTES, bytes.data(), bytes.size());
    }
    (void)write_reg(GERRORN, gn ^ GERROR_CMDQ_ERR);
    ++stats_.gerrors;
    if (!skip) return;
    ++stats_.cmd_errors;
    if (!cmd_error_) cmd_error_opcode_ = op;
    cmd_error_ = true;
}

// Waits for room in the queue (for_room) or for the queue to have consumed everything up to
// PROD; repairs a stopped queue on the way. Bounded by time and by a poll count.
int smmu_v3::wait_cmdq(bool for_room, std::uint8_t waiting_opcode) {
    const std::uint64_t poll_ns = std::max<std::uint64_t>(cfg_.poll_interval_ns, 1);
    const std::uint64_t max_polls = cfg_.sync_timeout_ns / poll_ns + 2;
    const std::uint64_t deadline = io_.now_ns() + cfg_.sync_timeout_ns;
    const std::uint32_t n = q_entries(cmdq_log2_), m = q_mask(cmdq_log2_);
    std::uint32_t cons = 0;
    for (std::uint64_t polls = 0;; ++polls) {
        repair_cmdq_error();
        if (int r = read_cmdq_cons(cons)) return r;
        const std::uint32_t used = (cmdq_prod_ - cons) & m;
        if (for_room ? used < n : used == 0) return 0;
        if (polls >= max_polls || io_.now_ns() >= deadline) break;
        io_.delay_ns(poll_ns);
    }
    ++stats_.sync_timeouts;
    const std::uint8_t stuck = opcode_at(cons);
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%s 0x%02x (%s) timed out after %llu ns: CMDQ_CONS 0x%x, PROD 0x%x, queue "
                  "stuck at opcode 0x%02x (%s)",
                  for_room ? "waiting for command-queue room for" : "waiting for", waiting_opcode,
                  opcode_name(waiting_opcode),
                  static_cast<unsigned long long>(cfg_.sync_timeout_ns), cons, cmdq_prod_, stuck,
                  opcode_name(stuck));
    io_.log(hal::log_level::error, log_cat, buf);
    return -ETIMEDOUT;
}

int smmu_v3::submit(const smmu_cmd* cmds, std::size_t n) {
    if (!cmdq_ready_) return -ENODEV;
    if (!cmds || !n) return -EINVAL;
    const std::uint32_t entries = q_entries(cmdq_log2_), m = q_mask(cmdq_log2_);
    std::size_t i = 0;
    while (i < n) {
        std::uint32_t cons = 0;
        if (int r = read_cmdq_cons(cons)) return r;
        const std::uint32_t used = (cmdq_prod_ - cons) & m;
        if (used >= entries) {
            if (int r = wait_cmdq(true, cmds[i].opcode())) return r;
            continue;
        }
        for (std::uint32_t room = entries - used; room && i < n; --room, ++i) {
            std::vector<std::uint8_t> bytes(CMD_BYTES, 0);
            put_le64(bytes, 0, cmds[i].dw0);
            put_le64(bytes, sizeof(std::uint64_t), cmds[i].dw1);
            const std::uint64_t addr =
                cmdq_ + std::uint64_t(cmdq_prod_ & (entries - 1)) * CMD_BYTES;
            const hal::status s = io_.write(addr, bytes.data(), bytes.size());
            if (s != hal::status::ok) {
                io_.log(hal::log_level::error, log_cat,
                        "writing command-queue entry at " + hex(addr) +
                            " failed: " + hal::to_string(s));
                return -EIO;
            }
            cmdq_prod_ = (cmdq_prod_ + 1) & m;
            ++stats_.commands;
        }
        if (int r = write_reg(CMDQ_PROD, cmdq_prod_)) return r;
    }
    return 0;
}

int smmu_v3::sync() {
    if (!cmdq_ready_) return -ENODEV;
    const smmu_cmd s = smmu_cmd::sync();
    int r = submit(&s, 1);
    if (!r) r = wait_cmdq(false, CMD_SYNC);
    if (!r) ++stats_.syncs;
    if (cmd_error_) {
        char buf[120];
        std::snprintf(buf, sizeof buf, "CMD_SYNC: command 0x%02x (%s) was refused",
                      cmd_error_opcode_, opcode_name(cmd_error_opcode_));
        io_.log(hal::log_level::error, log_cat, buf);
        cmd_error_ = false;
        return -EIO;
    }
    return r;
}

int smmu_v3::issue(const smmu_cmd* cmds, std::size_t n) {
    if (int r = submit(cmds, n)) return r;
    return sync();
}

// ---- events and global errors ----------------------------------------------------------------

void smmu_v3::decode_event(const std::array<std::uint64_t, EVT_DWORDS>& raw, bool log) {
    smmu_event e;
    e.raw = raw;
    e.id = static_cast<std::uint8_t>(raw[0] & EVT0_ID_MASK);
    e.name = event_name(e.id);
    e.sid = static_cast<std::uint32_t>(raw[0] >> EVT0_SID_SHIFT);
    e.read = raw[1] & EVT1_RNW;
    e.privileged = raw[1] & EVT1_PNU;
    e.instruction = raw[1] & EVT1_IND;
    e.addr = raw[2];
    ++stats_.events;
    if (log) {
        char who[40];
        if (fixed_stream())
            std::snprintf(who, sizeof who, "the controller's");
        else
            std::snprintf(who, sizeof who, "bus %u devfn 0x%02x",
                          (e.sid >> devfn_bits) & devfn_mask, e.sid & devfn_mask);
        char buf[200];
        std::snprintf(buf, sizeof buf, "event %s (0x%02x): stream 0x%04x (%s), %s of IOVA 0x%llx",
                      e.name, e.id, e.sid, who, e.read ? "read" : "write",
                      static_cast<unsigned long long>(e.addr));
        io_.log(hal::log_level::warning, log_cat, buf);
    }
    events_.push_back(e);
    while (events_.size() > cfg_.max_kept_events) {
        events_.pop_front();
        ++stats_.events_dropped;
    }
}

unsigned smmu_v3::drain_events() {
    if (!evtq_ready_) return 0;
    std::uint32_t prod = 0;
    if (read_reg(EVTQ_PROD, prod)) return 0;
    const std::uint32_t entries = q_entries(evtq_log2_), m = q_mask(evtq_log2_);
    bool changed = false;
    if ((prod & EVTQ_PROD_OVFLG) != (evtq_cons_ & EVTQ_CONS_OVACKFLG)) {
        io_.log(hal::log_level::warning, log_cat, "event queue overflowed: events were lost");
        ++stats_.evtq_overflows;
        evtq_cons_ ^= EVTQ_CONS_OVACKFLG;
        changed = true;
    }
    unsigned n = 0;
    while ((evtq_cons_ & m) != (prod & m) && n < entries) {
        const std::uint64_t addr = evtq_ + std::uint64_t(evtq_cons_ & (entries - 1)) * EVT_BYTES;
        std::uint8_t bytes[EVT_BYTES];
        const hal::status s = io_.read(addr, bytes, sizeof bytes);
        if (s != hal::status::ok) {
            io_.log(hal::log_level::error, log_cat,
                    "reading the event record at " + hex(addr) + " failed: " + hal::to_string(s));
            break;
        }
        std::array<std::uint64_t, EVT_DWORDS> raw{};
        for (unsigned d = 0; d < EVT_DWORDS; ++d)
            raw[d] = get_le64(bytes + d * sizeof(std::uint64_t));
        decode_event(raw, n < cfg_.max_logged_events_per_drain);
        evtq_cons_ = (evtq_cons_ & EVTQ_CONS_OVACKFLG) | ((evtq_cons_ + 1) & m);
        ++n;
        changed = true;
    }
    if (n > cfg_.max_logged_events_per_drain)
        io_.log(hal::log_level::warning, log_cat,
                "... and " + std::to_string(n - cfg_.max_logged_events_per_drain) + " more events");
    if (changed) (void)write_reg(EVTQ_CONS, evtq_cons_);
    return n;
}

std::vector<smmu_event> smmu_v3::take_events() {
    std::vector<smmu_event> v(events_.begin(), events_.end());
    events_.clear();
    return v;
}

std::uint32_t smmu_v3::handle_gerror() {
    if (!cmdq_ready_ && !evtq_ready_) return 0;
    std::uint32_t g = 0, gn = 0;
    if (read_reg(GERROR, g) || read_reg(GERRORN, gn)) return 0;
    const std::uint32_t active = (g ^ gn) & GERROR_ALL;
    if (!active) return 0;
    for (const gerror_bit& b : gerror_bits) {
        if (!(active & b.bit) || b.bit == GERROR_CMDQ_ERR) continue;
        io_.log(hal::log_level::error, log_cat,
                std::string("global error ") + b.name + ": " + b.meaning);
        ++stats_.gerrors;
    }
    if (active & GERROR_CMDQ_ERR) repair_cmdq_error(); // logs, acknowledges CMDQ_ERR itself
    const std::uint32_t rest = active & ~GERROR_CMDQ_ERR;
    if (rest && !read_reg(GERRORN, gn)) (void)write_reg(GERRORN, gn ^ rest);
    return active;
}

void smmu_v3::handle_irq() {
    ++stats_.irqs;
    drain_events();
    handle_gerror();
}

// ---- ASIDs -----------------------------------------------------------------------------------

int smmu_v3::alloc_asid(std::uint16_t& asid) {
    if (!enabled_) return -ENODEV;
    for (std::size_t a = asid_reserved + 1; a < asids_.size(); ++a) {
        if (asids_[a]) continue;
        asids_[a] = true;
        asid = static_cast<std::uint16_t>(a);
        return 0;
    }
    return -ENOSPC;
}

void smmu_v3::free_asid(std::uint16_t asid) {
    if (asid != asid_reserved && asid < asids_.size()) asids_[asid] = false;
}

// ---- translation domain ----------------------------------------------------------------------

namespace {
constexpr std::uint64_t table_bytes = std::uint64_t(PT_ENTRIES) * PT_DESC_BYTES;
constexpr unsigned last_level = PT_LEVELS - 1;
constexpr std::uint64_t block_mask = smmu_domain::block_bytes - 1;
constexpr std::uint64_t page_mask = smmu_domain::page_bytes - 1;

std::uint64_t align_down(std::uint64_t v, std::uint64_t a) {
    return v & ~(a - 1);
}
} // namespace

smmu_domain::smmu_domain(smmu_v3& smmu)
    : smmu_(smmu)
    , io_(smmu.io()) {}

smmu_domain::~smmu_domain() {
    for (unsigned devfn : attached_) {
        // Only STEs that still point at this domain: another domain may have taken it over.
        if (smmu_.ste_cd(devfn) != cd_) continue;
        if (int r = smmu_.set_abort(devfn))
            io_.log(hal::log_level::error, log_cat,
                    "domain teardown: devfn " + std::to_string(devfn) +
                        " not set to abort: " + err_name(r));
    }
    if (initialised() && smmu_.enabled()) (void)smmu_.issue(smmu_cmd::tlbi_nh_asid(asid_));
    for (const auto& t : tables_)
        smmu_.pool().free(t.first);
    tables_.clear();
    if (cd_) smmu_.pool().free(cd_);
    if (asid_) smmu_.free_asid(asid_);
}

unsigned smmu_domain::index_of(std::uint64_t iova, unsigned level) {
    return static_cast<unsigned>((iova >> (PAGE_SHIFT + PT_INDEX_BITS * (last_level - level))) &
                                 (PT_ENTRIES - 1));
}

std::uint64_t smmu_domain::level_bytes(unsigned level) {
    return page_bytes << (PT_INDEX_BITS * (last_level - level));
}

int smmu_domain::alloc_table(const table& contents, std::uint64_t& addr) {
    if (smmu_.pool().alloc(table_bytes, table_bytes, addr)) {
        io_.log(hal::log_level::error, log_cat, "no pool memory for a page table");
        return -ENOMEM;
    }
    std::vector<std::uint8_t> buf(table_bytes, 0);
    for (unsigned i = 0; i < PT_ENTRIES; ++i)
        put_le64(buf, std::size_t(i) * PT_DESC_BYTES, contents[i]);
    const hal::status s = io_.write(addr, buf.data(), buf.size());
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                "writing the page table at " + hex(addr) + " failed: " + hal::to_string(s));
        smmu_.pool().free(addr);
        return -EIO;
    }
    tables_[addr] = contents;
    return 0;
}

void smmu_domain::free_table(std::uint64_t addr) {
    tables_.erase(addr);
    smmu_.pool().free(addr);
}

int smmu_domain::write_desc(std::uint64_t table_addr, unsigned index, std::uint64_t desc) {
    const hal::status s = io_.write64(table_addr + std::uint64_t(index) * PT_DESC_BYTES, desc);
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                "writing a descriptor of table " + hex(table_addr) +
                    " failed: " + hal::to_string(s));
        return -EIO;
    }
    tables_[table_addr][index] = desc;
    return 0;
}

int smmu_domain::write_span(std::uint64_t table_addr, unsigned first, unsigned count) {
    const table& t = tables_.at(table_addr);
    std::vector<std::uint8_t> buf(std::size_t(count) * PT_DESC_BYTES, 0);
    for (unsigned i = 0; i < count; ++i)
        put_le64(buf, std::size_t(i) * PT_DESC_BYTES, t[first + i]);
    const hal::status s =
        io_.write(table_addr + std::uint64_t(first) * PT_DESC_BYTES, buf.data(), buf.size());
    if (s != hal::status::ok) {
        io_.log(hal::log_level::error, log_cat,
                "writing descriptors of table " + hex(table_addr) +
                    " failed: " + hal::to_string(s));
        return -EIO;
    }
    return 0;
}

int smmu_domain::init() {
    if (initialised()) return 0;
    if (!smmu_.enabled()) return -ENODEV;
    if (int r = smmu_.alloc_asid(asid_)) {
        io_.log(hal::log_level::error, log_cat, "no free ASID for a new domain");
        return r;
    }
    int r = alloc_table(table(PT_ENTRIES, 0), root_);
    std::uint64_t cd = 0;
    if (!r && smmu_.pool().alloc(CD_BYTES, CD_BYTES, cd)) {
        io_.log(hal::log_level::error, log_cat, "no pool memory for a context descriptor");
        r = -ENOMEM;
    }
    if (!r) {
        // Input: 48 bits through TTB0 (TTB1 walks disabled). Output: the SMMU's OAS, at most
        // the 48 bits the descriptors carry.
        const unsigned ips_bits = std::min(smmu_.features().oas_bits, IA_BITS);
        std::uint64_t ips = 0;
        for (unsigned e = 0; e < PA_ENCODINGS; ++e)
            if (PA_BITS[e] == ips_bits) ips = e;
        std::array<std::uint64_t, CD_DWORDS> d{};
        d[0] = (std::uint64_t(t0sz) << CD0_T0SZ_SHIFT) | (CD_TG0_4K << CD0_TG0_SHIFT) |
               (CD_RGN_WBWA << CD0_IRGN0_SHIFT) | (CD_RGN_WBWA << CD0_ORGN0_SHIFT) |
               (CD_SH_ISH << CD0_SH0_SHIFT) | CD0_EPD1 | CD0_V | (ips << CD0_IPS_SHIFT) | CD0_AA64 |
               CD0_R | CD0_A | CD0_ASET | (std::uint64_t(asid_) << CD0_ASID_SHIFT);
        d[1] = root_ & CD1_TTB0_MASK;
        d[CD_MAIR_DWORD] = (MAIR_ATTR_NORMAL_WBWA << (MAIR_IDX_NORMAL * MAIR_ATTR_BITS)) |
                           (MAIR_ATTR_DEVICE_NGNRE << (MAIR_IDX_DEVICE * MAIR_ATTR_BITS));
        std::vector<std::uint8_t> buf(CD_BYTES, 0);
        for (unsigned i = 0; i < CD_DWORDS; ++i)
            put_le64(buf, i * sizeof(std::uint64_t), d[i]);
        const hal::status s = io_.write(cd, buf.data(), buf.size());
        if (s != hal::status::ok) {
            io_.log(hal::log_level::error, log_cat,
                    "writing the context descriptor failed: " + std::string(hal::to_string(s)));
            smmu_.pool().free(cd);
            r = -EIO;
        }
    }
    if (r) {
        if (root_) free_table(root_);
        root_ = 0;
        smmu_.free_asid(asid_);
        asid_ = 0;
        return r;
    }
    cd_ = cd;
    return 0;
}

int smmu_domain::attach(unsigned devfn) {
    if (!initialised()) return -ENODEV;
    const int r = smmu_.set_translate(devfn, cd_);
    if (!r) attached_.insert(devfn);
    return r;
}

int smmu_domain::detach(unsigned devfn) {
    if (!initialised()) return -ENODEV;
    const int r = smmu_.set_abort(devfn);
    if (!r) attached_.erase(devfn);
    return r;
}

smmu_domain::slot smmu_domain::walk(std::uint64_t iova) const {
    slot s;
    std::uint64_t addr = root_;
    for (unsigned level = 0; level < PT_LEVELS; ++level) {
        const auto t = tables_.find(addr);
        if (t == tables_.end()) return s; // cannot happen: every linked table is in the shadow
        s = {addr, index_of(iova, level), level, 0};
        s.desc = t->second[s.index];
        if (!(s.desc & PTE_VALID) || level == last_level || !(s.desc & PTE_TABLE)) return s;
        addr = s.desc & PTE_ADDR_MASK;
    }
    return s;
}

bool smmu_domain::any_mapped(std::uint64_t iova, std::uint64_t size) const {
    const std::uint64_t end = iova + size;
    for (std::uint64_t cur = iova; cur < end;) {
        const slot s = walk(cur);
        if (s.desc & PTE_VALID) return true;
        cur = align_down(cur, level_bytes(s.level)) + level_bytes(s.level);
    }
    return false;
}

bool smmu_domain::all_mapped(std::uint64_t iova, std::uint64_t size) const {
    const std::uint64_t end = iova + size;
    for (std::uint64_t cur = iova; cur < end;) {
        const slot s = walk(cur);
        if (!(s.desc & PTE_VALID)) return false;
        cur = align_down(cur, level_bytes(s.level)) + level_bytes(s.level);
    }
    return true;
}

// Attributes shared by blocks and pages: valid, accessed (no hardware AF update), inner
// shareable, ASID-tagged, unprivileged access (device DMA is unprivileged), read-only unless
// writable, never executable, Normal or Device memory.
std::uint64_t smmu_domain::leaf_attrs(unsigned prot) const {
    const std::uint64_t attr_idx = (prot & prot_mmio) ? MAIR_IDX_DEVICE : MAIR_IDX_NORMAL;
    return PTE_VALID | PTE_AF | PTE_SH_ISH | PTE_NG | PTE_AP_UNPRIV |
           ((prot & prot_write) ? 0 : PTE_AP_RDONLY) | (attr_idx << PTE_ATTRINDX_SHIFT) | PTE_PXN |
           PTE_UXN;
}

int smmu_domain::check_args(std::uint64_t iova, std::uint64_t size) const {
    if (!initialised()) return -ENODEV;
    if (!size || (iova & page_mask) || (size & page_mask)) return -EINVAL;
    if (iova >= iova_limit() || size > iova_limit() - iova) return -ERANGE;
    return 0;
}

int smmu_domain::l2_table(std::uint64_t iova, std::uint64_t& addr) {
    std::uint64_t cur = root_;
    for (unsigned level = 0; level < BLOCK_LEVEL; ++level) {
        const unsigned i = index_of(iova, level);
        std::uint64_t d = tables_.at(cur)[i];
        if (!(d & PTE_VALID)) {
            std::uint64_t next = 0;
            if (int r = alloc_table(table(PT_ENTRIES, 0), next)) return r;
            d = (next & PTE_ADDR_MASK) | PTE_TABLE | PTE_VALID;
            if (int r = write_desc(cur, i, d)) {
                free_table(next);
                return r;
            }
        } else if (!(d & PTE_TABLE)) {
            return -EEXIST; // a block above level 2: never written by this driver
        }
        cur = d & PTE_ADDR_MASK;
    }
    addr = cur;
    return 0;
}

// One piece of a map that stays inside one 2 MiB region and whose pages are all unmapped.
int smmu_domain::map_chunk(std::uint64_t iova, std::uint64_t phys, std::uint64_t size,
                           unsigned prot) {
    std::uint64_t l2 = 0;
    if (int r = l2_table(iova, l2)) return r;
    const unsigned i2 = index_of(iova, BLOCK_LEVEL);
    const std::uint64_t d2 = tables_.at(l2)[i2];
    const std::uint64_t attrs = leaf_attrs(prot);
    const unsigned first = index_of(iova, last_level);
    const unsigned count = static_cast<unsigned>(size / page_bytes);
    if (!(d2 & PTE_VALID)) {
        if (size == block_bytes && !(phys & block_mask) && !(prot & prot_no_block))
            return write_desc(l2, i2, (phys & PTE_ADDR_MASK) | attrs);
        // A new level-3 table written complete before the level-2 descriptor points at it.
        table t3(PT_ENTRIES, 0);
        for (unsigned k = 0; k < count; ++k)
            t3[first + k] =
                ((phys + std::uint64_t(k) * page_bytes) & PTE_ADDR_MASK) | attrs | PTE_PAGE;
        std::uint64_t l3 = 0;
        if (int r = alloc_table(t3, l3)) return r;
        if (int r = write_desc(l2, i2, (l3 & PTE_ADDR_MASK) | PTE_TABLE | PTE_VALID)) {
            free_table(l3);
            return r;
        }
        return 0;
    }
    // An existing level-3 table (a block here would have been reported as already mapped).
    const std::uint64_t l3 = d2 & PTE_ADDR_MASK;
    table& t3 = tables_.at(l3);
    const table before = t3;
    for (unsigned k = 0; k < count; ++k)
        t3[first + k] = ((phys + std::uint64_t(k) * page_bytes) & PTE_ADDR_MASK) | attrs | PTE_PAGE;
    if (int r = write_span(l3, first, count)) {
        t3 = before;
        return r;
    }
    return 0;
}

int smmu_domain::map(std::uint64_t iova, std::uint64_t phys, std::uint64_t size, unsigned prot) {
    if (int r = check_args(iova, size)) return r;
    if (phys & page_mask) return -EINVAL;
    if (!(prot & (prot_read | prot_write)) || (prot & ~unsigned(prot_all))) return -EINVAL;
    const unsigned oas = std::min(smmu_.features().oas_bits, IA_BITS);
    const std::uint64_t out_limit = 1ull << oas;
    if (phys >= out_limit || size > out_limit - phys) {
        io_.log(hal::log_level::warning, log_cat,
                "map: physical range " + hex(phys) + "+" + hex(size) + " beyond the " +
                    std::to_string(oas) + "-bit output address size");
        return -ERANGE;
    }
    if (any_mapped(iova, size)) return -EEXIST;
    for (std::uint64_t off = 0; off < size;) {
        const std::uint64_t cur = iova + off;
        const std::uint64_t n =
            std::min(size - off, align_down(cur, block_bytes) + block_bytes - cur);
        if (int r = map_chunk(cur, phys + off, n, prot)) {
            // Undo what this call mapped: whole chunks, so no block needs splitting.
            if (off && !unmap_tables(iova, off)) (void)invalidate(iova, off);
            return r;
        }
        off += n;
    }
    return 0;
}

int smmu_domain::unmap_tables(std::uint64_t iova, std::uint64_t size) {
    const std::uint64_t end = iova + size;
    // Pass 1: blocks covered only in part become level-3 tables (only the first and the last
    // 2 MiB region can be such), allocated and written before anything changes.
    std::unordered_map<std::uint64_t, std::uint64_t> split_tables; // region -> new table
    for (std::uint64_t region : {align_down(iova, block_bytes), align_down(end - 1, block_bytes)}) {
        if (split_tables.count(region)) continue;
        const slot s = walk(region);
        const std::uint64_t lo = std::max(iova, region), hi = std::min(end, region + block_bytes);
        if (s.level != BLOCK_LEVEL || !(s.desc & PTE_VALID) || hi - lo == block_bytes) continue;
        const std::uint64_t out = s.desc & PTE_ADDR_MASK & ~block_mask;
        const std::uint64_t attrs = (s.desc & ~PTE_ADDR_MASK) | PTE_PAGE;
        table t3(PT_ENTRIES, 0);
        for (unsigned k = 0; k < PT_ENTRIES; ++k) {
            const std::uint64_t va = region + std::uint64_t(k) * page_bytes;
            if (va >= lo && va < hi) continue; // being unmapped
            t3[k] = ((out + std::uint64_t(k) * page_bytes) & PTE_ADDR_MASK) | attrs;
        }
        std::uint64_t l3 = 0;
        if (int r = alloc_table(t3, l3)) {
            for (const auto& st : split_tables)
                free_table(st.second);
            return r;
        }
        split_tables[region] = l3;
    }
    // Pass 2: clear pages, remove whole blocks, replace split blocks by their tables.
    int ret = 0;
    for (std::uint64_t cur = iova; cur < end;) {
        const std::uint64_t region = align_down(cur, block_bytes);
        const std::uint64_t n = std::min(end, region + block_bytes) - cur;
        const slot s = walk(cur);
        int r = 0;
        if (s.level == BLOCK_LEVEL) {
            const auto st = split_tables.find(region);
            if (st == split_tables.end()) {
                r = write_desc(s.table_addr, s.index, 0);
            } else {
                r = write_desc(s.table_addr, s.index,
                               (st->second & PTE_ADDR_MASK) | PTE_TABLE | PTE_VALID);
                ++splits_;
            }
        } else {
            const unsigned first = index_of(cur, last_level);
            const unsigned count = static_cast<unsigned>(n / page_bytes);
            table& t3 = tables_.at(s.table_addr);
            std::fill(t3.begin() + first, t3.begin() + first + count, 0);
            r = write_span(s.table_addr, first, count);
        }
        if (r && !ret) ret = r;
        cur += n;
    }
    return ret;
}

int smmu_domain::invalidate(std::uint64_t iova, std::uint64_t size) {
    const std::uint64_t pages = size / page_bytes;
    std::vector<smmu_cmd> cmds;
    if (pages > tlbi_asid_threshold) {
        cmds.push_back(smmu_cmd::tlbi_nh_asid(asid_));
    } else {
        for (std::uint64_t k = 0; k < pages; ++k)
            cmds.push_back(smmu_cmd::tlbi_nh_va(asid_, iova + k * page_bytes, true));
    }
    const int r = smmu_.issue(cmds.data(), cmds.size());
    if (r)
        io_.log(hal::log_level::error, log_cat,
                "unmap of " + hex(iova) + "+" + hex(size) + ": TLB invalidation failed (" +
                    err_name(r) + "): the SMMU may still translate it");
    return r;
}

int smmu_domain::unmap(std::uint64_t iova, std::uint64_t size) {
    if (int r = check_args(iova, size)) return r;
    if (!all_mapped(iova, size)) return -ENODATA;
    if (int r = unmap_tables(iova, size)) return r;
    return invalidate(iova, size);
}

int smmu_domain::lookup(std::uint64_t iova, std::uint64_t& phys, unsigned* prot) const {
    if (!initialised()) return -ENODEV;
    if (iova >= iova_limit()) return -ERANGE;
    const slot s = walk(iova);
    if (!(s.desc & PTE_VALID)) return -ENODATA;
    const std::uint64_t span = level_bytes(s.level);
    phys = (s.desc & PTE_ADDR_MASK & ~(span - 1)) + (iova & (span - 1));
    if (prot) {
        *prot = prot_read | ((s.desc & PTE_AP_RDONLY) ? 0u : unsigned(prot_write));
        if (((s.desc & PTE_ATTRINDX_MASK) >> PTE_ATTRINDX_SHIFT) == MAIR_IDX_DEVICE)
            *prot |= prot_mmio;
    }
    return 0;
}

} // namespace fw::iommu
