// The documentation stays true: every command a reader is shown runs, and what the page says it
// prints is what it prints.
//
// README.md and every docs/**/*.md page are scanned for fenced code blocks. In a block whose lines
// start with "$ " (a transcript), each "$ " line is a command and the lines after it, up to the
// next "$ " line, are what the page says it prints; in any other block, each line that starts
// with `epsim`, `build/epsim` or `./build/epsim` is a command (a trailing "# ..." is a comment). A
// line ending in a backslash continues on the next. An HTML comment right before a block steers it:
//   <!-- doc-test: output-of COMMAND -->  the block is what COMMAND prints (no "$ " lines in it);
//   <!-- doc-test: shorten ARGS -->       ARGS (e.g. a --set that makes a long run short) are
//                                         appended to each epsim command of the block; the page
//                                         must say so in its text.
// Each page's commands run in order in one scratch folder that holds `build/epsim` and
// `testbench/` as links, so the paths on the page resolve as they do at the project root, and a
// command may use what the one before it wrote. A shown line must appear as a whole line of the
// output, in the order shown ("..." stands for lines left out). The exit status must be the one
// the shown lines imply: 2 when they show "epsim: error", 1 when they show a failed test, else 0.
// Commands that cannot run here are on the skip list below, each with its reason.
#define BOOST_TEST_MODULE docs
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "testbench/tests/cli_test_util.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr int command_timeout_s = 600;

struct doc_command {
    std::string page;               // path relative to the project root
    int line = 0;                   // where the command starts on the page
    std::string text;               // as shown, continuation lines joined
    std::vector<std::string> shown; // the output the page shows for it
};

// Commands that cannot run in a test, matched by a part of their text.
struct skipped_command {
    const char* part;
    const char* reason;
};
const skipped_command skip_list[] = {
    {"--emit-slurm /shared/",
     "writes the job array to a cluster file system path outside the tree (test_sweep runs "
     "--emit-slurm into its own folder and runs the script)"},
    {"--collect /shared/", "reads the cluster run's folder, which only exists on a cluster"},
    {"--gdb", "waits for a debugger to attach"},
};

std::string rtrim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.pop_back();
    return s;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool is_epsim(const std::string& command) {
    for (const char* p : {"epsim", "build/epsim", "./build/epsim"})
        if (command == p || starts_with(command, std::string(p) + " ")) return true;
    return false;
}

// A shell comment after the command ("  # what it does").
std::string without_comment(const std::string& s) {
    const auto at = s.find(" #");
    return rtrim(at == std::string::npos ? s : s.substr(0, at));
}

// Splits one page into its commands (epsim ones and others: the others still end a transcript
// entry, so their output is not taken for epsim's).
std::vector<doc_command> parse_page(const std::string& page, std::istream& in) {
    std::vector<doc_command> commands;
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);)
        lines.push_back(rtrim(l));
    static const std::regex directive(R"(^<!--\s*doc-test:\s*(output-of|shorten)\s+(.*?)\s*-->$)");
    std::string output_of, shorten;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (std::regex_match(lines[i], m, directive)) {
            (m[1] == "output-of" ? output_of : shorten) = m[2];
            continue;
        }
        if (!starts_with(lines[i], "```")) continue;
        std::vector<std::pair<int, std::string>> block;
        for (++i; i < lines.size() && !starts_with(lines[i], "```"); ++i)
            block.emplace_back(static_cast<int>(i + 1), lines[i]);
        const auto add = [&](int line, std::string text) {
            if (is_epsim(text) && !shorten.empty()) text += " " + shorten;
            commands.push_back({page, line, text, {}});
        };
        if (!output_of.empty()) {
            add(block.empty() ? static_cast<int>(i) : block.front().first - 1, output_of);
            for (const auto& [n, l] : block)
                commands.back().shown.push_back(l);
        } else {
            bool transcript = false;
            for (const auto& [n, l] : block)
                transcript = transcript || starts_with(l, "$ ");
            for (std::size_t k = 0; k < block.size(); ++k) {
                const auto& [n, l] = block[k];
                const bool command = transcript ? starts_with(l, "$ ") : true;
                if (!command) {
                    if (!commands.empty() && commands.back().page == page)
                        commands.back().shown.push_back(l);
                    continue;
                }
                std::string text = transcript ? l.substr(2) : l;
                while (!text.empty() && text.back() == '\\' && k + 1 < block.size()) {
                    const std::string& next = block[++k].second;
                    const auto indent = next.find_first_not_of(' ');
                    text = rtrim(text.substr(0, text.size() - 1)) + " " +
                           (indent == std::string::npos ? "" : next.substr(indent));
                }
                text = without_comment(text);
                if (!transcript && !is_epsim(text)) continue;
                add(n, text);
            }
        }
        output_of.clear();
        shorten.clear();
    }
    return commands;
}

std::vector<doc_command> parse_text(const std::string& page, const std::string& text) {
    std::istringstream in(text);
    return parse_page(page, in);
}

// The exit status the shown lines imply.
int expected_status(const std::vector<std::string>& shown) {
    static const std::regex failed(R"(\b[0-9]+ passed, [1-9][0-9]* failed\b)");
    int status = 0;
    for (const auto& l : shown) {
        if (starts_with(l, "epsim: error") || starts_with(l, "epsim sweep: error")) return 2;
        if (std::regex_search(l, failed) || starts_with(l, "not ok ")) status = 1;
    }
    return status;
}

