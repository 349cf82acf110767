// The program's side of the RTL island library: rtl_models.h's functions call through the
// library's table (rtl_models.cc holds the blocks themselves, inside the library).
#include "rtl-bridge/rtl_island_library.h"

#include <sstream>
#include <stdexcept>

namespace epvp::rtl {

namespace {
const island_api* loaded = nullptr;
island_loader loader = nullptr;
} // namespace

void set_island_loader(island_loader load) {
    loader = load;
}

void use_island(const island_api* api) {
    loaded = api;
}

const island_api& island() {
    if (!loaded) {
        if (!loader)
            throw std::logic_error("RTL island: this program set no way to load " +
                                   std::string(island_library_file));
        loaded = loader();
    }
    return *loaded;
}

std::string iatu_geometry::describe() const {
    std::ostringstream os;
    os << outbound_windows << " outbound / " << inbound_windows << " inbound windows, align "
       << region_align / 1024 << " KiB, region limit 2^" <<
        [this] {
            unsigned n = 0;
            while ((1ull << n) < region_limit && n < 63)
                ++n;
            return n;
        }()
       << ", miss " << (miss_decerr ? "DECERR" : "passthrough");
    return os.str();
}

std::vector<iatu_geometry> iatu_geometries() {
    return island().iatu_geometries();
}

std::unique_ptr<axi_sram_model> make_axi_sram(const std::string& name, wave_flavour waves) {
    return std::unique_ptr<axi_sram_model>(island().make_axi_sram(name, waves));
}

std::unique_ptr<dw_iatu_model> make_dw_iatu(const std::string& name, const iatu_geometry& g,
                                            wave_flavour waves) {
    std::unique_ptr<dw_iatu_model> m(island().make_dw_iatu(name, g, waves));
    if (m) return m;
    std::string built;
    for (const auto& b : iatu_geometries())
        built += "\n  " + b.describe();
    throw std::invalid_argument("dw_iatu '" + name + "': geometry (" + g.describe() +
                                ") was not verilated; built geometries:" + built);
}

} // namespace epvp::rtl
