// Helpers of the end-to-end tests that run build/epsim as a user would: a shell command under
// timeout(1) with its output, epsim with its JSON report read back, and a scratch folder for the
// files of one test program (removed when it ends). The one place the tests start epsim.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace cli_test {

namespace fs = std::filesystem;

struct cmd_result {
    int status = -1;
    std::string out; // stdout and stderr
};

// Runs a shell command line as it is, its stdout and stderr captured; status -1 unless it exited.
inline cmd_result run_captured(const std::string& cmd) {
    cmd_result r;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    BOOST_REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

// Runs a shell command (after optional environment assignments) under timeout(1).
inline cmd_result shell(const std::string& cmd, int timeout_s, const std::string& env = "") {
    return run_captured(env + " timeout " + std::to_string(timeout_s) + " " + cmd);
}

// Quotes a string for /bin/sh (single quotes; an embedded quote becomes '\'').
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Runs a command line as a user types it, through /bin/sh, in `folder`, under timeout(1).
inline cmd_result shell_in(const std::string& folder, const std::string& command, int timeout_s) {
    return shell("/bin/sh -c " + shell_quote("cd " + shell_quote(folder) + " && " + command) +
                     " </dev/null",
                 timeout_s);
}

inline bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// The program's scratch folder: /tmp/<stem>_<pid>, made on first use. Declare
// BOOST_GLOBAL_FIXTURE(cli_test::remove_work_dir) once to remove it at the end.
inline std::string& work_dir_stem() {
    static std::string stem = "epsim_test";
    return stem;
}
inline const fs::path& work_dir() {
    static const fs::path dir = [] {
        fs::path d =
            fs::temp_directory_path() / (work_dir_stem() + "_" + std::to_string(::getpid()));
        fs::remove_all(d);
        fs::create_directories(d);
        return d;
    }();
    return dir;
}
struct remove_work_dir {
    ~remove_work_dir() {
        std::error_code ec;
        fs::remove_all(work_dir(), ec);
    }
};

inline fs::path write_file(const std::string& name, const std::string& text) {
    const fs::path p = work_dir() / name;
    std::ofstream os(p);
    os << text;
    return p;
}

inline std::string read_file(const fs::path& p) {
    std::ifstream is(p);
    std::stringstream ss;
    ss << is.rdbuf();
    return ss.str();
}

inline nlohmann::json read_json(const fs::path& p) {
    return nlohmann::json::parse(read_file(p), nullptr, false);
}

// A fresh file name in the program's scratch folder, ending in `stem`.
inline std::string temp_path(const std::string& stem) {
    static unsigned n = 0;
    return (work_dir() / (std::to_string(n++) + "_" + stem)).string();
}

struct run_result : cmd_result {
    nlohmann::json report; // null without a report (or when not asked for)
};

#ifdef EPSIM_PATH
// `epsim ARGS` (with `--report FILE` unless want_report is false), the report read back and
// removed. Not under timeout(1): these runs are bounded by CTest's timeout.
inline run_result run_epsim(const std::string& args, bool want_report = true) {
    const std::string report = temp_path("report.json");
    run_result r;
    static_cast<cmd_result&>(r) =
        run_captured(std::string(EPSIM_PATH) + " " + args +
                     (want_report ? " --report " + report : std::string()));
    if (want_report) {
        std::error_code ec;
        if (fs::exists(report, ec)) r.report = read_json(report);
        fs::remove(report, ec);
    }
    return r;
}
#endif

} // namespace cli_test
