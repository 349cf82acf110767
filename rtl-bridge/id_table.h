// Per-AXI-ID state of a bridge or checker: a port uses few IDs at a time, so a short list
// searched in order, each ID kept once seen (a tree node made per burst and a tree walk per beat
// cost more than the rest of the bookkeeping). SystemC-free.
#pragma once

#include <utility>
#include <vector>

namespace epvp::rtl {

template <class T>
class id_table {
public:
    // The ID's entry, made (value-initialised) the first time the ID is seen.
    T& operator[](unsigned id) {
        if (T* v = find(id)) return *v;
        entries_.emplace_back(id, T{});
        return entries_.back().second;
    }
    // The ID's entry, or null if the ID was never seen.
    T* find(unsigned id) {
        for (auto& e : entries_)
            if (e.first == id) return &e.second;
        return nullptr;
    }

private:
    std::vector<std::pair<unsigned, T>> entries_;
};

} // namespace epvp::rtl
