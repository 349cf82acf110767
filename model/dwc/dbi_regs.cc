#include "model/dwc/dbi_regs.h"

#include "model/pcie/config_space.h"

namespace epvp::dwc {

namespace c = pcie::cfg;

namespace {
constexpr std::uint32_t synopsys_vendor_id = 0x16C3;
constexpr std::uint32_t dwc_reset_device_id = 0xABCD;
constexpr std::uint32_t class_other_rev1 = 0xFF000001; // class 0xFF0000, revision 1
constexpr std::uint32_t pm_version_3 = 0x3;
constexpr std::uint32_t pmcsr_no_soft_reset = 1u << 3;
constexpr std::uint32_t pmcsr_power_state = 0x3;
constexpr std::uint32_t int_pin_inta = 1u << 8;
constexpr std::uint32_t exp_cap_version_2 = 0x2;
constexpr std::uint32_t devcap_ext_tag = 1u << 5;
constexpr std::uint32_t devcap_flr = 1u << 28;
constexpr std::uint32_t devctl_relaxed_ordering = 1u << 4;
constexpr std::uint32_t devctl_no_snoop = 1u << 11;
constexpr std::uint32_t devctl_mrrs_shift = 12;
constexpr std::uint32_t devctl_rw = 0x7FFF; // FLR (bit 15) is a write-only trigger
constexpr std::uint32_t devsta_w1c = 0x000F0000;
constexpr std::uint32_t lnkctl_rw = 0xCB; // ASPM, RCB, common clock, extended synch
constexpr std::uint32_t devcap2_cpl_timeout_ranges = 0xF;
constexpr std::uint32_t devcap2_cpl_timeout_disable = 1u << 4;
constexpr std::uint32_t devcap2_10bit_tag_completer = 1u << 16;
constexpr std::uint32_t devcap2_10bit_tag_requester = 1u << 17;
constexpr std::uint32_t devctl2_rw = 0x0000141F; // timeout value/disable, IDO, 10-bit tag enable
constexpr std::uint32_t lnkctl2_target_speed = 0xF;
constexpr std::uint32_t aer_uncor_sever_reset = 0x00462030;
constexpr std::uint32_t aer_cor_mask_reset = 0x00006000;
constexpr std::uint32_t aer_cap_ctrl_rw = (1u << 6) | (1u << 8); // ECRC gen/check enable
constexpr std::uint32_t aer_cap_ctrl_ecrc_caps = (1u << 5) | (1u << 7);
constexpr std::uint32_t aer_version = 0x2;
constexpr std::uint32_t rebar_version = 0x1;
constexpr std::uint32_t ext_next_shift = 20;
constexpr std::uint32_t ext_version_shift = 16;

std::uint32_t cap_header(std::uint8_t id, std::uint32_t next, std::uint32_t upper16) {
    return id | (next << 8) | (upper16 << 16);
}
std::uint32_t ext_header(std::uint16_t id, std::uint32_t version, std::uint32_t next) {
    return id | (version << ext_version_shift) | (next << ext_next_shift);
}
} // namespace

const char* to_string(ltssm s) {
    switch (s) {
    case ltssm::detect_quiet:
        return "DETECT_QUIET";
    case ltssm::detect_act:
        return "DETECT_ACT";
    case ltssm::pol_active:
        return "POLL_ACTIVE";
    case ltssm::pol_compliance:
        return "POLL_COMPLIANCE";
    case ltssm::pol_config:
        return "POLL_CONFIG";
    case ltssm::cfg_linkwd_start:
        return "CFG_LINKWD_START";
    case ltssm::cfg_complete:
        return "CFG_COMPLETE";
    case ltssm::cfg_idle:
        return "CFG_IDLE";
    case ltssm::l0:
        return "L0";
    case ltssm::hot_reset:
        return "HOT_RESET";
    case ltssm::recovery_lock:
        return "RCVRY_LOCK";
    }
    return "?";
}

std::uint32_t link_mode_for_width(unsigned width) {
    return (width * 2u) - 1u;
}

unsigned width_for_link_mode(std::uint32_t link_mode) {
    unsigned w = 1;
    while (w < 16 && link_mode_for_width(w * 2) <= link_mode)
        w *= 2;
    return w;
}

std::vector<unsigned> resizable_bars(const dbi_params& p) {
    std::vector<unsigned> out;
    for (unsigned i = 0; i < p.bars.size(); ++i)
        if (p.bars[i].kind == bar_kind::resizable) out.push_back(i);
    return out;
}

std::vector<reg_def> dbi_table(const dbi_params& p) {
    const auto rebars = resizable_bars(p);
    const std::uint32_t aer_next = rebars.empty() ? 0 : rebar_cap;
    const std::uint32_t mps_code = c::size_code(p.mps_supported_bytes);
    std::vector<reg_def> t = {
        // Type 0 header.
        {c::vendor_id,
         "VENDOR_DEVICE",
         (dwc_reset_device_id << 16) | synopsys_vendor_id,
         0,
         all_bits,
         0,
         true,
         {{"VENDOR", 0, 16}, {"DEVICE", 16, 16}}},
        {c::command,
         "COMMAND_STATUS",
         c::sta_cap_list,
         c::cmd_io | c::cmd_memory | c::cmd_bus_master | c::cmd_parity | c::cmd_serr |
             c::cmd_intx_disable,
         0,
         c::sta_error_bits,
         false,
         {{"IO", 0, 1}, {"MEM", 1, 1}, {"BME", 2, 1}, {"INTX_DIS", 10, 1}, {"INT_STA", 19, 1}}},
        {c::class_rev,
         "CLASS_REV",
         class_other_rev1,
         0,
         all_bits,
         0,
         true,
         {{"REV", 0, 8}, {"CLASS", 8, 24}}},
        {c::bist_hdr_lat_cls,
         "BIST_HDR_LAT_CLS",
         0,
         0xFF,
         0x00800000,
         0,
         false,
         {{"HDR_TYPE", 16, 8}}},
        // BARs: the host-visible writable bits follow the DBI2 mask (see dw_pcie_ep); the DBI
        // writes the flags and, under DBI_RO_WR_EN, anything.
        {c::bar0 + 0x00, "BAR0", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::bar0 + 0x04, "BAR1", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::bar0 + 0x08, "BAR2", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::bar0 + 0x0C, "BAR3", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::bar0 + 0x10, "BAR4", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::bar0 + 0x14, "BAR5", 0, 0, all_bits, 0, false, {{"FLAGS", 0, 4}, {"ADDR", 4, 28}}},
        {c::cardbus_cis, "CARDBUS_CIS", 0, 0, all_bits, 0, true, {}},
        {c::subsystem, "SUBSYSTEM", 0, 0, all_bits, 0, true, {{"SVID", 0, 16}, {"SSID", 16, 16}}},
        {c::rom_base, "ROM_BASE", 0, 0, all_bits, 0, false, {}},
        {c::cap_ptr, "CAP_PTR", pm_cap, 0, 0xFF, 0, true, {}},
        {c::interrupt,
         "INTERRUPT",
         int_pin_inta,
         0xFF,
         0xFF00,
         0,
         false,
         {{"LINE", 0, 8}, {"PIN", 8, 8}}},
        // Power management.
        {pm_cap + 0x0,
         "PM_CAP",
         cap_header(c::cap_id_pm, msi_cap, pm_version_3),
         0,
         0xFFFF0000,
         0,
         true,
         {{"NEXT", 8, 8}, {"VER", 16, 3}}},
        {pm_cap + 0x4,
         "PMCSR",
         pmcsr_no_soft_reset,
         pmcsr_power_state,
         pmcsr_no_soft_reset,
         0,
         false,
         {{"STATE", 0, 2}}},
        // MSI (64-bit address, no per-vector masking).
        {msi_ctrl,
         "MSI_CTRL",
         cap_header(c::cap_id_msi, exp_cap, 0) | msi_ctrl_64bit,
         msi_ctrl_enable | (7u << msi_ctrl_mme_shift),
         (7u << msi_ctrl_mmc_shift) | msi_ctrl_64bit,
         0,
         false,
         {{"EN", 16, 1}, {"MMC", 17, 3}, {"MME", 20, 3}, {"64BIT", 23, 1}}},
        {msi_addr_lo, "MSI_ADDR_LO", 0, 0xFFFFFFFC, 0, 0, false, {}},
        {msi_addr_hi, "MSI_ADDR_HI", 0, all_bits, 0, 0, false, {}},
        {msi_data, "MSI_DATA", 0, 0xFFFF, 0, 0, false, {}},
        // PCI Express capability (endpoint).
        {exp_cap + 0x0,
         "EXP_CAP",
         cap_header(c::cap_id_exp, msix_cap, exp_cap_version_2 | (c::exp_type_endpoint << 4)),
         0,
         0xFFFF0000,
         0,
         true,
         {{"NEXT", 8, 8}, {"VER", 16, 4}, {"TYPE", 20, 4}}},
        {exp_cap + c::exp_devcap,
         "DEVCAP",
         mps_code | devcap_ext_tag | c::devcap_role_based_err | devcap_flr,
         0,
         all_bits,
         0,
         true,
         {{"MPS_SUP", 0, 3}}},
        {exp_cap + c::exp_devctl,
         "DEVCTL_STA",
         devctl_relaxed_ordering | devctl_no_snoop | (c::size_code(512) << devctl_mrrs_shift),
         devctl_rw,
         0,
         devsta_w1c,
         false,
         {{"MPS", 5, 3}, {"EXT_TAG", 8, 1}, {"MRRS", 12, 3}, {"STA", 16, 6}}},
        {exp_cap + c::exp_lnkcap,
         "LNKCAP",
         p.max_gen | (p.max_width << 4),
         0,
         all_bits,
         0,
         true,
         {{"SPEED", 0, 4}, {"WIDTH", 4, 6}}},
        {exp_cap + c::exp_lnkctl,
         "LNKCTL_STA",
         c::lnksta_slot_clock,
         lnkctl_rw,
         c::lnksta_slot_clock,
         0,
         false,
         {{"SPEED", 16, 4}, {"WIDTH", 20, 6}, {"TRAIN", 27, 1}, {"DLLA", 29, 1}}},
        {exp_cap + c::exp_devcap2,
         "DEVCAP2",
         devcap2_cpl_timeout_ranges | devcap2_cpl_timeout_disable | devcap2_10bit_tag_completer |
             devcap2_10bit_tag_requester,
         0,
         all_bits,
         0,
         true,
         {{"10BIT_TAG_CPL", 16, 1}, {"10BIT_TAG_REQ", 17, 1}}},
        {exp_cap + c::exp_devctl2,
         "DEVCTL2",
         0,
         devctl2_rw,
         0,
         0,
         false,
         {{"CPL_TIMEOUT", 0, 4}, {"CPL_TIMEOUT_DIS", 4, 1}, {"10BIT_TAG_REQ_EN", 12, 1}}},
        {exp_cap + c::exp_lnkcap2,
         "LNKCAP2",
         ((1u << p.max_gen) - 1u) << 1,
         0,
         all_bits,
         0,
         true,
         {}},
        {exp_cap + c::exp_lnkctl2, "LNKCTL2", p.max_gen, lnkctl2_target_speed, 0, 0, true, {}},
        // MSI-X.
        {msix_ctrl,
         "MSIX_CTRL",
         cap_header(c::cap_id_msix, 0, 0),
         msix_ctrl_enable | msix_ctrl_mask_all,
         0x7FFu << msix_ctrl_qsize_shift,
         0,
         false,
         {{"QSIZE", 16, 11}, {"MASK", 30, 1}, {"EN", 31, 1}}},
        {msix_table, "MSIX_TABLE", 0, 0, all_bits, 0, true, {{"BIR", 0, 3}, {"OFFSET", 3, 29}}},
        {msix_pba, "MSIX_PBA", 0, 0, all_bits, 0, true, {{"BIR", 0, 3}, {"OFFSET", 3, 29}}},
        // AER.
        {aer_cap,
         "AER_HDR",
         ext_header(c::ext_cap_id_aer, aer_version, aer_next),
         0,
         0,
         0,
         true,
         {}},
        {aer_uncor_status, "AER_UNCOR_STATUS", 0, 0, 0, aer_uncor_bits, true, {}},
        {aer_uncor_mask, "AER_UNCOR_MASK", 0, aer_uncor_bits, 0, 0, true, {}},
        {aer_uncor_sever, "AER_UNCOR_SEVER", aer_uncor_sever_reset, aer_uncor_bits, 0, 0, true, {}},
        {aer_cor_status, "AER_COR_STATUS", 0, 0, 0, aer_cor_bits, true, {}},
        {aer_cor_mask, "AER_COR_MASK", aer_cor_mask_reset, aer_cor_bits, 0, 0, true, {}},
        {aer_cap_ctrl, "AER_CAP_CTRL", aer_cap_ctrl_ecrc_caps, aer_cap_ctrl_rw, 0, 0, true, {}},
        {aer_header_log + 0x0, "AER_HDR_LOG0", 0, 0, 0, 0, true, {}},
        {aer_header_log + 0x4, "AER_HDR_LOG1", 0, 0, 0, 0, true, {}},
        {aer_header_log + 0x8, "AER_HDR_LOG2", 0, 0, 0, 0, true, {}},
        {aer_header_log + 0xC, "AER_HDR_LOG3", 0, 0, 0, 0, true, {}},
        // Port logic.
        // Port logic: plain read/write through DBI (Linux's dw_pcie_setup and glue drivers write
        // them without DBI_RO_WR_EN), not from the wire.
        {port_link_control,
         "PORT_LINK_CONTROL",
         link_mode_for_width(p.max_width) << port_link_mode_shift,
         0,
         0,
         0,
         true,
         {{"LINK_MODE", 16, 6}},
         all_bits},
        {port_debug0, "PORT_DEBUG0", 0, 0, 0, 0, false, {{"LTSSM", 0, 6}}},
        {port_debug1,
         "PORT_DEBUG1",
         0,
         0,
         0,
         0,
         false,
         {{"LINK_UP", 4, 1}, {"IN_TRAINING", 29, 1}}},
        {gen2_ctrl,
         "GEN2_CTRL",
         p.max_width << gen2_ctrl_width_shift,
         0,
         0,
         0,
         true,
         {{"N_FTS", 0, 8}, {"WIDTH", 8, 5}, {"SPEED_CHANGE", 17, 1}},
         all_bits},
        {misc_control_1,
         "MISC_CONTROL_1",
         0,
         misc_dbi_ro_wr_en,
         0,
         0,
         true,
         {{"DBI_RO_WR_EN", 0, 1}}},
    };
    if (p.version_number != 0) {
        t.push_back({version_number, "VERSION_NUMBER", p.version_number, 0, 0, 0, true, {}});
        t.push_back({version_type, "VERSION_TYPE", p.version_type, 0, 0, 0, true, {}});
    }
    if (!rebars.empty()) {
        t.push_back({rebar_cap,
                     "REBAR_HDR",
                     ext_header(c::ext_cap_id_rebar, rebar_version, 0),
                     0,
                     0,
                     0,
                     true,
                     {}});
        for (unsigned i = 0; i < rebars.size(); ++i) {
            std::uint32_t ctrl = rebars[i];
            if (i == 0) ctrl |= static_cast<std::uint32_t>(rebars.size()) << rebar_ctrl_nbars_shift;
            t.push_back({rebar_entry_cap(i),
                         "REBAR_CAP",
                         1u << rebar_cap_first_size_bit,
                         0,
                         0xFFFFFFF0u,
                         0,
                         false,
                         {}});
            // Bits 31:16 are the supported sizes 256 TB..8 EB: read-only to the host, cleared by
            // Linux's dw_pcie_ep_set_bar_resizable under DBI_RO_WR_EN.
            t.push_back({rebar_entry_ctrl(i),
                         "REBAR_CTRL",
                         ctrl,
                         rebar_ctrl_size_mask,
                         0xFFFF0000u,
                         0,
                         false,
                         {{"BAR", 0, 3}, {"NBARS", 5, 3}, {"SIZE", 8, 6}}});
        }
    }
    return t;
}

std::vector<reg_def> dbi2_table(const dbi_params& p) {
    std::vector<reg_def> t;
    static const char* const names[6] = {"BAR0_MASK", "BAR1_MASK", "BAR2_MASK",
                                         "BAR3_MASK", "BAR4_MASK", "BAR5_MASK"};
    for (unsigned i = 0; i < 6; ++i) {
        const bar_hw& b = p.bars[i];
        std::uint32_t reset = 0, rw = all_bits;
        switch (b.kind) {
        case bar_kind::fixed:
            // The mask is hard-wired to the fixed size; only the enable bit is writable.
            reset = static_cast<std::uint32_t>(b.fixed_size - 1) | 1u;
            rw = 1u;
            break;
        case bar_kind::reserved:
            rw = 0;
            break;
        case bar_kind::resizable:
            rw = 1u; // the size comes from the Resizable BAR capability
            break;
        case bar_kind::programmable:
            break;
        }
        t.push_back({c::bar0 + 4 * i, names[i], reset, rw, 0, 0, false, {{"ENABLE", 0, 1}}});
    }
    return t;
}

} // namespace epvp::dwc
