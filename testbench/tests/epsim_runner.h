// Runs build/epsim as a user would, for the end-to-end test suites: its exit status, its
// output (stdout and stderr) and its JSON report. The suite defines EPSIM_PATH.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace epvp::test {

struct run_result {
    int status = -1;
    std::string out; // stdout and stderr
    nlohmann::json report;
};

// `epsim ARGS --report FILE`, the report read back and removed.
inline run_result epsim(const std::string& args) {
    static unsigned n = 0;
    const std::string report =
        "/tmp/epsim_run_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".json";
    run_result r;
    const std::string cmd = std::string(EPSIM_PATH) + " " + args + " --report " + report + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(p);
    char buf[4096];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, got);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream is(report);
    if (is) {
        std::stringstream ss;
        ss << is.rdbuf();
        r.report = nlohmann::json::parse(ss.str(), nullptr, false);
    }
    std::remove(report.c_str());
    return r;
}

} // namespace epvp::test
