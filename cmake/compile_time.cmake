# Compile time of the project's own libraries and programs. Most of a unit's CPU time is spent
# parsing <systemc>, <tlm> and nlohmann/json and generating the code of their inline functions,
# once per unit. Three remedies, each with an option (all ON by default):
#
#   EPVP_UNITY_BUILD  the units of a library are compiled in batches, one compiler run per batch
#                     (CMake's UNITY_BUILD). The batch size keeps a few batches per library, so
#                     that two cores still have work to share.
#   EPVP_COLD_CODE    code that runs once per command (command line, configuration, sweep set-up,
#                     plots, output files, a plugin's set-up) is compiled at -Og in optimised
#                     builds (GCC's level for fast compiles that still optimise): at -O3 it took
#                     over a third of the CPU time of building epsim, and a run spends next to no
#                     time in it (see COLD below). It lives in its own targets (epvp_config,
#                     epvp_cli, epvp_sdk), marked COLD in testbench/CMakeLists.txt; the model, the
#                     firmware and the bench's measuring loops keep the build type's level. No
#                     simulated result depends on it: x86-64 computes doubles in SSE2 at every
#                     level (no -ffast-math, no FMA).
#   EPVP_PCH          <systemc>, <tlm> and nlohmann/json are precompiled once (by epvp_pch,
#                     model/CMakeLists.txt) and reused by every SystemC target with the same compile
#                     flags (REUSE_FROM).
#                     The header is forced on the units by the build only: every header of the
#                     project still includes what it needs (the installed SDK headers are compiled
#                     without it by users).
#
# With a compiler cache (CMAKE_CXX_COMPILER_LAUNCHER naming ccache), units that use a precompiled
# header are cached only with ccache's sloppiness pch_defines,time_macros (and the include-file
# time checks off, the header being built during the same build), and with -fpch-preprocess. The
# launcher then runs with CCACHE_SLOPPINESS set to that (it replaces a sloppiness set in the
# user's ccache.conf, for this build only); the rest of the ccache configuration is unchanged.
# EPVP_PCH=OFF builds without the header (and without this setting).
option(EPVP_UNITY_BUILD "Compile each library of the project in a few batches (unity build)" ON)
option(EPVP_COLD_CODE "Compile run-once code (command line, configuration) at -Og" ON)
option(EPVP_PCH "Precompile <systemc>, <tlm> and nlohmann/json once for the SystemC targets" ON)

# nlohmann/json: the configuration's header (testbench/config/config.h) brings it into every unit
# of the platform and of most tests, and it takes longer to parse than <systemc>.
set(EPVP_PCH_HEADERS <systemc> <tlm> <nlohmann/json.hpp> <algorithm> <cstdint> <functional> <map>
                     <memory> <string> <vector>)

if(EPVP_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  # Per ccache's manual ("Precompiled headers"): without these, every unit that uses the header is
  # compiled, not cached. -fpch-preprocess lets the preprocessed output name the header.
  list(GET CMAKE_CXX_COMPILER_LAUNCHER 0 _epvp_ccache)
  if(NOT _epvp_ccache STREQUAL CMAKE_COMMAND)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  add_compile_options(-fpch-preprocess)
endif()

# epvp_compile_time(<target> [BATCH <units>] [PCH OWN | PCH REUSE <target>] [COLD])
#   BATCH: units per unity batch (without it, no unity build: one-unit targets such as tests).
#   COLD: run-once code, -Og in Release and RelWithDebInfo builds (EPVP_COLD_CODE). Not with PCH:
#   measured, a unit built at a lower level (-O1) with the -O3 header took as long as at -O3.
#   A function defined inline in several units is linked once, from whichever unit comes first,
#   and COLD units come first in epsim: they must not emit the model's inline functions. The
#   platform's destructor is out of line for that (its members' virtual functions, e.g. the
#   sockets' b_transport); what COLD and model units still share is library code (strings, JSON,
#   vector growth).
#   PCH OWN: the target builds the project's precompiled header; PCH REUSE <t>: it uses <t>'s.
#   A target compiled with other flags (e.g. -fPIC) cannot reuse a header built without them:
#   -Winvalid-pch (added by CMake) and -Werror make such a mistake a build error.
function(epvp_compile_time target)
  cmake_parse_arguments(A "COLD" "BATCH" "PCH" ${ARGN})
  if(A_COLD AND A_PCH)
    message(FATAL_ERROR "epvp_compile_time(${target}): COLD and PCH exclude each other")
  endif()
  if(EPVP_COLD_CODE AND A_COLD)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release,RelWithDebInfo>:-Og>)
  endif()
  if(EPVP_UNITY_BUILD AND A_BATCH)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${A_BATCH})
  endif()
  if(EPVP_PCH AND A_PCH)
    list(GET A_PCH 0 _how)
    if(_how STREQUAL "OWN")
      target_precompile_headers(${target} PRIVATE ${EPVP_PCH_HEADERS})
    else()
      list(GET A_PCH 1 _from)
      target_precompile_headers(${target} REUSE_FROM ${_from})
    endif()
  endif()
endfunction()
