#include "model/dwc/iatu.h"

#include "model/core/log.h"

namespace epvp::dwc {

using namespace iatu_reg;

std::uint64_t iatu_region::limit(std::uint64_t region_limit) const {
    if (!(ctrl1 & ctrl1_increase_region_size))
        return (std::uint64_t{upper_base} << 32) | lower_limit;
    const std::uint64_t span = region_limit - 1;
    return (base() & ~span) | (((std::uint64_t{upper_limit} << 32) | lower_limit) & span);
}

iatu::iatu(const iatu_params& p)
    : p_(p)
    , ob_(p.outbound_windows)
    , ib_(p.inbound_windows) {
    unsigned most = std::max(p.outbound_windows, p.inbound_windows);
    viewport_index_mask_ = 1;
    while (viewport_index_mask_ + 1 < most)
        viewport_index_mask_ = (viewport_index_mask_ << 1) | 1;
    reset();
}

void iatu::reset() {
    for (auto& r : ob_)
        r = iatu_region{};
    for (auto& r : ib_)
        r = iatu_region{};
    const std::uint32_t align_ones = static_cast<std::uint32_t>(p_.region_align - 1);
    for (auto& r : ob_)
        r.lower_limit = align_ones;
    for (auto& r : ib_)
        r.lower_limit = align_ones;
    viewport_ = 0;
}

const char* iatu::reg_name(std::uint32_t reg) {
    switch (reg) {
    case ctrl1:
        return "CTRL1";
    case ctrl2:
        return "CTRL2";
    case lower_base:
        return "LOWER_BASE";
    case upper_base:
        return "UPPER_BASE";
    case lower_limit:
        return "LIMIT";
    case lower_target:
        return "LOWER_TARGET";
    case upper_target:
        return "UPPER_TARGET";
    case upper_limit:
        return "UPPER_LIMIT";
    default:
        return "RESERVED";
    }
}

iatu_region* iatu::region_mut(iatu_dir d, unsigned index) {
    auto& v = d == iatu_dir::outbound ? ob_ : ib_;
    return index < v.size() ? &v[index] : nullptr;
}

const iatu_region* iatu::region(iatu_dir d, unsigned index) const {
    const auto& v = d == iatu_dir::outbound ? ob_ : ib_;
    return index < v.size() ? &v[index] : nullptr;
}

std::uint32_t iatu::read(iatu_dir d, unsigned index, std::uint32_t reg) const {
    const iatu_region* r = region(d, index);
    if (!r) return 0;
    switch (reg) {
    case ctrl1:
        return r->ctrl1;
    case ctrl2:
        return r->ctrl2;
    case lower_base:
        return r->lower_base;
    case upper_base:
        return r->upper_base;
    case lower_limit:
        return r->lower_limit;
    case lower_target:
        return r->lower_target;
    case upper_target:
        return r->upper_target;
    case upper_limit:
        return p_.has_upper_limit ? r->upper_limit : 0;
    default:
        return 0;
    }
}

iatu_write_result iatu::write(iatu_dir d, unsigned index, std::uint32_t reg, std::uint32_t value) {
    iatu_write_result res;
    iatu_region* r = region_mut(d, index);
    if (!r) {
        res.implemented = false;
        return res;
    }
    const std::uint32_t align_ones = static_cast<std::uint32_t>(p_.region_align - 1);
    const char* dir = d == iatu_dir::outbound ? "outbound" : "inbound";
    switch (reg) {
    case ctrl1:
        r->ctrl1 = value;
        break;
    case ctrl2: {
        bool was = r->enabled();
        r->ctrl2 = value;
        if (!was && r->enabled()) {
            res.enabled_now = true;
            bool bar_mode = d == iatu_dir::inbound && (value & ctrl2_bar_mode);
            bool ready = bar_mode ? r->target_written
                                  : (r->base_written && r->limit_written && r->target_written);
            if (!ready)
                res.warning = std::string("enabling ") + dir + " region " + std::to_string(index) +
                              " (CTRL2 = " + hex(value, 8) + ") before its " +
                              (bar_mode ? "target was" : "base, limit and target were") +
                              " written";
        }
        if (!r->enabled()) r->base_written = r->limit_written = r->target_written = false;
        break;
    }
    case lower_base:
        r->lower_base = value & ~align_ones;
        r->base_written = true;
        break;
    case upper_base:
        r->upper_base = value;
        r->base_written = true;
        break;
    case lower_limit:
        r->lower_limit = value | align_ones;
        r->limit_written = true;
        break;
    case lower_target:
        r->lower_target = value & ~align_ones;
        r->target_written = true;
        break;
    case upper_target:
        r->upper_target = value;
        r->target_written = true;
        break;
    case upper_limit:
        if (p_.has_upper_limit)
            r->upper_limit = value & static_cast<std::uint32_t>((p_.region_limit >> 32) - 1);
        else
            res.implemented = false;
        break;
    default:
        res.implemented = false;
        break;
    }
    return res;
}

std::uint32_t iatu::read_unrolled(std::uint32_t offset) const {
    unsigned index = offset / region_bytes;
    iatu_dir d = (offset & inbound_offset) ? iatu_dir::inbound : iatu_dir::outbound;
    return read(d, index, offset % inbound_offset);
}

iatu_write_result iatu::write_unrolled(std::uint32_t offset, std::uint32_t value) {
    unsigned index = offset / region_bytes;
    iatu_dir d = (offset & inbound_offset) ? iatu_dir::inbound : iatu_dir::outbound;
    return write(d, index, offset % inbound_offset, value);
}

std::uint32_t iatu::read_viewport() const {
    return p_.unrolled ? viewport_unrolled_value : viewport_;
}

void iatu::write_viewport(std::uint32_t value) {
    if (!p_.unrolled) viewport_ = (value & viewport_dir_inbound) | (value & viewport_index_mask_);
}

std::uint32_t iatu::read_viewport_window(std::uint32_t reg) const {
    iatu_dir d = (viewport_ & viewport_dir_inbound) ? iatu_dir::inbound : iatu_dir::outbound;
    return read(d, viewport_ & viewport_index_mask_, reg);
}

iatu_write_result iatu::write_viewport_window(std::uint32_t reg, std::uint32_t value) {
    iatu_dir d = (viewport_ & viewport_dir_inbound) ? iatu_dir::inbound : iatu_dir::outbound;
    return write(d, viewport_ & viewport_index_mask_, reg, value);
}

iatu_hit iatu::translate_outbound(std::uint64_t axi_addr) const {
    iatu_hit h;
    for (unsigned i = 0; i < ob_.size(); ++i) {
        const iatu_region& r = ob_[i];
        if (!r.enabled() || axi_addr < r.base() || axi_addr > r.limit(p_.region_limit)) continue;
        h.hit = true;
        h.index = i;
        h.type = r.type();
        h.address = r.target() + (axi_addr - r.base());
        return h;
    }
    return h;
}

iatu_hit iatu::translate_inbound(std::uint64_t pci_addr, int bar, std::uint64_t bar_offset,
                                 unsigned function, unsigned tlp_type) const {
    iatu_hit h;
    for (unsigned i = 0; i < ib_.size(); ++i) {
        const iatu_region& r = ib_[i];
        if (!r.enabled() || r.type() != (tlp_type & ctrl1_type_mask)) continue;
        if (r.ctrl2 & ctrl2_func_num_match) {
            unsigned fn = (r.ctrl1 & ctrl1_func_num_mask) >> ctrl1_func_num_shift;
            if (fn != function) continue;
        }
        if (r.ctrl2 & ctrl2_bar_mode) {
            int rbar = static_cast<int>((r.ctrl2 & ctrl2_bar_mask) >> ctrl2_bar_shift);
            if (bar < 0 || rbar != bar) continue;
            h.address = r.target() + bar_offset;
        } else {
            if (pci_addr < r.base() || pci_addr > r.limit(p_.region_limit)) continue;
            h.address = r.target() + (pci_addr - r.base());
        }
        h.hit = true;
        h.index = i;
        h.type = r.type();
        return h;
    }
    return h;
}

} // namespace epvp::dwc
