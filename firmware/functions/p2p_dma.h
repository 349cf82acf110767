// The peer-to-peer DMA client (workload `p2p`): an endpoint function that moves data between its
// own memory and another endpoint's BAR (the provider's p2p memory) with its eDMA, by the PCI
// bus address the host's p2pdma orchestrator handed it. Its job arrives through the mailbox of
// hal/p2p_regs.h; each step is its own call so that a caller can observe the fabric between
// them.
//
// Write direction: the CPU fills a local buffer from the job's seed, computes crc32_le, and the
// eDMA write channel sends it to the peer address (MWr TLPs the fabric routes by address). Read
// direction: the eDMA read channel brings the same range back into a second local buffer (MRd,
// completions from the provider), whose CRC must equal the write's. Modelled hardware errors
// (UR completions for a read, an abort interrupt) come back as -EIO in the direction's status;
// the function carries on and reports. Does not model: the provider side (any endpoint whose
// BAR is backed by memory serves), scatter lists, several jobs.
#pragma once

#include "contracts/p2p_regs.h"
#include "firmware/functions/test_endpoint.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fw::functions {

struct p2p_client_params {
    std::uint64_t poll_ns = 10'000;           // mailbox poll interval while waiting for GO
    std::uint64_t timeout_ns = 1'000'000'000; // bound on the wait and on each transfer
    std::uint64_t max_bytes = 64ull << 20;    // largest job accepted (local buffers)
};

struct p2p_job_desc {
    std::uint64_t peer_addr = 0, bytes = 0, host_flag = 0, seed = 0;
    std::uint32_t flags = 0;
};

struct p2p_transfer {
    bool ran = false;
    int status = 0;        // 0, -EIO (abort: e.g. UR), -ETIMEDOUT, ...
    std::uint32_t crc = 0; // of the data sent (write) or received (read)
    std::uint64_t ns = 0;  // doorbell to done, as the firmware saw it
    std::uint64_t bytes = 0;
};

struct p2p_client_report {
    int status = 0; // job-level: 0, -ETIMEDOUT (no GO), -EINVAL (bad job), -ENOMEM, -EOPNOTSUPP
    p2p_job_desc job;
    p2p_transfer write, read;
    std::uint64_t local_src = 0, local_dst = 0; // the local buffers (endpoint addresses)
    bool data_ok() const {
        return write.ran && read.ran && write.status == 0 && read.status == 0 &&
               write.crc == read.crc;
    }
    std::vector<std::string> steps;
};

class p2p_client {
public:
    p2p_client(endpoint_services& s, const p2p_client_params& p);
    p2p_client(const p2p_client&) = delete;
    p2p_client& operator=(const p2p_client&) = delete;

    // Publishes the mailbox (MAGIC, STATE_READY), waits (bounded) for STATE_GO, reads and
    // checks the job, allocates the local buffers. 0 or the job-level error.
    int wait_job();
    // The directions FLAGS asks for; each returns its status (0 when FLAGS leaves it out).
    int write_to_peer();
    int read_from_peer();
    // Results into the mailbox, STATE_DONE, then DONE_VALUE into the host's flag word.
    int finish();

    const p2p_client_report& report() const { return r_; }

private:
    std::uint64_t mailbox(std::uint32_t off) const { return mailbox_ + off; }
    void step(const std::string& msg);
    int crc_of(std::uint64_t local, std::uint64_t len, std::uint32_t& crc);

    endpoint_services& s_;
    p2p_client_params p_;
    std::uint64_t mailbox_ = 0;
    p2p_client_report r_;
    // r_.local_src and r_.local_dst; a buffer whose transfer timed out stays allocated.
    std::unique_ptr<epc::pool_buffer> src_, dst_;
};

} // namespace fw::functions
