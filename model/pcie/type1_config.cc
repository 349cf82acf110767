#include "model/pcie/type1_config.h"

#include "model/pcie/config_space.h"

namespace epvp::pcie {

namespace {
namespace c = cfg;
constexpr std::uint32_t class_pci_bridge = 0x06040000;  // class 06h, subclass 04h
constexpr std::uint32_t header_type_1 = 1u << 16;       // Header Type 01h
constexpr std::uint32_t cache_line_rw = 0xFF;           // Cache Line Size
constexpr std::uint32_t bus_numbers_rw = 0x00FFFFFF;    // primary, secondary, subordinate
constexpr std::uint32_t bridge_window_rw = 0xFFF0FFF0u; // base/limit bits 31:20 of each
constexpr std::uint32_t io_window_rw = 0x0000F0F0u;     // I/O base/limit bits 15:12
constexpr std::uint32_t pref_64bit = 0x00010001u;       // 64-bit prefetchable window
// Command (section 7.5.1.1.3): Memory Space Enable, Bus Master Enable, Parity Error Response,
// SERR# Enable and Interrupt Disable are RW; I/O Space Enable is RW for a function with I/O
// space, permitted hardwired 0 otherwise; the others are hardwired 0 in PCIe.
constexpr std::uint32_t command_rw =
    c::cmd_memory | c::cmd_bus_master | c::cmd_parity | c::cmd_serr | c::cmd_intx_disable;
// Bridge Control (section 7.5.1.3.13), bits 31:16 of the register at 0x3C: Parity Error
// Response Enable (0), SERR# Enable (1), ISA Enable (2), VGA Enable (3), VGA 16-bit Decode (4),
// Secondary Bus Reset (6) are RW; Master Abort Mode (5) and bits 11:7 are hardwired 0. Interrupt
// Line (7:0) is RW, Interrupt Pin (15:8) RO.
constexpr std::uint32_t bridge_control_rw = 0x005F00FFu;
constexpr std::uint32_t exp_version_2 = 0x2;
constexpr unsigned exp_type_shift = 4, exp_cap_shift = 16;
constexpr std::uint32_t lnkcap_dll_active_reporting = 1u << 20;
constexpr unsigned lnkcap_width_shift = 4, lnkcap_port_number_shift = 24;
constexpr std::uint32_t lnkctl_rw = 0xCB; // ASPM, RCB, Common Clock, Extended Synch
constexpr std::uint32_t devctl_rw = 0x7FFF;
constexpr std::uint32_t devctl2_rw = 0xFFFF;
constexpr std::uint32_t rootcap_crs_sv = 1u << 16;
constexpr std::uint32_t rootctl_rw = 0x1F;
constexpr std::uint64_t window_granule = 1ull << 20;
constexpr std::uint32_t window_base_mask = 0xFFF0, window_limit_mask = 0xFFF00000u;
constexpr unsigned window_base_shift = 16;
constexpr unsigned secondary_shift = 8, subordinate_shift = 16;
constexpr std::uint32_t bus_mask = 0xFF;
constexpr std::uint32_t lnksta_mask = 0xFFFF0000u;
constexpr unsigned mps_shift = 5;
constexpr std::uint32_t mps_mask = 7;
} // namespace

std::vector<reg_def> type1_table(const type1_params& p) {
    const std::uint32_t x = port_cfg::exp_cap;
    std::vector<reg_def> t = {
        {c::vendor_id,
         "VENDOR_DEVICE",
         (std::uint32_t(p.device_id) << 16) | p.vendor_id,
         0,
         0,
         0,
         true,
         {}},
        {c::command,
         "COMMAND_STATUS",
         c::sta_cap_list,
         command_rw | (p.io_window ? c::cmd_io : 0),
         0,
         c::sta_error_bits,
         false,
         {{"MEM", 1, 1}, {"BME", 2, 1}}},
        {c::class_rev, "CLASS_REV", class_pci_bridge, 0, 0, 0, true, {}},
        {c::bist_hdr_lat_cls, "BIST_HDR_LAT_CLS", header_type_1, cache_line_rw, 0, 0, false, {}},
        {c::t1_bus_numbers,
         "BUS_NUMBERS",
         0,
         bus_numbers_rw,
         0,
         0,
         false,
         {{"PRI", 0, 8}, {"SEC", 8, 8}, {"SUB", 16, 8}}},
        {c::t1_io_base_status, "IO_BASE_SEC_STATUS", 0, p.io_window ? io_window_rw : 0, 0,
         c::sta_error_bits, false,
         p.sec_status_fields
             ? std::vector<reg_field>{{"REC_TARGET_ABORT", 28, 1}, {"REC_MASTER_ABORT", 29, 1}}
             : std::vector<reg_field>{}},
        {c::t1_mem_base_limit, "MEM_BASE_LIMIT", 0, bridge_window_rw, 0, 0, false, {}},
        {c::t1_pref_base_limit, "PREF_BASE_LIMIT", pref_64bit, bridge_window_rw, 0, 0, false, {}},
        {c::t1_pref_base_upper, "PREF_BASE_UPPER", 0, all_bits, 0, 0, false, {}},
        {c::t1_pref_limit_upper, "PREF_LIMIT_UPPER", 0, all_bits, 0, 0, false, {}},
        {c::cap_ptr, "CAP_PTR", x, 0, 0, 0, true, {}},
        {c::t1_bridge_control, "BRIDGE_CONTROL", 0, bridge_control_rw, 0, 0, false, {}},
        {x,
         "EXP_CAP",
         c::cap_id_exp | ((exp_version_2 | (p.port_type << exp_type_shift)) << exp_cap_shift),
         0,
         0,
         0,
         true,
         {}},
        {x + c::exp_devcap,
         "DEVCAP",
         c::size_code(p.mps_supported) | c::devcap_role_based_err,
         0,
         0,
         0,
         true,
         {}},
        {x + c::exp_devctl,
         "DEVCTL_STA",
         0,
         devctl_rw,
         0,
         aer::devsta_w1c,
         false,
         {{"CED", 16, 1}, {"NFED", 17, 1}, {"FED", 18, 1}, {"URD", 19, 1}}},
        {x + c::exp_lnkcap,
         "LNKCAP",
         p.max_gen | (p.max_width << lnkcap_width_shift) |
             (p.dll_active_reporting ? lnkcap_dll_active_reporting : 0) |
             (p.port_number << lnkcap_port_number_shift),
         0,
         0,
         0,
         true,
         {}},
        {x + c::exp_lnkctl,
         "LNKCTL_STA",
         0,
         lnkctl_rw,
         0,
         0,
         false,
         {{"SPEED", 16, 4}, {"WIDTH", 20, 6}, {"DLLA", 29, 1}}},
        {x + c::exp_devcap2,
         "DEVCAP2",
         c::devcap2_10bit_tag_completer,
         0,
         0,
         0,
         true,
         {{"10BIT_TAG_CPL", 16, 1}}},
    };
    if (p.root_control)
        t.push_back({x + c::exp_rootctl,
                     "ROOT_CTL_CAP",
                     rootcap_crs_sv,
                     rootctl_rw,
                     0,
                     0,
                     false,
                     {{"CRS_SV_EN", 4, 1}}});
    if (p.devctl2) t.push_back({x + c::exp_devctl2, "DEVCTL2", 0, devctl2_rw, 0, 0, false, {}});
    aer::table_params ap;
    ap.next = p.aer_next;
    ap.root_port = p.port_type == port_cfg::exp_type_root_port;
    for (auto& d : aer::table(port_cfg::aer_layout, ap))
        t.push_back(d);
    return t;
}

namespace type1 {

bool memory_enabled(const reg_block& r) {
    return r.read32(c::command) & c::cmd_memory;
}
bool bus_master(const reg_block& r) {
    return r.read32(c::command) & c::cmd_bus_master;
}
unsigned secondary_bus(const reg_block& r) {
    return (r.read32(c::t1_bus_numbers) >> secondary_shift) & bus_mask;
}
unsigned subordinate_bus(const reg_block& r) {
    return (r.read32(c::t1_bus_numbers) >> subordinate_shift) & bus_mask;
}
bool bus_below(const reg_block& r, unsigned bus) {
    const unsigned s = secondary_bus(r);
    return s != 0 && bus >= s && bus <= subordinate_bus(r);
}

bool in_windows(const reg_block& r, std::uint64_t addr, std::uint64_t len) {
    // Memory Base/Limit hold address bits 31:20 (section 7.5.1.3.8); the prefetchable pair adds
    // bits 63:32 from the Upper registers (sections 7.5.1.3.9, 7.5.1.3.10). Limits are inclusive
    // to the end of their 1 MiB granule.
    const std::uint32_t mbl = r.read32(c::t1_mem_base_limit);
    const std::uint64_t mbase = std::uint64_t(mbl & window_base_mask) << window_base_shift;
    const std::uint64_t mlimit = std::uint64_t(mbl & window_limit_mask) | (window_granule - 1);
    const std::uint32_t pbl = r.read32(c::t1_pref_base_limit);
    const std::uint64_t pbase = (std::uint64_t(r.read32(c::t1_pref_base_upper)) << 32) |
                                (std::uint64_t(pbl & window_base_mask) << window_base_shift);
    const std::uint64_t plimit = (std::uint64_t(r.read32(c::t1_pref_limit_upper)) << 32) |
                                 std::uint64_t(pbl & window_limit_mask) | (window_granule - 1);
    const std::uint64_t last = addr + (len ? len : 1) - 1;
    return (mbase <= mlimit && addr >= mbase && last <= mlimit) ||
           (pbase <= plimit && addr >= pbase && last <= plimit);
}

void set_link_status(reg_block& r, bool up, unsigned gen, unsigned width) {
    const std::uint32_t sta =
        up ? (gen << c::lnksta_speed_shift) | (width << c::lnksta_width_shift) | c::lnksta_dlla : 0;
    r.set_bits(port_cfg::exp_cap + c::exp_lnkctl, lnksta_mask, sta);
}

unsigned mps_bytes(const reg_block& r) {
    return 128u << ((r.read32(port_cfg::exp_cap + c::exp_devctl) >> mps_shift) & mps_mask);
}

} // namespace type1
} // namespace epvp::pcie
