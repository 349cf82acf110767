# Shared set-up for scripts/demo and scripts/test: install missing Debian packages, configure,
# build. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-2}" # Verilated code is memory hungry; two cores on the reference machine

# The AArch64 cross compiler, picolibc, Unicorn and gdb-multiarch build the endpoint firmware as a
# bare-metal ELF and run it on the instruction-set simulator (cpu.kind=iss).
PACKAGES=(cmake g++ make pkg-config libsystemc-dev libboost-test-dev nlohmann-json3-dev
          libcli11-dev libfmt-dev gnuplot-nox verilator gtkwave libunicorn-dev
          gcc-aarch64-linux-gnu g++-aarch64-linux-gnu picolibc-aarch64-linux-gnu gdb-multiarch)

ensure_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo"
        else
            echo "error: packages ${missing[*]} are missing and this user can neither install" >&2
            echo "them (not root) nor use sudo without a password. Install them as root:" >&2
            echo "  apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

configure_and_build() {
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD_DIR" -j "$JOBS" "$@"
}
