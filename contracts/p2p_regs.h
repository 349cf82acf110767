// The protocol of the peer-to-peer client (workload `p2p`), shared by the endpoint firmware and
// the host software like a uapi header. The client's mailbox is the first bytes of its BAR
// MAILBOX_BAR (local DRAM behind an inbound window). The host writes the job (the peer's bus
// address from the p2pdma orchestrator, the size, the directions, where to signal completion)
// and then STATE_GO; the client runs its eDMA against the peer, writes the results here and
// signals by writing DONE_VALUE to HOST_FLAG in host memory (by eDMA), so that nothing crosses
// the root complex while the transfers run.
#pragma once

#include <cstdint>

namespace p2p_job {

constexpr unsigned MAILBOX_BAR = 2;

// Written by the endpoint.
constexpr std::uint32_t MAGIC = 0x00; // MAGIC_VALUE once the mailbox is ready
constexpr std::uint32_t MAGIC_VALUE = 0x9292D3A0;
constexpr std::uint32_t STATE = 0x04; // host: STATE_GO; endpoint: the others
// Written by the host.
constexpr std::uint32_t PEER_LO = 0x08; // bus address of the p2p memory
constexpr std::uint32_t PEER_HI = 0x0C;
constexpr std::uint32_t BYTES = 0x10;
constexpr std::uint32_t FLAGS = 0x14;
constexpr std::uint32_t HOST_FLAG_LO = 0x18; // host memory word the endpoint sets when done
constexpr std::uint32_t HOST_FLAG_HI = 0x1C;
constexpr std::uint32_t SEED_LO = 0x20; // data pattern seed
constexpr std::uint32_t SEED_HI = 0x24;
// Results, written by the endpoint (statuses are negative errno values or 0).
constexpr std::uint32_t WRITE_STATUS = 0x28;
constexpr std::uint32_t READ_STATUS = 0x2C;
constexpr std::uint32_t WRITE_CRC = 0x30;   // crc32_le(~0, data) of what was sent
constexpr std::uint32_t READ_CRC = 0x34;    // ... of what came back
constexpr std::uint32_t WRITE_NS_LO = 0x38; // doorbell to done
constexpr std::uint32_t WRITE_NS_HI = 0x3C;
constexpr std::uint32_t READ_NS_LO = 0x40;
constexpr std::uint32_t READ_NS_HI = 0x44;
constexpr std::uint32_t ERROR = 0x48; // a job-level error (no DMA ran), or 0
constexpr std::uint32_t MAILBOX_BYTES = 0x4C;

enum state : std::uint32_t {
    STATE_READY = 1,   // mailbox published, waiting for the job
    STATE_GO = 2,      // host: job written
    STATE_RUNNING = 3, // transfers under way
    STATE_DONE = 4,    // results valid
};

// FLAGS bits.
constexpr std::uint32_t FLAG_WRITE = 1u << 0; // client memory -> peer (eDMA write channel)
constexpr std::uint32_t FLAG_READ = 1u << 1;  // peer -> client memory (eDMA read channel)

constexpr std::uint32_t DONE_VALUE = 0xD0E9292D;

} // namespace p2p_job
