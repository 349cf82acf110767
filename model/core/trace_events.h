// Transaction trace: complete events (a name, a start and a duration on a track) collected
// while the simulation runs and written as Chrome/Perfetto trace-event JSON.
//
// Models: tracks as (process, thread) pairs, numbered in the written file by name (pid per
// process, tid per thread, both named by metadata events); complete events ("ph": "X") with
// ts/dur in microseconds (exact to the picosecond: six decimals) and string arguments, written
// in time order, at one time by track, then in the order one track recorded them. Nothing is
// recorded unless a recorder is installed: instrumented code tests active() first, so a run
// without --trace pays one pointer test per event site. The output depends on the events and
// the order each track recorded them in, not on how the kernel interleaved the threads that
// recorded: the same run gives the same bytes. Across quanta it is the same where the events
// are (a polling loop's events are not: their number moves with the quantum), as long as each
// track is recorded by one thread at a time (callers name a track after its block's kind, the
// process, and its instance, the thread: two endpoints' blocks never share one).
// Does not model: flow arrows, counters, instant events, nested (B/E) slices.
// SystemC-free: callers pass times in picoseconds.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace epvp::trace {

class recorder {
public:
    // The installed recorder, or nullptr when tracing is off.
    static recorder* active() { return active_; }
    static void install(recorder* r) { active_ = r; }

    // A track (thread) inside a process; the same names give the same track.
    int track(const std::string& process, const std::string& thread);
    void complete(int track, const std::string& name, std::uint64_t start_ps, std::uint64_t dur_ps,
                  std::vector<std::pair<std::string, std::string>> args = {});

    std::size_t events() const { return events_.size(); }
    void write_json(std::ostream& os) const;

private:
    struct track_info {
        std::string process, thread;
    };
    struct event {
        int track = 0;
        std::string name;
        std::uint64_t start_ps = 0, dur_ps = 0;
        std::vector<std::pair<std::string, std::string>> args;
    };
    static recorder* active_;
    std::map<std::string, int> pids_; // the processes (numbered when written)
    std::map<std::pair<std::string, std::string>, int> track_ids_;
    std::vector<track_info> tracks_;
    std::vector<event> events_;
};

} // namespace epvp::trace
