// Helpers of the end-to-end tests that run build/epsim as a user would: a shell command under
// timeout(1) with its output, and a scratch folder for the files of one test program (removed
// when it ends).
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

// Runs a shell command (after optional environment assignments) under timeout(1).
inline cmd_result shell(const std::string& cmd, int timeout_s, const std::string& env = "") {
    cmd_result r;
    const std::string full = env + " timeout " + std::to_string(timeout_s) + " " + cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    BOOST_REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
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

} // namespace cli_test
