// Per-AXI-ID state of a bridge or checker: a port uses few IDs at a time, so a short list
// searched in order (a tree node made per burst and a tree walk per beat cost more than the rest
// of the bookkeeping). An entry whose ID has nothing outstanding (an empty queue, a zero count) is
// taken by the next ID not in the list, so the list is as long as the most IDs with state at one
// time, not as the IDs ever seen: a port handing out IDs round robin over a wide ID field keeps a
// short list. SystemC-free.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace epvp::rtl {

template <class T>
class id_table {
public:
    // The ID's entry; an ID not in the list gets an idle entry (value-initialised first if new).
    // Like a new entry, this may move or reuse entries: pointers taken before it are stale.
    T& operator[](unsigned id) {
        if (T* v = find(id)) return *v;
        for (auto& e : entries_)
            if (idle(e.second)) {
                e.first = id;
                return e.second;
            }
        entries_.emplace_back(id, T{});
        return entries_.back().second;
    }
    // The ID's entry, or null if the ID is not in the list (never seen, or its idle entry was
    // taken by another ID: an idle entry reads as the value-initialised one either way).
    T* find(unsigned id) {
        for (auto& e : entries_)
            if (e.first == id) return &e.second;
        return nullptr;
    }
    std::size_t size() const { return entries_.size(); }

private:
    // Nothing outstanding: a container is empty, a count is zero.
    template <class U>
    static auto idle(const U& v) -> decltype(v.empty()) {
        return v.empty();
    }
    static bool idle(unsigned v) { return v == 0; }

    std::vector<std::pair<unsigned, T>> entries_;
};

} // namespace epvp::rtl
