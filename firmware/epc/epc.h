// Endpoint-controller core: the API endpoint functions use (the equivalent of Linux's
// pci-epc-core.c, pci-epc-mem.c and pci-epf-core.c), over a controller driver's ops.
//
// Generic checks live here once (pci_epc_set_bar's rules, vector ranges); the controller
// driver (firmware/dwc) implements the hardware side. The outbound aperture allocator hands out
// naturally aligned power-of-two page runs, and mem_map/mem_unmap implement the partial-mapping
// rule (a mapping may cover less than asked; the caller loops).
#pragma once

#include "firmware/hal/board.h"
#include "firmware/hal/hal.h"

#include <array>
#include <cstdint>
#include <vector>

namespace fw::epc {

constexpr int NO_BAR = -1;

struct features {
    bool linkup_notifier = true;
    bool msi_capable = true;
    bool msix_capable = true;
    bool intx_capable = true;
    bool dynamic_inbound_mapping = true;
    bool subrange_mapping = false;
    std::array<hal::bar_desc, 6> bar{};
    std::uint64_t align = 0; // BAR buffer alignment
};

struct header {
    std::uint16_t vendorid = 0, deviceid = 0;
    std::uint8_t revid = 0, progif_code = 0, subclass_code = 0, baseclass_code = 0;
    std::uint8_t cache_line_size = 0;
    std::uint16_t subsys_vendor_id = 0, subsys_id = 0;
    std::uint8_t interrupt_pin = 0;
};

// One piece of a BAR in subrange mapping: consecutive pieces cover the BAR in order.
struct epf_bar_submap {
    std::uint64_t phys_addr = 0; // local address the piece maps to
    std::uint64_t size = 0;
};

struct epf_bar {
    int barno = NO_BAR;
    std::uint64_t phys_addr = 0; // local (AXI) address of the backing memory
    std::uint64_t size = 0;
    std::uint32_t flags = 0; // PCI_BASE_ADDRESS_* flags
    // Non-empty: the controller maps the BAR piece by piece with address-match inbound windows
    // (needs features.subrange_mapping and a host-assigned BAR address).
    std::vector<epf_bar_submap> submap;
};

enum class irq_type { intx, msi, msix };

// The controller driver's side (struct pci_epc_ops).
class controller_ops {
public:
    virtual ~controller_ops() = default;
    virtual int write_header(unsigned fn, const header& h) = 0;
    virtual int set_bar(unsigned fn, const epf_bar& bar) = 0;
    virtual void clear_bar(unsigned fn, const epf_bar& bar) = 0;
    virtual std::uint64_t align_addr(std::uint64_t pci_addr, std::uint64_t& size,
                                     std::uint64_t& offset) = 0;
    virtual int map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr,
                         std::uint64_t size) = 0;
    virtual void unmap_addr(unsigned fn, std::uint64_t phys) = 0;
    virtual int set_msi(unsigned fn, unsigned nr_irqs) = 0;
    virtual int get_msi(unsigned fn) = 0;
    virtual int set_msix(unsigned fn, unsigned nr_irqs, unsigned bir, std::uint32_t offset) = 0;
    virtual int get_msix(unsigned fn) = 0;
    virtual int raise_irq(unsigned fn, irq_type type, unsigned num) = 0;
    virtual int start() = 0;
    virtual void stop() = 0;
    virtual const features& get_features(unsigned fn) = 0;
};

// Outbound aperture allocator (pci_epc_mem): one window, a page bitmap, power-of-two naturally
// aligned runs.
class mem_window {
public:
    mem_window() = default;
    mem_window(std::uint64_t phys_base, std::uint64_t size, std::uint64_t page_size);
    // Returns 0 and the local address, or -ENOMEM.
    int alloc(std::uint64_t size, std::uint64_t& phys);
    void free(std::uint64_t phys, std::uint64_t size);
    std::uint64_t page_size() const { return page_size_; }
    std::uint64_t pages_free() const;

private:
    unsigned order_for(std::uint64_t size) const;
    std::uint64_t base_ = 0, size_ = 0, page_size_ = 0;
    std::vector<bool> used_;
};

