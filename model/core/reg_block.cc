#include "model/core/reg_block.h"

#include "model/core/log.h"

#include <algorithm>
#include <sstream>

namespace epvp {

reg_block::reg_block(std::string name, std::vector<reg_def> defs)
    : name_(std::move(name))
    , defs_(std::move(defs)) {
    std::uint32_t top = 0;
    for (const auto& d : defs_)
        top = std::max(top, d.offset / 4 + 1);
    index_.assign(top, -1);
    values_.assign(top, 0);
    for (std::size_t i = 0; i < defs_.size(); ++i)
        index_[defs_[i].offset / 4] = static_cast<int>(i);
    reset(true);
}

const reg_def* reg_block::find(std::uint32_t offset) const {
    if (offset % 4 || offset / 4 >= index_.size() || index_[offset / 4] < 0) return nullptr;
    return &defs_[static_cast<std::size_t>(index_[offset / 4])];
}

void reg_block::set32(std::uint32_t offset, std::uint32_t value) {
    if (find(offset & ~3u)) values_[offset / 4] = value;
}

bool reg_block::write32(std::uint32_t offset, std::uint32_t value, std::uint32_t byte_mask,
                        reg_writer who, bool ro_wr_en) {
    offset &= ~3u;
    const reg_def* d = find(offset);
    if (!d) return false;
    std::uint32_t writable = d->rw;
    if (who == reg_writer::dbi) writable |= d->dbi_rw;
    if (who == reg_writer::dbi && ro_wr_en) writable |= d->ro_wr;
    writable &= byte_mask;
    std::uint32_t old = values_[offset / 4];
    std::uint32_t w1c = d->w1c & byte_mask & value;
    std::uint32_t nv = ((old & ~writable) | (value & writable)) & ~w1c;
    values_[offset / 4] = nv;
    auto h = hooks_.find(offset);
    if (h != hooks_.end()) h->second(offset, old, nv);
    return true;
}

void reg_block::reset(bool cold) {
    for (const auto& d : defs_)
        if (cold || !d.sticky) values_[d.offset / 4] = d.reset;
}

std::string reg_block::decode(std::uint32_t offset, std::uint32_t value) const {
    std::ostringstream os;
    const reg_def* d = find(offset & ~3u);
    os << name_ << '.' << (d ? d->name : "?") << '=' << hex(value, 8);
    if (d && !d->fields.empty()) {
        os << " {";
        bool first = true;
        for (const auto& f : d->fields) {
            std::uint32_t mask = f.width >= 32 ? 0xFFFFFFFFu : ((1u << f.width) - 1);
            os << (first ? "" : ", ") << f.name << '=' << hex((value >> f.lsb) & mask);
            first = false;
        }
        os << '}';
    }
    return os.str();
}

std::string reg_access_text(const std::string& who, bool write, std::uint32_t offset,
                            const std::string& decoded) {
    return who + (write ? " W " : " R ") + hex(offset, 3) + " " + decoded;
}

void log_reg_access(std::uint64_t at_ps, const std::string& who, bool write, std::uint32_t offset,
                    const std::string& decoded) {
    logger& log = logger::get();
    if (log.enabled(reg_log_category))
        log.info_at(reg_log_category, at_ps, reg_access_text(who, write, offset, decoded));
}

std::uint32_t lane_shift(std::uint32_t addr) {
    return (addr & 3u) * 8;
}

std::uint32_t byte_lane_mask(std::uint32_t addr, unsigned len) {
    std::uint32_t m = len >= 4 ? 0xFFFFFFFFu : ((1u << (len * 8)) - 1);
    return m << lane_shift(addr);
}

} // namespace epvp
