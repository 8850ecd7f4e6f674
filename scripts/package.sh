#!/usr/bin/env bash
# Builds the Debian package (Release, in build-package/) and prints the path of the .deb on stdout;
# the build's output goes to stderr. Install it with: sudo apt-get install ./flashsale_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh >&2
build=$PWD/build-package
# Debian's hardening flags, as debhelper would pass them; no debug info (the package ships stripped).
flags() {
    DEB_BUILD_MAINT_OPTIONS=hardening=+all DEB_CXXFLAGS_MAINT_STRIP=-g dpkg-buildflags --get "$1"
}
mkdir -p "$build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLASHSALE_BUILD_TESTS=OFF -DFLASHSALE_PACKAGE=ON \
    -DCMAKE_CXX_FLAGS="$(flags CPPFLAGS) $(flags CXXFLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(flags LDFLAGS)" \
    > "$build/configure.log" || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j2 >&2
rm -f "$build"/flashsale_*.deb
(cd "$build" && cpack -G DEB) >&2
debs=("$build"/flashsale_*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f ${debs[0]} ]]; then
    echo "package.sh: expected one flashsale_*.deb in $build, found: ${debs[*]}" >&2
    exit 1
fi
echo "${debs[0]}"
