#include "model/core/trace_events.h"

#include <algorithm>
#include <cstdio>

namespace epvp::trace {

recorder* recorder::active_ = nullptr;

namespace {

std::string quoted(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            o += "\\\"";
            break;
        case '\\':
            o += "\\\\";
            break;
        case '\n':
            o += "\\n";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char b[8];
                std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned char>(c));
                o += b;
            } else {
                o += c;
            }
        }
    }
    return o + "\"";
}

// Picoseconds as microseconds with six decimals (exact).
std::string micros(std::uint64_t ps) {
    constexpr std::uint64_t ps_per_us = 1000000;
    char b[48];
    std::snprintf(b, sizeof b, "%llu.%06llu", static_cast<unsigned long long>(ps / ps_per_us),
                  static_cast<unsigned long long>(ps % ps_per_us));
    return b;
}

} // namespace

int recorder::track(const std::string& process, const std::string& thread) {
    auto key = std::make_pair(process, thread);
    auto it = track_ids_.find(key);
    if (it != track_ids_.end()) return it->second;
    pids_.emplace(process, 0);
    track_info t;
    t.process = process;
    t.thread = thread;
    tracks_.push_back(t);
    const int id = static_cast<int>(tracks_.size()) - 1;
    track_ids_.emplace(key, id);
    return id;
}

void recorder::complete(int track, const std::string& name, std::uint64_t start_ps,
                        std::uint64_t dur_ps,
                        std::vector<std::pair<std::string, std::string>> args) {
    events_.push_back({track, name, start_ps, dur_ps, std::move(args)});
}

void recorder::write_json(std::ostream& os) const {
    os << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    bool first = true;
    auto sep = [&] {
        if (!first) os << ",\n";
        first = false;
    };
    // Processes and threads are numbered in name order, not in the order of first use (which
    // follows the kernel's scheduling of the threads that record, and so the quantum).
    std::map<std::string, int> pid; // pids_ is ordered by name
    for (const auto& p : pids_) {
        const int n = static_cast<int>(pid.size()) + 1;
        pid.emplace(p.first, n);
        sep();
        os << "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" << n
           << ",\"tid\":0,\"args\":{\"name\":" << quoted(p.first) << "}}";
    }
    std::vector<int> tid(tracks_.size());
    int next_tid = 0;
    for (const auto& k : track_ids_) { // ordered by (process, thread)
        const track_info& t = tracks_[static_cast<std::size_t>(k.second)];
        tid[static_cast<std::size_t>(k.second)] = ++next_tid;
        sep();
        os << "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" << pid.at(t.process)
           << ",\"tid\":" << next_tid << ",\"args\":{\"name\":" << quoted(t.thread) << "}}";
    }
    // Events in time order; at one time by track, then in the order they were recorded (one
    // track's events come from one thread, in its order).
    std::vector<std::size_t> order(events_.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const event& x = events_[a];
        const event& y = events_[b];
        if (x.start_ps != y.start_ps) return x.start_ps < y.start_ps;
        return tid[static_cast<std::size_t>(x.track)] < tid[static_cast<std::size_t>(y.track)];
    });
    for (std::size_t i : order) {
        const event& e = events_[i];
        const track_info& t = tracks_[static_cast<std::size_t>(e.track)];
        sep();
        os << "{\"ph\":\"X\",\"name\":" << quoted(e.name) << ",\"pid\":" << pid.at(t.process)
           << ",\"tid\":" << tid[static_cast<std::size_t>(e.track)]
           << ",\"ts\":" << micros(e.start_ps) << ",\"dur\":" << micros(e.dur_ps);
        if (!e.args.empty()) {
            os << ",\"args\":{";
            for (std::size_t k = 0; k < e.args.size(); ++k)
                os << (k ? "," : "") << quoted(e.args[k].first) << ":" << quoted(e.args[k].second);
            os << "}";
        }
        os << "}";
    }
    os << "\n]}\n";
}

} // namespace epvp::trace
