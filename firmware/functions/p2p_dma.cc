#include "firmware/functions/p2p_dma.h"

#include "firmware/hal/crc32.h"
#include "firmware/hal/errno.h"
#include "firmware/hal/format.h"
#include "firmware/hal/random.h"

#include <algorithm>

namespace fw::functions {

namespace {
constexpr std::uint64_t p2p_buffer_align = 4096;
constexpr std::uint64_t p2p_cpu_chunk_bytes = 4096;
constexpr unsigned bits_per_word = 32;
constexpr std::uint32_t crc_init = ~0u;

std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) {
    return static_cast<std::uint64_t>(hi) << bits_per_word | lo;
}
std::uint32_t lo32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t hi32(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> bits_per_word);
}
} // namespace

p2p_client::p2p_client(endpoint_services& s, const p2p_client_params& p)
    : s_(s)
    , p_(p) {}

void p2p_client::step(const std::string& msg) {
    r_.steps.push_back(msg);
    s_.io.log(hal::log_level::info, "p2p", msg);
}

int p2p_client::crc_of(std::uint64_t local, std::uint64_t len, std::uint32_t& crc) {
    std::vector<std::uint8_t> chunk;
    crc = crc_init;
    for (std::uint64_t off = 0; off < len; off += p2p_cpu_chunk_bytes) {
        const std::size_t n = static_cast<std::size_t>(std::min(p2p_cpu_chunk_bytes, len - off));
        chunk.resize(n);
        if (s_.io.read(local + off, chunk.data(), n) != hal::status::ok) return -EIO;
        crc = fw::crc32_le(crc, chunk.data(), n);
        s_.io.charge(hal::platform::work::crc, n);
    }
    return 0;
}

int p2p_client::wait_job() {
    const epc::epf_bar& mb = s_.function.bar(p2p_job::MAILBOX_BAR);
    if (!s_.edma) {
        step("no eDMA: cannot be a p2p client");
        return r_.status = -EOPNOTSUPP;
    }
    if (mb.size < p2p_job::MAILBOX_BYTES) {
        step("BAR" + std::to_string(p2p_job::MAILBOX_BAR) + " is too small for the mailbox");
        return r_.status = -EOPNOTSUPP;
    }
    mailbox_ = mb.phys_addr;
    for (std::uint32_t off = 0; off < p2p_job::MAILBOX_BYTES; off += sizeof(std::uint32_t))
        s_.io.wr32(mailbox(off), 0);
    s_.io.wr32(mailbox(p2p_job::MAGIC), p2p_job::MAGIC_VALUE);
    s_.io.wr32(mailbox(p2p_job::STATE), p2p_job::STATE_READY);
    const std::uint64_t start = s_.io.now_ns();
    while (s_.io.rd32(mailbox(p2p_job::STATE)) != p2p_job::STATE_GO) {
        if (s_.io.now_ns() - start >= p_.timeout_ns) {
            step("no job within the timeout");
            return r_.status = -ETIMEDOUT;
        }
        s_.io.delay_ns(p_.poll_ns);
    }
    auto& j = r_.job;
    j.peer_addr =
        join64(s_.io.rd32(mailbox(p2p_job::PEER_LO)), s_.io.rd32(mailbox(p2p_job::PEER_HI)));
    j.bytes = s_.io.rd32(mailbox(p2p_job::BYTES));
    j.flags = s_.io.rd32(mailbox(p2p_job::FLAGS));
    j.host_flag = join64(s_.io.rd32(mailbox(p2p_job::HOST_FLAG_LO)),
                         s_.io.rd32(mailbox(p2p_job::HOST_FLAG_HI)));
    j.seed = join64(s_.io.rd32(mailbox(p2p_job::SEED_LO)), s_.io.rd32(mailbox(p2p_job::SEED_HI)));
    s_.io.wr32(mailbox(p2p_job::STATE), p2p_job::STATE_RUNNING);
    if (j.bytes == 0 || j.bytes > p_.max_bytes) {
        step("job refused: " + std::to_string(j.bytes) + " bytes (1.." +
             std::to_string(p_.max_bytes) + ")");
        return r_.status = -EINVAL;
    }
    src_ = std::make_unique<epc::pool_buffer>(s_.pool, j.bytes, p2p_buffer_align);
    dst_ = std::make_unique<epc::pool_buffer>(s_.pool, j.bytes, p2p_buffer_align);
    r_.local_src = src_->ok() ? src_->addr() : 0;
    r_.local_dst = dst_->ok() ? dst_->addr() : 0;
    if (!src_->ok() || !dst_->ok()) {
        step("no local memory for " + std::to_string(j.bytes) + " bytes");
        return r_.status = -ENOMEM;
    }
    step("job: " + std::to_string(j.bytes) + " bytes with peer bus address " + hex(j.peer_addr));
    return 0;
}

