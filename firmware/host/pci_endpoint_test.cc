#include "host/pci_endpoint_test.h"

#include "hal/errno.h"
#include "hal/pci_epf_test_regs.h"
#include "hal/pci_regs.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

namespace fw::host {

namespace {
constexpr std::uint64_t chunk_bytes = 1ull << 20; // the driver copies in chunks of up to 1 MiB
constexpr std::uint32_t pattern_offset_mask = 0x00FFFFFF;
constexpr std::uint32_t pattern_bar_mask = 0xFF000000;
constexpr std::uint32_t reg_bar_test_bytes = 4;

std::uint32_t bar_test_pattern_with_offset(unsigned bar, std::uint32_t offset) {
    std::uint32_t p = 0x01010101u * epf_test::bar_pattern(bar);
    return (p & pattern_bar_mask) | (offset & pattern_offset_mask);
}
std::string hex64(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}
} // namespace

const char* to_string(verdict v) {
    switch (v) {
    case verdict::pass:
        return "PASS";
    case verdict::fail:
        return "FAIL";
    case verdict::skip:
        return "SKIP";
    }
    return "?";
}

pci_endpoint_test::pci_endpoint_test(pci_host& host, const pci_dev& dev) : host_(host), dev_(dev) {}

std::uint64_t pci_endpoint_test::bar_len(unsigned bar) const {
    return dev_.bars[bar].io ? 0 : dev_.bars[bar].size;
}

int pci_endpoint_test::bar_test(unsigned bar, std::string& detail) {
    std::uint64_t size = bar_len(bar);
    if (!size)
        return -ENODATA;
    if (static_cast<int>(bar) == test_reg_bar_)
        size = reg_bar_test_bytes;
    hal::platform& io = host_.io();
    const std::uint64_t base = dev_.bars[bar].addr;
    std::vector<unsigned char> write_buf(std::min(size, chunk_bytes), epf_test::bar_pattern(bar));
    std::vector<unsigned char> read_buf(write_buf.size());
    for (std::uint64_t off = 0; off < size; off += chunk_bytes) {
        std::size_t n = static_cast<std::size_t>(std::min(chunk_bytes, size - off));
        hal::status ws = io.write(base + off, write_buf.data(), n);
        std::fill(read_buf.begin(), read_buf.end(), 0);
        hal::status rs = io.read(base + off, read_buf.data(), n);
        if (ws != hal::status::ok || rs != hal::status::ok) {
            detail = "BAR" + std::to_string(bar) + " offset " + hex64(off) + ": " +
                     (ws != hal::status::ok ? std::string("write ") + hal::to_string(ws)
                                            : std::string("read ") + hal::to_string(rs));
            return -EIO;
        }
        if (std::memcmp(write_buf.data(), read_buf.data(), n) != 0) {
            std::size_t i = 0;
            while (write_buf[i] == read_buf[i])
                ++i;
            detail = "BAR" + std::to_string(bar) + " mismatch at offset " + hex64(off + i) +
                     ": wrote " + hex64(write_buf[i]) + ", read " + hex64(read_buf[i]);
            return -EIO;
        }
    }
    return 0;
}

int pci_endpoint_test::bars_test(std::string& detail) {
    hal::platform& io = host_.io();
    auto len_of = [&](unsigned bar) {
        return static_cast<int>(bar) == test_reg_bar_ ? std::min<std::uint64_t>(bar_len(bar), 4)
                                                      : bar_len(bar);
    };
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar)
        for (std::uint64_t off = 0; off < len_of(bar); off += 4)
            io.wr32(dev_.bars[bar].addr + off,
                    bar_test_pattern_with_offset(bar, static_cast<std::uint32_t>(off)));
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar)
        for (std::uint64_t off = 0; off < len_of(bar); off += 4) {
            std::uint32_t want = bar_test_pattern_with_offset(bar, static_cast<std::uint32_t>(off));
            std::uint32_t got = 0;
            hal::status s = io.read32(dev_.bars[bar].addr + off, got);
            if (s != hal::status::ok || got != want) {
                detail = "BAR" + std::to_string(bar) + " offset " + hex64(off) + ": expected " +
                         hex64(want) + ", read " + hex64(got) +
                         (s != hal::status::ok ? std::string(" (") + hal::to_string(s) + ")" : "");
                return -EIO;
            }
        }
    return 0;
}

std::vector<test_result> run_pcitest(pci_host& host, const pci_dev& dev) {
    std::vector<test_result> out;
    pci_endpoint_test t(host, dev);
    for (unsigned bar = 0; bar < pci::STD_NUM_BARS; ++bar) {
        test_result r;
        r.name = "pci_ep_bar.BAR" + std::to_string(bar) + ".BAR_TEST";
        std::string detail;
        int ret = t.bar_test(bar, detail);
        if (ret == -ENODATA) {
            r.result = verdict::skip;
            r.reason = "BAR is disabled";
        } else if (ret) {
            r.result = verdict::fail;
            r.reason = std::string(err_name(ret)) + ": " + detail;
        }
        out.push_back(r);
    }
    test_result r;
    r.name = "pci_ep_basic.CONSECUTIVE_BAR_TEST";
    std::string detail;
    int ret = t.bars_test(detail);
    if (ret) {
        r.result = verdict::fail;
        r.reason = std::string(err_name(ret)) + ": " + detail;
    }
    out.push_back(r);
    return out;
}

std::string format_results(const std::vector<test_result>& results) {
    std::ostringstream os;
    unsigned pass = 0, fail = 0, skip = 0, n = 0;
    os << "TAP version 13\n1.." << results.size() << '\n';
    for (const auto& r : results) {
        ++n;
        switch (r.result) {
        case verdict::pass:
            ++pass;
            os << "ok " << n << ' ' << r.name << '\n';
            break;
        case verdict::skip:
            ++skip;
            os << "ok " << n << ' ' << r.name << " # SKIP " << r.reason << '\n';
            break;
        case verdict::fail:
            ++fail;
            os << "not ok " << n << ' ' << r.name << " # " << r.reason << '\n';
            break;
        }
    }
    os << "# Totals: pass:" << pass << " fail:" << fail << " xfail:0 xpass:0 skip:" << skip
       << " error:0\n";
    return os.str();
}

} // namespace fw::host