// The first shown line that is not in the output in the order shown, or "" when all are.
std::string first_missing(const std::vector<std::string>& shown, const std::string& out) {
    std::vector<std::string> got;
    std::istringstream is(out);
    for (std::string l; std::getline(is, l);)
        got.push_back(rtrim(l));
    std::size_t at = 0;
    for (const auto& l : shown) {
        if (l.empty() || l == "...") continue;
        std::size_t k = at;
        while (k < got.size() && got[k] != l)
            ++k;
        if (k == got.size()) return l;
        at = k + 1;
    }
    return "";
}

std::vector<fs::path> pages() {
    const fs::path root(EPVP_SOURCE_DIR);
    std::vector<fs::path> out{root / "README.md"};
    if (fs::is_directory(root / "docs"))
        for (const auto& e : fs::recursive_directory_iterator(root / "docs"))
            if (e.is_regular_file() && e.path().extension() == ".md") out.push_back(e.path());
    std::sort(out.begin() + 1, out.end());
    return out;
}

const char* skip_reason(const std::string& text) {
    for (const auto& s : skip_list)
        if (text.find(s.part) != std::string::npos) return s.reason;
#ifndef EPVP_RTL_COSIM
    for (const char* rtl : {"dwc.iatu.impl=rtl", "dwc.iatu.impl=lockstep", "--rtl-iatu"})
        if (text.find(rtl) != std::string::npos)
            return "this build has no Verilated RTL (the page says RTL runs need it)";
#endif
    return nullptr;
}

} // namespace

// The reader of the pages is itself checked on a page written here.
BOOST_AUTO_TEST_CASE(parser_reads_transcripts_plain_blocks_and_directives) {
    const std::string page = "text\n"
                             "```\n"
                             "build/epsim run --workload p2p   # the default topology\n"
                             "sbatch x.sbatch\n"
                             "epsim plot a.csv --x k \\\n"
                             "    --y m\n"
                             "```\n"
                             "```\n"
                             "$ build/epsim run --set a=1 \\\n"
                             "    --set b=2\n"
                             "...\n"
                             "46 passed, 1 failed, 0 skipped\n"
                             "$ jq .x r.json\n"
                             "{\"x\":1}\n"
                             "```\n"
                             "<!-- doc-test: shorten --set w.n=1 -->\n"
                             "<!-- doc-test: output-of build/epsim run -->\n"
                             "```\n"
                             "epsim: error: bad\n"
                             "```\n";
    const auto c = parse_text("p.md", page);
    BOOST_REQUIRE_EQUAL(c.size(), 5u);
    BOOST_TEST(c[0].text == "build/epsim run --workload p2p");
    BOOST_TEST(c[0].line == 3);
    BOOST_TEST(c[1].text == "epsim plot a.csv --x k --y m");
    BOOST_TEST(c[2].text == "build/epsim run --set a=1 --set b=2");
    BOOST_REQUIRE_EQUAL(c[2].shown.size(), 2u);
    BOOST_TEST(expected_status(c[2].shown) == 1);
    BOOST_TEST(c[3].text == "jq .x r.json"); // not epsim: run by nobody, but it ends c[2]
    BOOST_TEST(c[4].text == "build/epsim run --set w.n=1");
    BOOST_TEST(expected_status(c[4].shown) == 2);
    BOOST_TEST(first_missing({"a", "...", "c"}, "a\nb\nc\n") == "");
    BOOST_TEST(first_missing({"c", "a"}, "a\nb\nc\n") == "a");
    BOOST_TEST(first_missing({"x"}, "a\n") == "x");
}

// Every epsim command of every page runs and prints what the page shows.
BOOST_AUTO_TEST_CASE(every_documented_command_runs_and_prints_what_is_shown) {
    std::size_t ran = 0, page_index = 0;
    for (const auto& page : pages()) {
        std::ifstream in(page);
        BOOST_REQUIRE_MESSAGE(in, "cannot read " << page);
        const std::string name = fs::relative(page, EPVP_SOURCE_DIR).string();
        const auto commands = parse_page(name, in);
        const fs::path scratch =
            fs::temp_directory_path() / ("epvp_docs_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(page_index++) + "_" + page.stem().string());
        fs::remove_all(scratch);
        fs::create_directories(scratch / "build");
        fs::create_symlink(EPSIM_PATH, scratch / "build" / "epsim");
        fs::create_directory_symlink(fs::path(EPVP_SOURCE_DIR) / "testbench",
                                     scratch / "testbench");
        for (const auto& c : commands) {
            if (!is_epsim(c.text)) continue;
            BOOST_TEST_CONTEXT(c.page << ":" << c.line << ": " << c.text) {
                if (const char* why = skip_reason(c.text)) {
                    BOOST_TEST_MESSAGE("skipped (" << why << ")");
                    continue;
                }
                const std::string cmd = starts_with(c.text, "epsim") ? "build/" + c.text : c.text;
                const auto r = cli_test::shell_in(scratch.string(), cmd, command_timeout_s);
                ++ran;
                BOOST_TEST(r.status == expected_status(c.shown), "exit status " << r.status << "\n"
                                                                                << r.out);
                const std::string missing = first_missing(c.shown, r.out);
                BOOST_TEST(missing.empty(), "the page shows a line the run did not print: \""
                                                << missing << "\"\noutput:\n"
                                                << r.out);
            }
        }
        fs::remove_all(scratch);
    }
    BOOST_TEST(ran > 0u);
}
