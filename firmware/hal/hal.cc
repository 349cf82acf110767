#include "hal/hal.h"

namespace hal {

const char* to_string(status s) {
    switch (s) {
    case status::ok:
        return "OK";
    case status::slave_error:
        return "SLVERR";
    case status::decode_error:
        return "DECERR";
    case status::timeout:
        return "TIMEOUT";
    }
    return "?";
}

} // namespace hal
