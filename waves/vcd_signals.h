// Reading a VCD's declarations back (tests and tools): the signals it declares, as
// "<scope>.<scope>...<name>" with bit ranges dropped, in declaration order.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace epvp::waves {

inline std::vector<std::string> declared_signals(const std::string& vcd) {
    std::vector<std::string> names, scope;
    std::istringstream in(vcd.substr(0, vcd.find("$enddefinitions")));
    for (std::string tok; in >> tok;) {
        if (tok == "$scope") {
            std::string kind, name;
            in >> kind >> name;
            scope.push_back(name);
        } else if (tok == "$upscope") {
            if (!scope.empty()) scope.pop_back();
        } else if (tok == "$var") {
            std::string type, width, id, name;
            in >> type >> width >> id >> name;
            std::string full;
            for (const auto& s : scope)
                full += s + ".";
            names.push_back(full + name);
        }
    }
    return names;
}

} // namespace epvp::waves
