#include "rtl-bridge/axi_pins.h"

#include <sstream>
#include <tuple>
#include <utility>

namespace epvp::rtl {

namespace {

// Checks one pin against the width it should have; appends the problem to os.
void check_pin(std::ostringstream& os, const char* pin_name, const pin& p, unsigned bits,
               bool required) {
    if (!p) {
        if (required) os << "; " << pin_name << " unbound";
        return;
    }
    const unsigned want = verilated_storage_bytes(bits);
    if (p.storage_bytes() != want)
        os << "; " << pin_name << " is a " << p.storage_bytes() << "-byte variable; a " << bits
           << "-bit port is " << want << " bytes";
}

bool power_of_two(unsigned v) {
    return v && (v & (v - 1)) == 0;
}

std::string result(const std::string& port, const std::ostringstream& os) {
    const std::string s = os.str();
    return s.empty() ? s : "port '" + port + "':" + s.substr(1);
}

} // namespace

std::string axi_port::validate() const {
    std::ostringstream os;
    if (!power_of_two(data_bits) || data_bits < 8 || data_bits > 8 * axi_max_data_bytes)
        os << "; data width " << data_bits << " bits (a power of two, 8..1024)";
    if (addr_bits == 0 || addr_bits > 64) os << "; address width " << addr_bits << " (1..64)";
    if (id_bits > 32) os << "; ID width " << id_bits << " (0..32)";
    if (user_bits == 0 || user_bits > 64) os << "; AxUSER width " << user_bits << " (1..64)";
    if (!os.str().empty()) return result(name, os);
    const bool ids = id_bits != 0;
    for (const auto& [n, p] : {std::pair<const char*, const pin*>{"awid", &awid},
                               {"bid", &bid},
                               {"arid", &arid},
                               {"rid", &rid}}) {
        if (!ids && *p) os << "; " << n << " bound on a port without IDs";
        if (ids) check_pin(os, n, *p, id_bits, true);
    }
    check_pin(os, "awaddr", awaddr, addr_bits, true);
    check_pin(os, "araddr", araddr, addr_bits, true);
    check_pin(os, "wdata", wdata, data_bits, true);
    check_pin(os, "rdata", rdata, data_bits, true);
    check_pin(os, "wstrb", wstrb, data_bits / 8, true);
    check_pin(os, "awuser", awuser, user_bits, false);
    check_pin(os, "aruser", aruser, user_bits, false);
    for (const auto& [n, p, bits] :
         {std::tuple<const char*, const pin*, unsigned>{"awlen", &awlen, 8},
          {"awsize", &awsize, 3},
          {"awburst", &awburst, 2},
          {"awvalid", &awvalid, 1},
          {"awready", &awready, 1},
          {"wlast", &wlast, 1},
          {"wvalid", &wvalid, 1},
          {"wready", &wready, 1},
          {"bresp", &bresp, 2},
          {"bvalid", &bvalid, 1},
          {"bready", &bready, 1},
          {"arlen", &arlen, 8},
          {"arsize", &arsize, 3},
          {"arburst", &arburst, 2},
          {"arvalid", &arvalid, 1},
          {"arready", &arready, 1},
          {"rresp", &rresp, 2},
          {"rlast", &rlast, 1},
          {"rvalid", &rvalid, 1},
          {"rready", &rready, 1}})
        check_pin(os, n, *p, bits, true);
    for (const auto& [n, p, bits] :
         {std::tuple<const char*, const pin*, unsigned>{"awcache", &awcache, 4},
          {"awprot", &awprot, 3},
          {"awqos", &awqos, 4},
          {"awregion", &awregion, 4},
          {"arcache", &arcache, 4},
          {"arprot", &arprot, 3},
          {"arqos", &arqos, 4},
          {"arregion", &arregion, 4}})
        check_pin(os, n, *p, bits, false);
    return result(name, os);
}

std::string apb_port::validate() const {
    std::ostringstream os;
    if (data_bits != 8 && data_bits != 16 && data_bits != 32)
        os << "; data width " << data_bits << " bits (8, 16 or 32)";
    if (addr_bits == 0 || addr_bits > 32) os << "; address width " << addr_bits << " (1..32)";
    if (!os.str().empty()) return result(name, os);
    check_pin(os, "paddr", paddr, addr_bits, true);
    check_pin(os, "pwdata", pwdata, data_bits, true);
    check_pin(os, "prdata", prdata, data_bits, true);
    check_pin(os, "pstrb", pstrb, data_bits / 8, false);
    for (const auto& [n, p] : {std::pair<const char*, const pin*>{"psel", &psel},
                               {"penable", &penable},
                               {"pwrite", &pwrite},
                               {"pready", &pready},
                               {"pslverr", &pslverr}})
        check_pin(os, n, *p, 1, true);
    return result(name, os);
}

} // namespace epvp::rtl
