// Runs a command line the way a user types it, for the end-to-end suites: through /bin/sh, in a
// given folder, under timeout(1) so that no command can hang a suite, with stdout and stderr
// captured together. Header-only and SystemC-free; the suites that run build/epsim share it.
#pragma once

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace epvp::testing {

struct shell_result {
    int status = -1; // the exit status, or -1 when the command was killed by a signal
    std::string out; // stdout and stderr, interleaved as written
};

// Quotes a string for /bin/sh (single quotes; an embedded quote becomes '\'').
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

// `command` runs in `folder` (empty: the current one), killed after `timeout_s` seconds.
inline shell_result run_shell(const std::string& command, const std::string& folder,
                              unsigned timeout_s) {
    std::string full;
    if (!folder.empty()) full = "cd " + shell_quote(folder) + " && ";
    full += "timeout " + std::to_string(timeout_s) + " /bin/sh -c " + shell_quote(command) +
            " 2>&1 </dev/null";
    shell_result r;
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

} // namespace epvp::testing
