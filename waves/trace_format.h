// Wave file formats (no Verilator headers: usable wherever a format is chosen).
//
// Models: FST and VCD, picked from the file name (".fst", ".vcd"); a Verilated block is built in
// one trace flavour per format (--trace-fst, --trace), see rtl-bridge/rtl_models.h.
// Does not model: other formats (LXT2, VPD, FSDB).
#pragma once

#include <string>

namespace epvp::waves {

enum class trace_format { fst, vcd };

// The format for a file name; throws std::invalid_argument naming the file otherwise.
trace_format trace_format_for(const std::string& file);

// "FST" / "VCD".
const char* to_string(trace_format f);

} // namespace epvp::waves
