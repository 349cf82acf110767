#include "firmware/functions/cmd_stream.h"

#include "contracts/cmd_stream_regs.h"
#include "firmware/hal/errno.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace fw::functions {

namespace {
using namespace ::cmd_stream;
constexpr const char* cmd_log_cat = "cmd-stream";
constexpr unsigned msi_vector = 1;

struct command {
    std::uint16_t opcode = 0, cid = 0;
    std::uint32_t page_bytes = 0;
    std::vector<std::uint64_t> pages;
    std::uint64_t local = 0; // staging area in local memory
    std::uint16_t status = CQE_STATUS_OK;
};

class server {
public:
    server(endpoint_services& s, const cmd_stream_params& p, cmd_stream_stats& st)
        : s_(s)
        , io_(s.io)
        , p_(p)
        , st_(st)
        , base_(s.function.bar(p.bar).phys_addr) {}

    int run();

private:
    std::uint32_t reg(std::uint32_t off) { return io_.rd32(base_ + off); }
    void set_reg(std::uint32_t off, std::uint32_t v) { io_.wr32(base_ + off, v); }
    bool wait_for(std::uint32_t off, std::uint32_t bits);
    bool fetch(unsigned slot, command& c);
    void move_cpu(std::vector<command>& batch);
    void move_dma(std::vector<command>& batch);
    void complete(command& c);

    endpoint_services& s_;
    hal::platform& io_;
    cmd_stream_params p_;
    cmd_stream_stats& st_;
    std::uint64_t base_;
    unsigned entries_ = 0;
    std::uint64_t cq_ = 0;
    std::uint32_t done_ = 0;
    // Staging memory for the commands served at once; kept allocated after a timed-out DMA.
    std::unique_ptr<epc::pool_buffer> staging_;
    std::vector<std::uint8_t> buf_;
};

bool server::wait_for(std::uint32_t off, std::uint32_t bits) {
    const std::uint64_t start = io_.now_ns();
    while (!(reg(off) & bits)) {
        if (io_.now_ns() - start > p_.idle_timeout_ns) return false;
        io_.delay_ns(p_.poll_ns);
    }
    return true;
}

bool server::fetch(unsigned slot, command& c) {
    const std::uint64_t e = base_ + SQ_OFFSET + std::uint64_t(slot) * sqe_bytes(p_.max_pages);
    std::uint16_t op = 0, cid = 0;
    std::uint32_t pages = 0, page_bytes = 0;
    io_.read16(e + SQE_OPCODE, op);
    io_.read16(e + SQE_CID, cid);
    io_.read32(e + SQE_PAGES, pages);
    io_.read32(e + SQE_PAGE_BYTES, page_bytes);
    c = command{};
    c.opcode = op;
    c.cid = cid;
    c.page_bytes = page_bytes;
    if ((op != OP_READ && op != OP_WRITE) || !pages || pages > p_.max_pages || !page_bytes) {
        c.status = CQE_STATUS_BAD_COMMAND;
        return false;
    }
    c.pages.resize(pages);
    io_.read(e + SQE_PRP, c.pages.data(), pages * sizeof(std::uint64_t));
    return true;
}

// Maps as many pages of the batch as there are windows, copies them, unmaps, repeats.
void server::move_cpu(std::vector<command>& batch) {
    struct piece {
        command* c;
        unsigned page;
    };
    std::vector<piece> todo;
    for (auto& c : batch)
        if (c.status == CQE_STATUS_OK)
            for (unsigned i = 0; i < c.pages.size(); ++i)
                todo.push_back({&c, i});
    std::size_t next = 0;
    while (next < todo.size()) {
        std::vector<std::pair<piece, epc::map>> mapped;
        while (next < todo.size()) {
            piece& pc = todo[next];
            epc::map m;
            const int r = s_.epc.mem_map(0, pc.c->pages[pc.page], pc.c->page_bytes, m);
            if (r) {
                if (mapped.empty()) { // not even one window: the command cannot be served
                    pc.c->status = CQE_STATUS_MAP_ERROR;
                    ++next;
                    continue;
                }
                ++st_.window_busy_stalls;
                break;
            }
            ++st_.maps;
            mapped.push_back({pc, m});
            ++next;
        }
        for (auto& [pc, m] : mapped) {
            command& c = *pc.c;
            // A page may come back as partial mappings; walk it.
            std::uint64_t done = 0;
            epc::map cur = m;
            bool own = false;
            while (done < c.page_bytes && c.status == CQE_STATUS_OK) {
                const std::size_t n = static_cast<std::size_t>(
                    std::min<std::uint64_t>(cur.pci_size, c.page_bytes - done));
                const std::uint64_t local = c.local + std::uint64_t(pc.page) * c.page_bytes + done;
                buf_.resize(n);
                hal::status st = hal::status::ok;
                if (c.opcode == OP_READ) {
                    st = io_.read(cur.phys_addr, buf_.data(), n);
                    if (st == hal::status::ok) st = io_.write(local, buf_.data(), n);
                } else {
                    st = io_.read(local, buf_.data(), n);
                    if (st == hal::status::ok) st = io_.write(cur.phys_addr, buf_.data(), n);
                }
                io_.charge(hal::platform::work::copy, n);
                if (st != hal::status::ok) c.status = CQE_STATUS_BUS_ERROR;
                done += n;
                if (own) s_.epc.mem_unmap(0, cur);
                if (done < c.page_bytes) {
                    if (s_.epc.mem_map(0, c.pages[pc.page] + done, c.page_bytes - done, cur)) {
                        c.status = CQE_STATUS_MAP_ERROR;
                        own = false;
                        break;
                    }
                    own = true;
                }
            }
            s_.epc.mem_unmap(0, m);
        }
    }
}

void server::move_dma(std::vector<command>& batch) {
    for (auto& c : batch) {
        if (c.status != CQE_STATUS_OK) continue;
        for (unsigned i = 0; i < c.pages.size(); ++i) {
            const std::uint64_t local = c.local + std::uint64_t(i) * c.page_bytes;
            const int r = staging_->keep_if_timed_out(
                s_.edma->xfer(c.opcode == OP_READ ? dwc::edma_dir::read : dwc::edma_dir::write,
                              local, c.pages[i], c.page_bytes, p_.dma_timeout_ns));
            if (r) {
                c.status = CQE_STATUS_BUS_ERROR;
                break;
            }
        }
    }
}

void server::complete(command& c) {
    ++done_;
    std::uint8_t cqe[CQE_BYTES] = {};
    const std::uint32_t seq = done_;
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&c.cid), sizeof c.cid, cqe + CQE_CID);
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&c.status), sizeof c.status,
                cqe + CQE_STATUS);
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&seq), sizeof seq, cqe + CQE_SEQ);
    const std::uint64_t slot = cq_ + std::uint64_t((done_ - 1) % entries_) * CQE_BYTES;
    epc::map m;
    if (s_.epc.mem_map(0, slot, CQE_BYTES, m) == 0) {
        io_.write(m.phys_addr, cqe, CQE_BYTES);
        s_.epc.mem_unmap(0, m);
    } else {
        ++st_.errors;
        io_.log(hal::log_level::warning, cmd_log_cat, "no window for the completion entry");
    }
    set_reg(REG_DONE, done_);
    if (s_.epc.raise_irq(0, epc::irq_type::msi, msi_vector) == 0) ++st_.msis;
    ++st_.commands;
    if (c.status == CQE_STATUS_OK)
        st_.bytes += std::uint64_t(c.pages.size()) * c.page_bytes;
    else
        ++st_.errors;
}

