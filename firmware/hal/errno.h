// Error codes firmware returns: the standard errno names (EINVAL, ENOMEM, ...) that Linux's
// endpoint stack uses, returned negated (callers see -EINVAL etc.).
#pragma once

#include <cerrno>

namespace fw {

// "EINVAL" for -EINVAL or EINVAL; "OK" for 0.
const char* err_name(int err);

} // namespace fw
