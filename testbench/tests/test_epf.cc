// The endpoint-function API's SystemC-free parts on the fake HAL: the workqueue's delayed work
// (Linux include/linux/workqueue.h semantics: queue_delayed_work on pending work returns false and
// changes nothing; cancel_delayed_work returns whether it was pending), the doorbell BAR
// placement of the context, and the built-in test function's operations.
#define BOOST_TEST_MODULE epf
#include "firmware/epc/fake_controller.h"
#include "firmware/epf/context.h"
#include "firmware/epf/workqueue.h"
#include "firmware/functions/test_endpoint.h"
#include "firmware/hal/fake_platform.h"

#include <boost/test/unit_test.hpp>
#include <string>

BOOST_AUTO_TEST_CASE(work_runs_when_due_in_due_order_and_only_once) {
    hal::fake_platform io;
    fw::epf::workqueue wq(io);
    std::string ran;
    fw::epf::delayed_work a([&] { ran += 'a'; }), b([&] { ran += 'b'; }), c([&] { ran += 'c'; });
    BOOST_TEST(wq.queue(a, 300));
    BOOST_TEST(wq.queue(b, 100));
    BOOST_TEST(wq.queue(c, 300)); // due with a: runs after it (queued later)
    BOOST_TEST(!wq.queue(b, 5));  // already pending: unchanged
    BOOST_TEST(wq.next_due_ns() == 100u);
    io.delay_ns(99);
    BOOST_TEST(wq.run_due() == 0u);
    io.delay_ns(1);
    BOOST_TEST(wq.run_due() == 1u);
    BOOST_TEST(ran == "b");
    io.delay_ns(1000);
    BOOST_TEST(wq.run_due() == 2u);
    BOOST_TEST(ran == "bac");
    BOOST_TEST(wq.empty());
    BOOST_TEST(wq.next_due_ns() == fw::epf::workqueue::never);
}

BOOST_AUTO_TEST_CASE(cancelled_work_does_not_run_and_work_may_requeue_itself) {
    hal::fake_platform io;
    fw::epf::workqueue wq(io);
    unsigned polls = 0;
    fw::epf::delayed_work poll([&] {
        if (++polls < 3) wq.queue(poll, 10);
    });
    fw::epf::delayed_work never_runs([] { BOOST_FAIL("cancelled work ran"); });
    wq.queue(poll, 10);
    wq.queue(never_runs, 10);
    BOOST_TEST(wq.cancel(never_runs));
    BOOST_TEST(!wq.cancel(never_runs));
    for (int i = 0; i < 5; ++i) {
        io.delay_ns(10);
        wq.run_due();
    }
    BOOST_TEST(polls == 3u); // at 10, 20 and 30 ns, then it stopped queueing itself
    BOOST_TEST(wq.empty());
}

