#include "rtl-bridge/rtl_blocks.h"

#include <cctype>
#include <map>
#include <stdexcept>

namespace epvp::rtl {

namespace {
std::map<std::string, axi_slave_factory>& blocks() {
    static std::map<std::string, axi_slave_factory> m;
    return m;
}
} // namespace

void register_axi_slave(const std::string& name, axi_slave_factory make) {
    if (name.empty()) throw std::invalid_argument("RTL block: empty name");
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
            throw std::invalid_argument("RTL block '" + name +
                                        "': only letters, digits and _ in a block name");
    if (!make) throw std::invalid_argument("RTL block '" + name + "': no factory");
    if (!blocks().emplace(name, std::move(make)).second)
        throw std::invalid_argument("RTL block '" + name + "' is already registered");
}

const axi_slave_factory* find_axi_slave(const std::string& name) {
    const auto it = blocks().find(name);
    return it == blocks().end() ? nullptr : &it->second;
}

std::vector<std::string> axi_slave_names() {
    std::vector<std::string> v;
    for (const auto& [name, f] : blocks())
        v.push_back(name);
    return v;
}

} // namespace epvp::rtl
