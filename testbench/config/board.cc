// SoC presets: finding, reading and checking a board file (board.h).
#include "testbench/config/board.h"
#include "testbench/config/config_util.h" // fail

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace epvp::cfg {

namespace {

namespace fs = std::filesystem;
using util::fail;

const char* const board_extension = ".json";
const char* const description_key = "description";
const char* const sources_key = "sources";
const char* const shipped_subdir = "share/pcie_ep_vp/boards";

void collect_leaves(const json& node, const std::string& path, std::vector<std::string>& out) {
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it)
            collect_leaves(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
        return;
    }
    // An array of objects (dwc.bars, topology lists) holds keys per element; any other value,
    // an array of numbers included, is one leaf.
    const bool object_array =
        node.is_array() && !node.empty() &&
        std::all_of(node.begin(), node.end(), [](const json& e) { return e.is_object(); });
    if (!object_array) {
        out.push_back(path);
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
        collect_leaves(node[i], path + "[" + std::to_string(i) + "]", out);
}

bool is_path(const std::string& s) {
    return s.find('/') != std::string::npos ||
           (s.size() > 5 && s.compare(s.size() - 5, 5, board_extension) == 0);
}

fs::path executable_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

} // namespace

std::vector<std::string> board_dirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("EPVP_BOARD_DIR"); env && *env) dirs.emplace_back(env);
    const fs::path exe_dir = executable_dir();
    if (!exe_dir.empty()) {
        dirs.push_back((exe_dir / shipped_subdir).string());
        dirs.push_back((exe_dir.parent_path() / shipped_subdir).string());
    }
    return dirs;
}

std::vector<std::string> leaf_paths(const json& doc) {
    std::vector<std::string> out;
    collect_leaves(doc, "", out);
    return out;
}

board_preset parse_board(const json& doc, const std::string& name, const std::string& path) {
    const std::string where = "board " + path;
    if (!doc.is_object()) fail(where + ": a board file is a JSON object");
    board_preset b;
    b.name = name;
    b.path = path;
    if (!doc.contains(description_key) || !doc.at(description_key).is_string() ||
        doc.at(description_key).get<std::string>().empty())
        fail(where + ": \"description\" must be a non-empty string (one line for `epsim boards`)");
    b.description = doc.at(description_key).get<std::string>();
    if (b.description.find('\n') != std::string::npos)
        fail(where + ": \"description\" must be one line");
    if (!doc.contains(sources_key) || !doc.at(sources_key).is_object())
        fail(where + ": \"sources\" must be an object: for each key the board sets, where its "
                     "value comes from");
    b.sources = doc.at(sources_key);
    b.config = doc;
    b.config.erase(description_key);
    b.config.erase(sources_key);

    // The configuration part must be valid on its own over the defaults.
    try {
        json merged = defaults();
        merge(merged, b.config);
        parse(merged);
    } catch (const config_error& e) {
        fail(where + ": " + e.what());
    }

    const std::vector<std::string> keys = leaf_paths(b.config);
    for (const auto& k : keys)
        if (!b.sources.contains(k))
            fail(where + ": " + k +
                 " has no entry in \"sources\" (say where the value comes from)");
    for (auto it = b.sources.begin(); it != b.sources.end(); ++it) {
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
            fail(where + ": sources." + it.key() + ": the board does not set this key");
        if (!it.value().is_string() || it.value().get<std::string>().empty())
            fail(where + ": sources." + it.key() + " must be a non-empty string");
    }
    return b;
}

board_preset load_board(const std::string& name_or_path) {
    if (name_or_path.empty()) fail("--board: empty name");
    if (is_path(name_or_path)) {
        const std::string stem = fs::path(name_or_path).stem().string();
        return parse_board(load_file(name_or_path), stem, name_or_path);
    }
    for (const auto& dir : board_dirs()) {
        const fs::path p = fs::path(dir) / (name_or_path + board_extension);
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            return parse_board(load_file(p.string()), name_or_path, p.string());
    }
    // The names only: a broken preset elsewhere in the search path is not this name's error.
    std::string known;
    for (const auto& f : board_files())
        known += (known.empty() ? "" : ", ") + f.stem().string();
    fail("--board " + name_or_path + ": no such board (known: " +
         (known.empty() ? "none found" : known) + "; a file of your own: --board ./FILE.json)");
}

std::vector<fs::path> board_files() {
    std::vector<fs::path> out;
    for (const auto& dir : board_dirs()) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file() && e.path().extension() == board_extension)
                files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            const bool shadowed = std::any_of(
                out.begin(), out.end(), [&](const fs::path& o) { return o.stem() == f.stem(); });
            if (!shadowed) out.push_back(f);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const fs::path& a, const fs::path& b) { return a.stem() < b.stem(); });
    return out;
}

std::vector<board_preset> list_boards() {
    std::vector<board_preset> out;
    for (const auto& f : board_files())
        out.push_back(parse_board(load_file(f.string()), f.stem().string(), f.string()));
    return out;
}

std::string format_boards() {
    const auto boards = list_boards();
    std::size_t width = 0;
    for (const auto& b : boards)
        width = std::max(width, b.name.size());
    std::string out;
    for (const auto& b : boards)
        out += b.name + std::string(width + 2 - b.name.size(), ' ') + b.description + '\n';
    if (boards.empty()) out = "no boards found (searched share/pcie_ep_vp/boards)\n";
    return out;
}

} // namespace epvp::cfg