BOOST_AUTO_TEST_CASE(doorbell_bar_lands_on_the_window_block_at_the_window_offset) {
    hal::fake_platform io;
    hal::ep_board board = fw::epc::fake_ep_board();
    board.irq_window = {0x8FFF'F000 + 0x40, 0x100};
    fw::epc::fake_controller ctrl;
    fw::epc::epc epc(ctrl, io, board);
    fw::epc::coherent_pool pool(0x1000'0000, 0x10'0000);
    fw::epf::workqueue wq(io);
    fw::epf::context ctx{io, board, epc, pool, wq, nullptr, nullptr, "t", 0};
    fw::epc::epf_bar bar;
    BOOST_REQUIRE_EQUAL(ctx.alloc_space(1, 4096, bar), 0);
    std::uint64_t offset = 0;
    BOOST_REQUIRE_EQUAL(ctx.set_doorbell_bar(bar, offset), 0);
    // The 4 KiB block holding 0x8FFFF040 starts at 0x8FFFF000; the window is 0x40 into it.
    BOOST_TEST(bar.phys_addr == 0x8FFF'F000u);
    BOOST_TEST(offset == 0x40u);
    BOOST_REQUIRE_EQUAL(ctrl.bars_set.size(), 1u);
    BOOST_TEST(ctrl.bars_set[0].phys_addr == 0x8FFF'F000u);
    // No window on the board: not supported.
    board.irq_window = {};
    BOOST_TEST(ctx.set_doorbell_bar(bar, offset) == -EOPNOTSUPP);
}

// An endpoint function's surroundings on the fake platform and controller: a coherent pool, a
// workqueue and a context without an eDMA; the link reads as ready while link_ready is set.
struct function_rig {
    hal::fake_platform io;
    hal::ep_board board = fw::epc::fake_ep_board();
    fw::epc::fake_controller ctrl;
    fw::epc::epc epc{ctrl, io, board};
    fw::epc::coherent_pool pool{0x1000'0000, 0x10'0000};
    fw::epf::workqueue wq{io};
    fw::epf::context ctx{io, board, epc, pool, wq, nullptr, nullptr, "t", 0};
    bool link_ready = true;
    function_rig() {
        ctx.events = [this] { return link_ready; };
    }
};

// The built-in test function as an endpoint function: its command poll is delayed work (Linux
// pci-epf-test queues cmd_handler msecs_to_jiffies(1) after link up and re-queues it after each
// poll), link down cancels it, and a job runs once, from the workqueue, after Bus Master Enable.
BOOST_AUTO_TEST_CASE(test_function_polls_commands_as_delayed_work_and_runs_its_job_once) {
    function_rig r;
    hal::fake_platform& io = r.io;
    fw::epf::workqueue& wq = r.wq;
    fw::functions::epf_test_params p;
    p.poll_interval_ns = 1'000'000; // 1 ms, as Linux
    unsigned jobs = 0;
    fw::functions::test_endpoint f(p, [&](fw::functions::endpoint_services&) { ++jobs; });
    BOOST_REQUIRE_EQUAL(f.bind(r.ctx), 0);
    BOOST_REQUIRE_EQUAL(f.epc_init(), 0);
    BOOST_TEST(wq.empty()); // nothing polls before the link is up
    const std::uint64_t t0 = io.now_ns();
    BOOST_REQUIRE_EQUAL(f.link_up(), 0);
    BOOST_TEST(wq.next_due_ns() == t0 + 1'000'000u);
    io.delay_ns(1'000'000);
    BOOST_TEST(wq.run_due() == 1u);                  // one poll: COMMAND is 0
    BOOST_TEST(wq.next_due_ns() == t0 + 2'000'000u); // and the next one queued
    BOOST_REQUIRE_EQUAL(f.bus_master_enable(), 0);
    BOOST_TEST(wq.run_due() == 1u); // the job, due at once
    BOOST_TEST(jobs == 1u);
    BOOST_REQUIRE_EQUAL(f.bus_master_enable(), 0); // after a link loss: not again
    BOOST_TEST(wq.run_due() == 0u);
    BOOST_TEST(jobs == 1u);
    BOOST_REQUIRE_EQUAL(f.link_down(), 0);
    BOOST_TEST(wq.empty()); // the poll is cancelled
    f.unbind();
}

// Commands the test function refuses before running them, as Linux's pci_epf_test_cmd_handler
// does: nothing is done, STATUS stays 0 and no interrupt is raised (the host's wait times out).
// Register offsets and bits from Linux's struct pci_epf_test_reg and its defines
// (drivers/pci/endpoint/functions/pci-epf-test.c): COMMAND 0x04, STATUS 0x08, SIZE 0x1c,
// IRQ_TYPE 0x24, IRQ_NUMBER 0x28, FLAGS 0x2c; COMMAND_RAISE_MSI_IRQ BIT(1), COMMAND_WRITE
// BIT(4), STATUS_IRQ_RAISED BIT(6), FLAG_USE_DMA BIT(0), IRQ_TYPE_MSIX 2.
BOOST_AUTO_TEST_CASE(test_function_drops_commands_with_an_unknown_irq_type_or_no_dma) {
    function_rig r;
    hal::fake_platform& io = r.io;
    fw::epc::fake_controller& ctrl = r.ctrl;
    fw::epf::workqueue& wq = r.wq;
    fw::functions::epf_test_params p;
    p.poll_interval_ns = 1'000'000;
    fw::functions::test_endpoint f(p);
    BOOST_REQUIRE_EQUAL(f.bind(r.ctx), 0);
    BOOST_REQUIRE_EQUAL(f.epc_init(), 0);
    BOOST_REQUIRE_EQUAL(f.link_up(), 0);
    BOOST_REQUIRE_EQUAL(f.bus_master_enable(), 0);
    BOOST_REQUIRE(f.test());
    std::uint64_t regs = 0;
    for (const auto& b : ctrl.bars_set)
        if (b.barno == f.test()->test_reg_bar()) regs = b.phys_addr;
    BOOST_REQUIRE(regs != 0);
    // One command: registers written as the host driver does, then one poll.
    auto command = [&](std::uint32_t cmd, std::uint32_t irq_type, std::uint32_t flags) {
        io.wr32(regs + 0x08, 0xFFFF'FFFF); // STATUS: the function clears it first
        io.wr32(regs + 0x1c, 4096);        // SIZE
        io.wr32(regs + 0x24, irq_type);
        io.wr32(regs + 0x28, 1); // IRQ_NUMBER
        io.wr32(regs + 0x2c, flags);
        io.wr32(regs + 0x04, cmd);
        io.delay_ns(1'000'000);
        wq.run_due();
        return io.rd32(regs + 0x08);
    };
    const std::size_t irqs = ctrl.irqs_raised.size();
    // A good MSI command runs: IRQ_RAISED, one interrupt.
    BOOST_TEST(command(1u << 1, 1, 0) == (1u << 6));
    BOOST_TEST(ctrl.irqs_raised.size() == irqs + 1);
    // IRQ_TYPE 3 (above MSI-X): a WRITE is dropped, not run (it used to run and set its result).
    BOOST_TEST(command(1u << 4, 3, 0) == 0u);
    // USE_DMA without an eDMA: even an interrupt command is dropped (it used to raise it).
    BOOST_TEST(command(1u << 1, 1, 1u << 0) == 0u);
    BOOST_TEST(ctrl.irqs_raised.size() == irqs + 1);
    const auto& write = f.test()->stats(fw::functions::epf_test_cmd::write);
    BOOST_TEST(write.issued == 1u);
    BOOST_TEST(write.failed == 1u);
    f.unbind();
}
