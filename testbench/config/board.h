// SoC presets ("boards"): a configuration file of a real SoC's endpoint controller, plus a
// `description` line and a `sources` section that says, for each key the file sets, where the
// value comes from (a Linux driver or device tree, a boot log, a TRM, a mailing-list
// measurement, or "calibrated on <figure>"). `epsim run --board NAME` loads the preset NAME.json
// shipped with epsim; `--board PATH` (a name with a '/' or ending in .json) loads a user's file.
// The two extra sections are accepted only in a board file: a --config file with them is
// rejected as having unknown keys. Precedence: defaults < board < --config < --set.
// SystemC-free (part of the configuration library).
#pragma once

#include "testbench/config/config.h"

#include <filesystem>
#include <string>
#include <vector>

namespace epvp::cfg {

struct board_preset {
    std::string name;        // file name without .json
    std::string path;        // where it was read from
    std::string description; // one line
    json config;             // the configuration part (validated against the key table)
    json sources;            // key path -> where the value comes from
};

// The directories searched for shipped presets, in order: $EPVP_BOARD_DIR when set, then
// share/pcie_ep_vp/boards beside the running executable (build tree) and one level up from it
// (an installed bin/epsim).
std::vector<std::string> board_dirs();

// Every leaf key path a configuration document sets ("link.gen", "dwc.bars[4].type"; an array
// of values such as function.test.bar_sizes is one leaf).
std::vector<std::string> leaf_paths(const json& doc);

// Reads and checks a board document: `description` a one-line string, `sources` an object of
// non-empty strings whose keys are exactly the leaf paths the configuration part sets (a key
// without a source, or a source for a key the board does not set, is a config_error naming it),
// and the configuration part valid over the defaults.
board_preset parse_board(const json& doc, const std::string& name, const std::string& path);

// NAME (a shipped preset) or PATH (a user's file) -> the checked preset; an unknown name is a
// config_error that lists the known ones.
board_preset load_board(const std::string& name_or_path);

// The preset files the search finds, sorted by name (one per name: the first directory's wins),
// unread.
std::vector<std::filesystem::path> board_files();

// The shipped presets, sorted by name (each checked; a broken shipped file is a config_error).
std::vector<board_preset> list_boards();

// `epsim boards`: one line per preset, "NAME  DESCRIPTION".
std::string format_boards();

} // namespace epvp::cfg
