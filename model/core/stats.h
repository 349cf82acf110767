// Statistics declarations: a module's statistics struct names its reported counters once, beside
// the members, in a visitor:
//
//     struct counters {
//         std::uint64_t tlps = 0;
//         sc_core::sc_time busy;
//         template <class V>
//         void for_each(V&& v) const {
//             v("tlps", tlps, "TLPs sent");
//             v("busy_ns", busy, "time the direction was busy");
//         }
//     };
//
// Each call is (report name, value, one-line meaning); the name carries the unit ("_ns" for an
// sc_time, which a reader converts to nanoseconds). The order of the calls is the order of the
// report. A struct may declare more than one group (for_each_replay, ...) when the report shows
// its counters in separate sections. Members a struct keeps for other readers (the workloads, the
// tests) and the report does not show are left out of the visitor. SystemC-free: readers (the
// report, tests) include it without the model.
#pragma once

#include <string>
#include <vector>

namespace epvp {

// The names a declaration visits, in order (`decl` calls its visitor: a lambda that forwards
// to s.for_each, s.for_each_replay, ...).
template <class Decl>
std::vector<std::string> stat_names(Decl&& decl) {
    std::vector<std::string> names;
    decl([&names](const char* name, const auto&, const char*) { names.emplace_back(name); });
    return names;
}

} // namespace epvp
