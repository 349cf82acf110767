#include "firmware/hal/hal.h"

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

#include "firmware/hal/errno.h"

namespace fw {

const char* err_name(int err) {
    if (err < 0) err = -err;
    switch (err) {
    case 0:
        return "OK";
    case EPERM:
        return "EPERM";
    case EIO:
        return "EIO";
    case ENOMEM:
        return "ENOMEM";
    case EBUSY:
        return "EBUSY";
    case EINVAL:
        return "EINVAL";
    case ENOSPC:
        return "ENOSPC";
    case ENODATA:
        return "ENODATA";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    case ENOBUFS:
        return "ENOBUFS";
    case ENOENT:
        return "ENOENT";
    case ENODEV:
        return "ENODEV";
    case EEXIST:
        return "EEXIST";
    case ERANGE:
        return "ERANGE";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case EREMOTEIO:
        return "EREMOTEIO";
    default:
        return "E?";
    }
}

} // namespace fw
