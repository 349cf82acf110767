#include "firmware/epf/context.h"

#include <algorithm>
#include <cerrno>

namespace fw::epf {

int context::set_doorbell_bar(epc::epf_bar& bar, std::uint64_t& offset) {
    if (!board.irq_window.size) return -EOPNOTSUPP;
    const std::uint64_t feature_align = epc.get_features(fn).align;
    const std::uint64_t align = std::max<std::uint64_t>(feature_align, bar.size);
    const std::uint64_t base = board.irq_window.base & ~(align - 1);
    offset = board.irq_window.base - base;
    if (offset + sizeof(std::uint32_t) > bar.size) return -ENOSPC;
    epc::epf_bar mapped = bar;
    mapped.phys_addr = base;
    const int r = epc.set_bar(fn, mapped);
    if (!r) bar = mapped;
    return r;
}

} // namespace fw::epf
