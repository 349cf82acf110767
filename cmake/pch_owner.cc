// The unit that builds the project's precompiled header (epvp_pch, model/CMakeLists.txt): it has
// no code of its own; the build forces the header on it, as on every SystemC unit.
