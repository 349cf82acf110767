// An RTL block placed as a TLM target (rtl_axi_slave.h) and the block registry (rtl_blocks.h):
// the project's axi_sram registered as a block, reached through the slave's socket; data read
// back equals data written, and the counters are the transactions sent and the AXI handshakes
// that hand arithmetic gives for them (axi_sram's 64-bit bus, the bridge's INCR split).
#define BOOST_TEST_MODULE rtl_axi_slave
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "rtl-bridge/rtl_axi_slave.h"
#include "rtl-bridge/rtl_blocks.h"
#include "rtl-bridge/rtl_models.h"

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace epvp::rtl;

namespace {

// axi_sram behind the axi_slave_block interface (its s_* port as the block's port; no waves).
class sram_block : public axi_slave_block {
public:
    explicit sram_block(const std::string& name)
        : sram_(make_axi_sram(name)) {
        port = sram_->port;
    }
    const char* name() const override { return sram_->name(); }
    void set_clock(bool level) override { sram_->set_clock(level); }
    void set_reset(bool asserted) override { sram_->set_reset(asserted); }
    void eval() override { sram_->eval(); }
    void open_waves(const std::string& file) override { sram_->open_waves(file); }
    epvp::waves::trace_format wave_format() const override { return sram_->wave_format(); }
    void dump_waves(std::uint64_t time_ps) override { sram_->dump_waves(time_ps); }
    void close_waves() override { sram_->close_waves(); }
    void final() override { sram_->final(); }

private:
    std::unique_ptr<axi_sram_model> sram_;
};

struct initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<initiator> out{"out"};
    std::vector<std::uint8_t> written, read_back, word;
    tlm::tlm_response_status write_status{}, read_status{}, word_status{};
    SC_HAS_PROCESS(initiator);
    explicit initiator(sc_core::sc_module_name n)
        : sc_module(n) {
        SC_THREAD(run);
    }
    tlm::tlm_response_status access(tlm::tlm_command cmd, std::uint64_t addr,
                                    std::vector<std::uint8_t>& data) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(data.data());
        gp.set_data_length(static_cast<unsigned>(data.size()));
        gp.set_streaming_width(static_cast<unsigned>(data.size()));
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        out->b_transport(gp, delay);
        return gp.get_response_status();
    }
    void run() {
        written.resize(64);
        for (std::size_t i = 0; i < written.size(); ++i)
            written[i] = static_cast<std::uint8_t>(0x40 + 3 * i);
        write_status = access(tlm::TLM_WRITE_COMMAND, 0x100, written);
        read_back.assign(64, 0);
        read_status = access(tlm::TLM_READ_COMMAND, 0x100, read_back);
        word.assign(8, 0xEE);
        word_status = access(tlm::TLM_READ_COMMAND, 0x108, word);
    }
};

std::unique_ptr<axi_slave_block> make_sram(const std::string& instance, wave_flavour) {
    return std::make_unique<sram_block>(instance);
}

} // namespace

int sc_main(int, char*[]) {
    return 0;
}

BOOST_AUTO_TEST_CASE(the_registry_names_blocks_and_refuses_bad_names) {
    register_axi_slave("sram", make_sram);
    BOOST_TEST(find_axi_slave("sram") != nullptr);
    BOOST_TEST(find_axi_slave("other") == nullptr);
    BOOST_TEST(axi_slave_names() == std::vector<std::string>{"sram"});
    BOOST_CHECK_THROW(register_axi_slave("sram", make_sram), std::invalid_argument);
    BOOST_CHECK_THROW(register_axi_slave("", make_sram), std::invalid_argument);
    BOOST_CHECK_THROW(register_axi_slave("a.b", make_sram), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_placed_block_answers_its_socket_and_counts_the_traffic) {
    const axi_slave_factory* f = find_axi_slave("sram");
    BOOST_REQUIRE(f);
    rtl_axi_slave slave("slave", "sram", *f, sc_core::sc_time(1, sc_core::SC_NS));
    initiator cpu("cpu");
    cpu.out.bind(slave.socket);
    sc_core::sc_start();
    BOOST_TEST(cpu.write_status == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(cpu.read_status == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(cpu.word_status == tlm::TLM_OK_RESPONSE);
    BOOST_TEST(cpu.read_back == cpu.written, boost::test_tools::per_element());
    // Bytes 8..15 of what was written at 0x100.
    const std::vector<std::uint8_t> expected_word(cpu.written.begin() + 8,
                                                  cpu.written.begin() + 16);
    BOOST_TEST(cpu.word == expected_word, boost::test_tools::per_element());
    const rtl_axi_slave_stats s = slave.stats();
    BOOST_TEST(slave.block() == "sram");
    BOOST_TEST(s.writes == 1u);
    BOOST_TEST(s.reads == 2u);
    BOOST_TEST(s.bytes_written == 64u);
    BOOST_TEST(s.bytes_read == 72u); // 64 + 8
    // 64 aligned bytes on a 64-bit bus: one INCR burst of 8 beats each way; 8 bytes: 1 beat.
    BOOST_TEST(s.handshakes.aw == 1u);
    BOOST_TEST(s.handshakes.w == 8u);
    BOOST_TEST(s.handshakes.b == 1u);
    BOOST_TEST(s.handshakes.ar == 2u);
    BOOST_TEST(s.handshakes.r == 9u); // 8 + 1
    BOOST_TEST(s.cycles > 0u);
}
