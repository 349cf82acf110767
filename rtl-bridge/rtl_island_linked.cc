// Programs that link the RTL island library (the rtl-bridge and waves tests) use it as linked,
// with no loader: rtl_island_library.h.
#include "rtl-bridge/rtl_island_library.h"

namespace {
[[maybe_unused]] const bool island_linked = [] {
    epvp::rtl::use_island(epvp_rtl_island_entry());
    return true;
}();
} // namespace
