#!/usr/bin/env bash
# Installs the Debian 12 packages flashsale needs to build, run and test. Safe to run again.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools
    # The HTTP/WebSocket front: Boost.Beast (header-only) and OpenSSL for TLS.
    libboost-dev libssl-dev
    qt6-l10n-tools linguist-qt6 libqt6sql6-sqlite libqt6sql6-psql libgl1-mesa-dev
    libqcustomplot-dev librabbitmq-dev
    # Qt's own Chinese (OK, Cancel, Yes in dialogs): qtbase_zh_CN.qm.
    qt6-translations-l10n
    # Excel workbooks for the exports (found through pkg-config).
    libxlsxwriter-dev
    # Shop passes (HS256 JWTs) are verified by libjwt, not by hand.
    libjwt-dev
    sqlite3 curl
    # The icon's PNG sizes are rendered from its SVG at build time.
    librsvg2-bin
    # scripts/package.sh: the man page from --help, the desktop entry's and metainfo's validators.
    help2man desktop-file-utils appstream
)
if [[ "${1:-}" == "--test" ]]; then
    # Test-only tools: a real browser for the shopper page, Node for its driver.
    packages+=(chromium xvfb)
    # A Chinese font, so the zh_CN screenshots and UI tests under Xvfb draw 汉字, not boxes.
    packages+=(fonts-wqy-microhei)
    # A real PostgreSQL server for tst_postgres (started by scripts/start-postgres.sh).
    packages+=(postgresql)
    # A real RabbitMQ broker for the cluster tests (started by scripts/start-rabbitmq.sh).
    packages+=(rabbitmq-server)
    # libfiu's fiu-run/fiu-ctrl and POSIX preload library: I/O fault injection for tst_faults.
    packages+=(fiu-utils libfiu-dev)
    # tst_networkfront makes a self-signed certificate; scripts/fuzz.sh builds libFuzzer
    # targets with clang's sanitizers.
    packages+=(openssl clang-14 libfuzzer-14-dev)
    # The .xlsx export tests read the workbooks back with openpyxl (tests/support/xlsxcells.py).
    packages+=(python3-openpyxl)
    # tst_webhooks runs the README's signature checks in each language it shows (Python, Node, PHP).
    packages+=(php-cli)
    # The package check lints the .deb it built.
    packages+=(lintian)
    # resources/screenshots/capture.sh: clicks and screen grabs of the console under Xvfb.
    packages+=(xdotool imagemagick)
    # tst_shopperadmission signs passes with the openssl tool, a signer this project did not write.
    packages+=(openssl)
    # pdftotext: tst_reportcli reads the text of the PDF that `flashsale --report` wrote.
    packages+=(poppler-utils)
    # Node.js from Debian unless the machine already has a node and npm of its own.
    command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