int p2p_client::write_to_peer() {
    if (r_.status || !(r_.job.flags & p2p_job::FLAG_WRITE)) return 0;
    auto& w = r_.write;
    w.ran = true;
    w.bytes = r_.job.bytes;
    xorshift64star gen(r_.job.seed);
    std::vector<std::uint8_t> chunk;
    for (std::uint64_t off = 0; off < w.bytes; off += p2p_cpu_chunk_bytes) {
        const std::size_t n =
            static_cast<std::size_t>(std::min(p2p_cpu_chunk_bytes, w.bytes - off));
        chunk.resize(n);
        gen.fill(chunk.data(), n);
        s_.io.charge(hal::platform::work::copy, n);
        if (s_.io.write(r_.local_src + off, chunk.data(), n) != hal::status::ok)
            return w.status = -EIO;
    }
    if ((w.status = crc_of(r_.local_src, w.bytes, w.crc))) return w.status;
    const int ch = s_.edma->request_channel(dwc::edma_dir::write);
    if (ch < 0) return w.status = ch;
    dwc::edma_xfer_times t;
    w.status = src_->keep_if_timed_out(
        s_.edma->xfer_channel(dwc::edma_dir::write, static_cast<unsigned>(ch), r_.local_src,
                              r_.job.peer_addr, w.bytes, p_.timeout_ns, &t));
    s_.edma->release_channel(dwc::edma_dir::write, static_cast<unsigned>(ch));
    w.ns = t.done_ns - t.doorbell_ns;
    step(std::string("write to peer: ") + (w.status ? err_name(w.status) : "done") + ", crc " +
         hex(w.crc));
    return w.status;
}

int p2p_client::read_from_peer() {
    if (r_.status || !(r_.job.flags & p2p_job::FLAG_READ)) return 0;
    auto& rd = r_.read;
    rd.ran = true;
    rd.bytes = r_.job.bytes;
    const int ch = s_.edma->request_channel(dwc::edma_dir::read);
    if (ch < 0) return rd.status = ch;
    dwc::edma_xfer_times t;
    rd.status = dst_->keep_if_timed_out(
        s_.edma->xfer_channel(dwc::edma_dir::read, static_cast<unsigned>(ch), r_.local_dst,
                              r_.job.peer_addr, rd.bytes, p_.timeout_ns, &t));
    s_.edma->release_channel(dwc::edma_dir::read, static_cast<unsigned>(ch));
    rd.ns = t.done_ns - t.doorbell_ns;
    if (!rd.status) rd.status = crc_of(r_.local_dst, rd.bytes, rd.crc);
    step(std::string("read from peer: ") + (rd.status ? err_name(rd.status) : "done") + ", crc " +
         hex(rd.crc));
    return rd.status;
}

int p2p_client::finish() {
    if (!mailbox_) return r_.status;
    auto& io = s_.io;
    io.wr32(mailbox(p2p_job::WRITE_STATUS), static_cast<std::uint32_t>(r_.write.status));
    io.wr32(mailbox(p2p_job::READ_STATUS), static_cast<std::uint32_t>(r_.read.status));
    io.wr32(mailbox(p2p_job::WRITE_CRC), r_.write.crc);
    io.wr32(mailbox(p2p_job::READ_CRC), r_.read.crc);
    io.wr32(mailbox(p2p_job::WRITE_NS_LO), lo32(r_.write.ns));
    io.wr32(mailbox(p2p_job::WRITE_NS_HI), hi32(r_.write.ns));
    io.wr32(mailbox(p2p_job::READ_NS_LO), lo32(r_.read.ns));
    io.wr32(mailbox(p2p_job::READ_NS_HI), hi32(r_.read.ns));
    io.wr32(mailbox(p2p_job::ERROR), static_cast<std::uint32_t>(r_.status));
    io.wr32(mailbox(p2p_job::STATE), p2p_job::STATE_DONE);
    if (!r_.job.host_flag || !s_.edma) return r_.status;
    epc::pool_buffer word(s_.pool, sizeof(std::uint32_t), sizeof(std::uint32_t));
    if (!word.ok()) return -ENOMEM;
    io.wr32(word.addr(), p2p_job::DONE_VALUE);
    const int st = word.keep_if_timed_out(s_.edma->xfer(
        dwc::edma_dir::write, word.addr(), r_.job.host_flag, sizeof(std::uint32_t), p_.timeout_ns));
    if (st) step(std::string("done flag to the host: ") + err_name(st));
    return st;
}

} // namespace fw::functions
