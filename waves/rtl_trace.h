// Wave dumps of Verilated RTL: one FST or VCD file per block, the format chosen at run time
// from the file name (".fst" -> VerilatedFstC, ".vcd" -> VerilatedVcdC).
//
// Models: opening a file by name, attaching a Verilated model's signals (all levels), dumping
// at a time given in picoseconds (the blocks are verilated with --timescale 1ns/1ps), closing
// and flushing. A Verilated class carries the tracing code of the format it was verilated with
// (--trace-fst or --trace); asking it for the other format is an error naming the file and the
// format the class supports (rtl-bridge/rtl_models.cc builds every block in both flavours and
// makes the one the file needs, so that error is for classes used directly).
// Does not model: transaction-level traces (Perfetto/Chrome JSON), signal filtering, file
// rotation.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <verilated_fst_c.h>
#include <verilated_vcd_c.h>

#include "waves/trace_format.h"

namespace epvp::waves {

template <class M, class T, class = void>
struct can_trace : std::false_type {};
template <class M, class T>
struct can_trace<M, T, std::void_t<decltype(std::declval<M&>().trace(std::declval<T*>(), 0))>>
    : std::true_type {};

// The VCD writer's file: what Verilator's own does (unbuffered writes to a descriptor), except
// that a failed write (a full disk) never reaches Verilator's fatal-error path, which flushes the
// trace again while it is being flushed and so never returns. The first failure ends the writing
// and leaves the file empty, so the check after the run (platform::close_waves) reports it.
class checked_vcd_file : public VerilatedVcdFile {
public:
    bool open(const std::string& name) override;
    void close() override;
    ssize_t write(const char* bufp, ssize_t len) override;

private:
    int fd_ = -1;
    bool failed_ = false;
};

class rtl_trace {
public:
    explicit rtl_trace(std::string file);
    ~rtl_trace();
    rtl_trace(const rtl_trace&) = delete;
    rtl_trace& operator=(const rtl_trace&) = delete;

    // Attach the model and open the file.
    template <class M>
    void open(M& model) {
        if (fmt_ == trace_format::fst) {
            if constexpr (can_trace<M, VerilatedFstC>::value) {
                fst_ = std::make_unique<VerilatedFstC>();
                model.trace(fst_.get(), levels);
            } else {
                unsupported("FST", "VCD (--trace)");
            }
        } else {
            if constexpr (can_trace<M, VerilatedVcdC>::value) {
                vcd_file_ = std::make_unique<checked_vcd_file>();
                vcd_ = std::make_unique<VerilatedVcdC>(vcd_file_.get());
                model.trace(vcd_.get(), levels);
            } else {
                unsupported("VCD", "FST (--trace-fst)");
            }
        }
        open_file();
    }
    void dump(std::uint64_t time_ps);
    void close();
    const std::string& file() const { return file_; }
    trace_format format() const { return fmt_; }

    static constexpr int levels = 99;

private:
    [[noreturn]] void unsupported(const char* asked, const char* built);
    void open_file();
    std::string file_;
    trace_format fmt_;
    std::unique_ptr<VerilatedFstC> fst_;
    std::unique_ptr<checked_vcd_file> vcd_file_; // outlives vcd_, which writes through it
    std::unique_ptr<VerilatedVcdC> vcd_;
};

} // namespace epvp::waves
