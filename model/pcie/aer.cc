#include "model/pcie/aer.h"

#include "model/pcie/config_space.h"

namespace epvp::pcie::aer {

namespace {
constexpr std::uint32_t ext_cap_version_aer = 2;
constexpr unsigned ext_cap_version_shift = 16, ext_cap_next_shift = 20;
constexpr std::uint32_t root_command_rw = 0x7;  // section 7.8.4.9: the three report enables
constexpr std::uint32_t root_status_w1c = 0x7F; // section 7.8.4.10: bits 6:0
} // namespace

std::vector<reg_def> table(const layout& l, const table_params& p) {
    const std::uint32_t a = l.aer_cap;
    std::vector<reg_def> t = {
        {a,
         "AER_HEADER",
         cfg::ext_cap_id_aer | (ext_cap_version_aer << ext_cap_version_shift) |
             (p.next << ext_cap_next_shift),
         0,
         0,
         0,
         true,
         {}},
        {a + uncor_status,
         "AER_UNCOR_STATUS",
         0,
         0,
         0,
         unc_defined,
         true,
         {{"UNEXP_CPL", 16, 1}, {"UR", 20, 1}, {"ACSV", 21, 1}}},
        {a + uncor_mask, "AER_UNCOR_MASK", 0, unc_defined, 0, 0, true, {}},
        {a + uncor_severity, "AER_UNCOR_SEVERITY", unc_severity_reset, unc_defined, 0, 0, true, {}},
        {a + cor_status, "AER_COR_STATUS", 0, 0, 0, cor_defined, true, {}},
        {a + cor_mask, "AER_COR_MASK", cor_mask_reset, cor_defined, 0, 0, true, {}},
        {a + cap_ctrl,
         "AER_CAP_CTRL",
         p.cap_ctrl_reset,
         p.cap_ctrl_rw,
         0,
         0,
         true,
         {{"FEP", 0, 5}}},
    };
    for (unsigned i = 0; i < header_log_dwords; ++i)
        t.push_back({a + header_log + dword_bytes * i, "AER_HEADER_LOG", 0, 0, 0, 0, true, {}});
    if (p.root_port) {
        t.push_back({a + root_command, "AER_ROOT_COMMAND", 0, root_command_rw, 0, 0, false, {}});
        t.push_back({a + root_status, "AER_ROOT_STATUS", 0, 0, 0, root_status_w1c, true, {}});
    }
    return t;
}

void header_of(const tlm::tlm_generic_payload& gp, std::uint32_t (&dw)[header_log_dwords]) {
    const pcie_tlp* t = gp.get_extension<pcie_tlp>();
    const auto h = t ? header_dwords(*t, gp.get_address(), gp.get_data_length())
                     : std::array<std::uint32_t, header_log_dwords>{};
    for (unsigned i = 0; i < header_log_dwords; ++i)
        dw[i] = h[i];
}

logged record_uncorrectable(reg_block& regs, const layout& l, std::uint32_t bit,
                            const tlm::tlm_generic_payload* tlp) {
    logged e;
    const std::uint32_t pending = regs.read32(l.aer_cap + uncor_status);
    const std::uint32_t mask = regs.read32(l.aer_cap + uncor_mask);
    regs.set32(l.aer_cap + uncor_status, pending | bit);
    e.masked = mask & bit;
    e.fatal = regs.read32(l.aer_cap + uncor_severity) & bit;
    // Device Status records the error whatever the AER mask (section 7.5.3.5).
    const std::uint32_t sta = (e.fatal ? devsta_fatal : devsta_nonfatal) |
                              (bit == unc_unsupported_request ? devsta_unsupported : 0);
    regs.set_bits(l.exp_cap + cfg::exp_devctl, sta, sta);
    if (e.masked || (pending & unc_defined & ~mask)) return e;
    // The first unmasked error: its bit position and the header of the TLP that caused it.
    unsigned n = 0;
    while (n < 32 && !((bit >> n) & 1))
        ++n;
    regs.set_bits(l.aer_cap + cap_ctrl, first_error_pointer, n);
    if (tlp) {
        std::uint32_t dw[header_log_dwords];
        header_of(*tlp, dw);
        for (unsigned i = 0; i < header_log_dwords; ++i)
            regs.set32(l.aer_cap + header_log + dword_bytes * i, dw[i]);
    }
    return e;
}

bool record_correctable(reg_block& regs, const layout& l, std::uint32_t bit) {
    regs.set32(l.aer_cap + cor_status, regs.read32(l.aer_cap + cor_status) | bit);
    // Device Status records it whatever the Correctable Error Mask (section 7.5.3.5), as for an
    // uncorrectable error; the mask only stops the message.
    regs.set_bits(l.exp_cap + cfg::exp_devctl, devsta_correctable, devsta_correctable);
    return !(regs.read32(l.aer_cap + cor_mask) & bit);
}

std::optional<msg_code> error_message(const reg_block& regs, const layout& l, const logged& e) {
    if (e.masked) return std::nullopt;
    const std::uint32_t devctl = regs.read32(l.exp_cap + cfg::exp_devctl);
    if (!(devctl & (e.fatal ? devctl_fatal_report : devctl_nonfatal_report))) return std::nullopt;
    return e.fatal ? msg_code::err_fatal : msg_code::err_nonfatal;
}

} // namespace epvp::pcie::aer