int server::run() {
    if (!s_.function.bar(p_.bar).size) {
        io_.log(hal::log_level::error, cmd_log_cat, "the command BAR is not set");
        return -EINVAL;
    }
    if (p_.use_dma && !s_.edma) {
        io_.log(hal::log_level::error, cmd_log_cat, "eDMA mover asked for, but there is no eDMA");
        return -EOPNOTSUPP;
    }
    set_reg(REG_MAX_PAGES, p_.max_pages);
    set_reg(REG_STATUS, 0);
    if (!wait_for(REG_CTRL, CTRL_ENABLE)) return -ETIMEDOUT;
    entries_ = reg(REG_SQ_ENTRIES);
    cq_ = reg(REG_CQ_ADDR_LO) | (std::uint64_t(reg(REG_CQ_ADDR_HI)) << 32);
    const std::uint64_t ring_end = SQ_OFFSET + std::uint64_t(entries_) * sqe_bytes(p_.max_pages);
    if (!entries_ || ring_end > s_.function.bar(p_.bar).size) {
        io_.log(hal::log_level::error, cmd_log_cat, "submission ring does not fit the BAR");
        return -EINVAL;
    }
    // Staging memory for the commands served at once.
    const std::uint64_t per_cmd_bytes = std::uint64_t(p_.max_pages) * 65536;
    staging_ = std::make_unique<epc::pool_buffer>(s_.pool, per_cmd_bytes * p_.concurrency, 4096);
    if (!staging_->ok()) return -ENOMEM;
    set_reg(REG_STATUS, STATUS_READY);
    io_.log(hal::log_level::info, cmd_log_cat,
            std::string("serving: ") + std::to_string(entries_) + " entries, concurrency " +
                std::to_string(p_.concurrency) + ", mover " + (p_.use_dma ? "eDMA" : "CPU"));

    unsigned head = 0;
    std::uint64_t idle_since = io_.now_ns();
    while (!(reg(REG_CTRL) & CTRL_STOP)) {
        const unsigned tail = reg(REG_SQ_TAIL) % entries_;
        ++st_.polls;
        if (tail == head) {
            if (io_.now_ns() - idle_since > p_.idle_timeout_ns) break;
            io_.delay_ns(p_.poll_ns);
            continue;
        }
        std::vector<command> batch;
        while (head != tail && batch.size() < p_.concurrency) {
            command c;
            fetch(head, c);
            c.local = staging_->addr() + per_cmd_bytes * batch.size();
            if (c.status == CQE_STATUS_OK && c.page_bytes > 65536)
                c.status = CQE_STATUS_BAD_COMMAND;
            if (c.opcode == OP_WRITE && c.status == CQE_STATUS_OK) {
                // The data a WRITE delivers: the command's pattern in every byte.
                buf_.assign(std::uint64_t(c.page_bytes) * c.pages.size(), write_pattern(c.cid));
                io_.write(c.local, buf_.data(), buf_.size());
            }
            batch.push_back(std::move(c));
            head = (head + 1) % entries_;
        }
        if (p_.use_dma)
            move_dma(batch);
        else
            move_cpu(batch);
        for (auto& c : batch)
            complete(c);
        idle_since = io_.now_ns();
    }
    staging_.reset();
    set_reg(REG_STATUS, STATUS_STOPPED);
    return 0;
}
} // namespace

int serve_cmd_stream(endpoint_services& s, const cmd_stream_params& p, cmd_stream_stats& st) {
    server srv(s, p, st);
    return srv.run();
}

} // namespace fw::functions
