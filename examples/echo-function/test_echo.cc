// Unit test of the echo function without the platform: the SDK's fake HAL
// (hal/fake_platform.h) and fake controller (epc/fake_controller.h) stand in for the hardware.
#define BOOST_TEST_MODULE echo_function
#include "echo_function.h"

#include "firmware/epc/fake_controller.h"
#include "firmware/hal/fake_platform.h"

#include <boost/test/unit_test.hpp>

namespace {

struct rig {
    hal::fake_platform io;
    hal::ep_board board = fw::epc::fake_ep_board();
    fw::epc::fake_controller ctrl;
    fw::epc::epc epc{ctrl, io, board};
    fw::epc::coherent_pool pool{0x1000'0000, 0x10'0000};
    fw::epf::workqueue wq{io};
    fw::epf::context ctx{io, board, epc, pool, wq, nullptr, nullptr, "echo", 0};
};

constexpr std::uint64_t poll_ns = 1000;

} // namespace

BOOST_AUTO_TEST_CASE(echoes_a_new_sequence_number_once_with_msi_1) {
    rig r;
    echo::echo_function f(poll_ns);
    BOOST_REQUIRE_EQUAL(f.bind(r.ctx), 0);
    BOOST_REQUIRE_EQUAL(f.epc_init(), 0);
    BOOST_REQUIRE_EQUAL(r.ctrl.bars_set.size(), 1u);
    const std::uint64_t bar = r.ctrl.bars_set[0].phys_addr;
    BOOST_TEST(r.io.rd32(bar + echo::REG_MAGIC) == echo::MAGIC);
    BOOST_REQUIRE_EQUAL(f.link_up(), 0);

    // The host writes DATA then SEQ; the next poll (1000 ns later) answers.
    r.io.wr32(bar + echo::REG_DATA, 0xCAFE0001);
    r.io.wr32(bar + echo::REG_SEQ, 7);
    r.io.delay_ns(poll_ns);
    BOOST_TEST(r.wq.run_due() == 1u);
    BOOST_TEST(r.io.rd32(bar + echo::REG_ECHO) == 0xCAFE0001u);
    BOOST_TEST(r.io.rd32(bar + echo::REG_DONE) == 7u);
    BOOST_REQUIRE_EQUAL(r.ctrl.irqs_raised.size(), 1u);
    BOOST_TEST(r.ctrl.irqs_raised[0].num == 1u);
    BOOST_TEST(r.io.logged("echo", "echo 7"));

    // Same SEQ again: polled, not answered.
    r.io.delay_ns(poll_ns);
    BOOST_TEST(r.wq.run_due() == 1u);
    BOOST_TEST(r.ctrl.irqs_raised.size() == 1u);

    // Link down: no more polling.
    BOOST_REQUIRE_EQUAL(f.link_down(), 0);
    BOOST_TEST(r.wq.empty());
}

BOOST_AUTO_TEST_CASE(bind_fails_with_enomem_when_the_pool_is_too_small) {
    rig r;
    fw::epc::coherent_pool tiny{0x1000'0000, 64};
    fw::epf::context ctx{r.io, r.board, r.epc, tiny, r.wq, nullptr, nullptr, "echo", 0};
    echo::echo_function f(poll_ns);
    BOOST_TEST(f.bind(ctx) == -ENOMEM);
}
