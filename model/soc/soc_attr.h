// SoC-side attributes that travel with an AXI transaction as a TLM extension: who issued it,
// the SMMU stream ID (for the PCIe controller: the integration's fixed StreamID, or the
// requester ID of the function; see dwc.stream_id_mode) and
// substream ID, and whether it is privileged. Optional fields are std::optional, as the
// transaction attributes of an interconnect are.
#pragma once

#include <cstdint>
#include <optional>
#include <tlm>

namespace epvp::soc {

enum class master : std::uint8_t { ep_cpu, pcie_inbound, edma, smmu_walker };
const char* to_string(master m);

struct soc_attr : tlm::tlm_extension<soc_attr> {
    master initiator = master::ep_cpu;
    std::optional<std::uint32_t> stream_id;
    std::optional<std::uint32_t> substream_id;
    bool privileged = false;

    tlm::tlm_extension_base* clone() const override { return new soc_attr(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        *this = static_cast<const soc_attr&>(e);
    }
};

} // namespace epvp::soc