// struct pci_epc_map
struct map {
    std::uint64_t pci_addr = 0;     // requested
    std::uint64_t pci_size = 0;     // bytes mapped from pci_addr (may be < requested)
    std::uint64_t map_pci_addr = 0; // aligned window start
    std::uint64_t map_size = 0;     // aperture bytes allocated and mapped
    std::uint64_t phys_base = 0;    // local address of the window
    std::uint64_t phys_addr = 0;    // where pci_addr appears locally
};

class epc {
public:
    epc(controller_ops& ops, hal::platform& io, const hal::ep_board& board);

    const features& get_features(unsigned fn) { return ops_.get_features(fn); }
    int write_header(unsigned fn, const header& h) { return ops_.write_header(fn, h); }
    int set_bar(unsigned fn, const epf_bar& bar); // generic checks, then the driver
    void clear_bar(unsigned fn, const epf_bar& bar) { ops_.clear_bar(fn, bar); }
    int set_msi(unsigned fn, unsigned nr_irqs);
    int set_msix(unsigned fn, unsigned nr_irqs, unsigned bir, std::uint32_t offset);
    int get_msi(unsigned fn) { return ops_.get_msi(fn); }
    int get_msix(unsigned fn) { return ops_.get_msix(fn); }
    int raise_irq(unsigned fn, irq_type type, unsigned num) {
        return ops_.raise_irq(fn, type, num);
    }
    int start() { return ops_.start(); }

    int mem_alloc_addr(std::uint64_t size, std::uint64_t& phys) { return mem_.alloc(size, phys); }
    void mem_free_addr(std::uint64_t phys, std::uint64_t size) { mem_.free(phys, size); }
    int map_addr(unsigned fn, std::uint64_t phys, std::uint64_t pci_addr, std::uint64_t size) {
        return ops_.map_addr(fn, phys, pci_addr, size);
    }
    void unmap_addr(unsigned fn, std::uint64_t phys) { ops_.unmap_addr(fn, phys); }
    int mem_map(unsigned fn, std::uint64_t pci_addr, std::uint64_t size, map& m);
    void mem_unmap(unsigned fn, const map& m);

    static int get_first_free_bar(const features& f) { return get_next_free_bar(f, 0); }
    static int get_next_free_bar(const features& f, int bar);

private:
    controller_ops& ops_;
    hal::platform& io_;
    mem_window mem_;
};

// pci_epf_alloc_space's memory: coherent buffers in local DRAM (first fit, aligned).
class coherent_pool {
public:
    coherent_pool(std::uint64_t base, std::uint64_t size)
        : base_(base)
        , size_(size) {}
    // Returns 0 or -ENOMEM.
    int alloc(std::uint64_t size, std::uint64_t align, std::uint64_t& addr);
    void free(std::uint64_t addr);

private:
    struct block {
        std::uint64_t addr, size;
    };
    std::uint64_t base_, size_;
    std::vector<block> used_; // sorted by address
};

// A buffer from the coherent pool that a DMA transfer uses, returned to the pool when it goes
// out of scope, except after keep(): a transfer that timed out leaves its channel running, and
// the engine may still read or write the buffer, so it must never be handed out again (a
// buffer a dmaengine transfer may still touch is not freed in Linux either). Every function
// that DMAs into or out of a pool buffer holds it in one of these.
class pool_buffer {
public:
    pool_buffer(coherent_pool& pool, std::uint64_t size, std::uint64_t align);
    ~pool_buffer();
    pool_buffer(const pool_buffer&) = delete;
    pool_buffer& operator=(const pool_buffer&) = delete;
    bool ok() const { return ok_; }
    std::uint64_t addr() const { return addr_; }
    // Leaves the buffer allocated for good (addr() stays valid).
    void keep() { owned_ = false; }
    // keep() if a transfer on the buffer returned err == -ETIMEDOUT; returns err.
    int keep_if_timed_out(int err);

private:
    coherent_pool& pool_;
    std::uint64_t addr_ = 0;
    bool ok_ = false, owned_ = false;
};

// pci_epf_alloc_space: size rules for the BAR type; fills bar (phys, size, flags).
int alloc_space(coherent_pool& pool, const features& f, int barno, std::uint64_t size,
                epf_bar& bar);

} // namespace fw::epc
