// Reusable generic payloads: constructing a tlm_generic_payload allocates its extension array,
// which costs more than carrying a TLP. Hot paths take one from this pool for the duration of
// a transport call and give it back (RAII), so nested transports each get their own.
#pragma once

#include <memory>
#include <tlm>
#include <vector>

namespace epvp {

class payload_pool {
public:
    // Never destroyed: payloads still in flight when the process exits may point at extensions
    // on a suspended thread's stack, which a payload's destructor would try to free.
    static payload_pool& get() {
        static payload_pool* pool = new payload_pool;
        return *pool;
    }
    tlm::tlm_generic_payload* acquire() {
        if (free_.empty()) {
            all_.push_back(std::make_unique<tlm::tlm_generic_payload>());
            return all_.back().get();
        }
        tlm::tlm_generic_payload* gp = free_.back();
        free_.pop_back();
        return gp;
    }
    void release(tlm::tlm_generic_payload* gp) {
        gp->set_byte_enable_ptr(nullptr);
        gp->set_byte_enable_length(0);
        gp->set_dmi_allowed(false);
        free_.push_back(gp);
    }

private:
    // The pool owns every payload, also those in use: a thread process that is still suspended
    // inside a transport when the simulation ends never gives its payload back, and the pool's
    // ownership keeps that from being a leak.
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>> all_;
    std::vector<tlm::tlm_generic_payload*> free_;
};

// One payload from the pool for the lifetime of this object.
class pooled_payload {
public:
    pooled_payload()
        : gp_(payload_pool::get().acquire()) {}
    ~pooled_payload() { payload_pool::get().release(gp_); }
    pooled_payload(const pooled_payload&) = delete;
    pooled_payload& operator=(const pooled_payload&) = delete;
    tlm::tlm_generic_payload& operator*() { return *gp_; }
    tlm::tlm_generic_payload* operator->() { return gp_; }

private:
    tlm::tlm_generic_payload* gp_;
};

} // namespace epvp
