// The endpoint-function API's SystemC-free parts on the fake HAL: the workqueue's delayed work
// (Linux include/linux/workqueue.h semantics: queue_delayed_work on pending work returns false and
// changes nothing; cancel_delayed_work returns whether it was pending) and the doorbell BAR
// placement of the context.
#define BOOST_TEST_MODULE epf
#include "firmware/epc/fake_controller.h"
#include "firmware/epf/context.h"
#include "firmware/epf/workqueue.h"
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
