// A generic payload kept and reused by a bridge (instead of one made per request). Whoever sends
// it sets its own extensions on it, often objects on a thread's stack, and takes them off again
// on return; a simulation cut short leaves such a thread suspended with its extensions still set.
// So the payload takes every extension off, without freeing it, when it is destroyed (a plain
// tlm_generic_payload frees what is left on it).
#pragma once

#include <tlm>

namespace epvp::rtl {

class kept_payload : public tlm::tlm_generic_payload {
public:
    kept_payload() = default;
    kept_payload(const kept_payload&) = delete;
    kept_payload& operator=(const kept_payload&) = delete;
    ~kept_payload() override {
        for (unsigned i = 0; i < tlm::max_num_extensions(); ++i)
            set_extension(i, nullptr);
    }
};

} // namespace epvp::rtl
