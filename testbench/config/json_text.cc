// Configuration text: JSON parsing with positions in every message, the duplicate-key and
// nesting limits, and reading files with a size cap.
#include "testbench/config/config.h"
#include "testbench/config/config_util.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <unordered_set>

namespace epvp::cfg {
using namespace util;
namespace {

// Input limits. A configuration is a few levels deep and a few KiB; these bound what a file or a
// --set value can make the parser and every later walk over the document do.
constexpr std::size_t max_json_depth = 64;             // nested objects and arrays
constexpr std::size_t max_file_bytes = 16 * MiB;       // a configuration or sweep spec file
constexpr std::size_t max_file_block_bytes = 64 * KiB; // read at a time

// "line 3, column 7" of the byte at `offset` (0-based) in `text`.
std::string line_column(const std::string& text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    return "line " + dec(line) + ", column " + dec(offset - line_start + 1);
}

// The offset of the opening quote of the JSON string whose closing quote is at `close`: the
// nearest quote before it that is not escaped (an even number of backslashes before it).
std::size_t string_start(const std::string& text, std::size_t close) {
    for (std::size_t i = std::min(close, text.size()); i-- > 0;) {
        if (text[i] != '"') continue;
        std::size_t backslashes = 0;
        while (backslashes < i && text[i - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0) return i;
    }
    return close;
}

// An input iterator over text that keeps *cursor just past the last character the JSON parser
// has read, so a parser callback can say where in the text it is.
struct tracking_iterator {
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    const char* at;
    const char** cursor;

    reference operator*() const { return *at; }
    tracking_iterator& operator++() {
        *cursor = ++at;
        return *this;
    }
    tracking_iterator operator++(int) {
        tracking_iterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const tracking_iterator& o) const { return at == o.at; }
    bool operator!=(const tracking_iterator& o) const { return at != o.at; }
};

} // namespace

json parse_text(const std::string& text, const std::string& source_name) {
    return parse_json(text, "config " + source_name);
}

json parse_json(const std::string& text, const std::string& source) {
    // The parser reads through a tracking_iterator, so the callback knows where it is.
    const char* cursor = text.data();
    std::vector<std::unordered_set<std::string>> open_keys; // per open object or array
    const auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        const auto read = static_cast<std::size_t>(cursor - text.data());
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            // `read` is just past the '{' or '['.
            if (static_cast<std::size_t>(depth) >= max_json_depth)
                fail(source + ": nested deeper than " + dec(max_json_depth) + " levels at " +
                     line_column(text, read - 1));
            open_keys.emplace_back();
            break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            open_keys.pop_back();
            break;
        case json::parse_event_t::key:
            // `read` is just past the key's closing quote; an object is the innermost container.
            if (!open_keys.back().insert(parsed.get<std::string>()).second)
                fail(source + ": duplicate key " + shortened(safe_dump(parsed)) + " at " +
                     line_column(text, string_start(text, read - 1)) +
                     " (a key may appear once per object)");
            break;
        case json::parse_event_t::value:
            break;
        }
        return true;
    };
    try {
        return json::parse(tracking_iterator{text.data(), &cursor},
                           tracking_iterator{text.data() + text.size(), &cursor}, callback);
    } catch (const json::out_of_range& e) {
        // e.g. a number too large for any JSON number type
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        throw config_error(source + ": malformed JSON: " + what);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        std::string where;
        std::string message;
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3,
        // column 7: syntax error while parsing value - unexpected '}'; expected ..."
        const auto at = what.find("at line ");
        const auto col = what.find(", column ", at == std::string::npos ? 0 : at);
        const auto colon = what.find(": ", col == std::string::npos ? 0 : col);
        if (at != std::string::npos && col != std::string::npos && colon != std::string::npos) {
            where = what.substr(at, colon - at);
            message = what.substr(colon + 2);
        } else {
            // No position in the message: derive it from the byte offset (1-based: the last
            // byte read).
            const std::size_t end = std::min<std::size_t>(e.byte, text.size());
            where = "at " + line_column(text, end == 0 ? 0 : end - 1);
            const auto sep = what.find(": ");
            message = sep == std::string::npos ? what : what.substr(sep + 2);
        }
        throw config_error(source + ": malformed JSON " + where + ": " + message);
    }
}

std::string read_file(const std::string& path, const std::string& source) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(source + ": cannot open");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(source + ": cannot open");
    // Read in blocks up to the cap: /dev/zero or an endless pipe ends here, not in swap.
    std::string text;
    std::vector<char> block(max_file_block_bytes);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        text.append(block.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_file_bytes)
            fail(source + ": larger than " + dec(max_file_bytes / MiB) +
                 " MiB, the limit for a configuration or sweep file");
    }
    if (in.bad()) fail(source + ": read error");
    return text;
}

json load_file(const std::string& path) {
    return parse_text(read_file(path, "config " + path), path);
}

} // namespace epvp::cfg
