#include "model/dwc/dbi_map.h"

#include "model/core/log.h"

namespace epvp::dwc {

const dbi_target* dbi_map::decode(std::uint32_t offset) const {
    for (const dbi_target& t : targets_)
        if (offset >= t.base && offset - t.base < t.bytes) return &t;
    return nullptr;
}

std::uint32_t dbi_map::read32(std::uint32_t offset, sc_core::sc_time& delay) const {
    if (const dbi_target* t = decode(offset)) return t->read(offset - t->base, delay);
    logger::get().unimplemented_once(
        "dbi", hex(offset), "DBI aperture offset " + hex(offset) + " not modelled: reads 0");
    return 0;
}

void dbi_map::write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                      sc_core::sc_time& delay) const {
    if (const dbi_target* t = decode(offset))
        return t->write(offset - t->base, value, byte_mask, delay);
    logger::get().unimplemented_once(
        "dbi", hex(offset), "DBI aperture offset " + hex(offset) + " not modelled: write ignored");
}

} // namespace epvp::dwc
