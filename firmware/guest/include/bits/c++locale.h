// Cross build shim: the firmware has only the "C" locale. libstdc++'s glibc locale header needs
// glibc's locale_t; this one gives the two names the library's headers use. Endpoint code does
// not use iostreams or <sstream>.
#pragma once

#include <cstdarg>
#include <cstdio>

namespace std _GLIBCXX_VISIBILITY(default) {
    _GLIBCXX_BEGIN_NAMESPACE_VERSION

    typedef int* __c_locale;

// No locale categories beyond the six of ISO C.
#define _GLIBCXX_NUM_CATEGORIES 0

    // Formats into out (at most size bytes) in the "C" locale, the only one there is.
    inline int __convert_from_v(const __c_locale&, char* out, const int size, const char* fmt,
                                ...) {
        va_list args;
        va_start(args, fmt);
        const int n = __builtin_vsnprintf(out, size, fmt, args);
        va_end(args);
        return n;
    }

    _GLIBCXX_END_NAMESPACE_VERSION
} // namespace )
