#!/usr/bin/env bash
# The package check CI runs (from scripts/test.sh, as root): build the Debian package, lint it,
# install it with apt, run the installed node on a temporary data dir, open a release 0.1.0
# database with it (when the fixture is in the tree), then remove and purge the package and check
# what each leaves behind. Skipped, visibly, when not root or when this machine already has a
# flashsale install or data; with CI=true a skip is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fixture=tests/fixtures/release-0.1.0/flashsale.sqlite
fixture_event=launch-010
step_seconds=30 # each wait below: the node's start, an answer, the node's drain

say() { printf 'package check: %s\n' "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }
skip() {
    say "SKIPPED: $*"
    if [[ "${CI:-}" == true ]]; then
        fail "a skip is a failure when CI=true"
    fi
    exit 0
}

if [[ $(id -u) -ne 0 ]]; then
    skip "installing a .deb needs root (CI runs as root); run: sudo scripts/package-check.sh"
fi
# The check installs, removes and purges the package: never on a machine where it would touch
# someone's install or data.
if dpkg-query -W -f='${Status}' flashsale 2>/dev/null | grep -qv "not-installed"; then
    skip "a flashsale package is on this machine already ($(dpkg-query -W -f='${Status}' flashsale))"
fi
if [[ -e /var/lib/flashsale ]] || getent passwd flashsale >/dev/null; then
    skip "/var/lib/flashsale or a flashsale user exists already"
fi

work=$(mktemp -d /tmp/flashsale-package-check.XXXXXX)
chmod 0755 "$work"
node_pid=""
installed=false
cleanup() {
    if [[ -n "$node_pid" ]] && kill -0 "$node_pid" 2>/dev/null; then
        kill -KILL "$node_pid" 2>/dev/null || true
    fi
    if $installed; then
        say "cleaning up: purging the package this check installed"
        DEBIAN_FRONTEND=noninteractive timeout 120 apt-get purge -y -q flashsale >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Starts the installed binary as the flashsale user (as the service runs it) on data dir $1, on a
# port the kernel picks; sets node_pid and node_url.
start_node() {
    local dir=$1 log=$1.log
    chown -R flashsale:flashsale "$dir"
    : >"$log" # the background child opens it later: it must exist before the wait reads it
    setpriv --reuid=flashsale --regid=flashsale --init-groups \
        /usr/bin/flashsale --headless --data-dir "$dir" --listen 127.0.0.1:0 --admin-token package-check \
        >"$log" 2>&1 &
    node_pid=$!
    node_url=""
    local deadline=$((SECONDS + step_seconds))
    while [[ -z "$node_url" ]]; do
        kill -0 "$node_pid" 2>/dev/null || { cat "$log"; fail "the installed node exited at start"; }
        ((SECONDS < deadline)) || { cat "$log"; fail "the installed node did not listen within ${step_seconds} s"; }
        node_url=$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$log")
        [[ -n "$node_url" ]] || sleep 0.2
    done
}

# SIGTERM drains and exits 0 ("stopped cleanly").
stop_node() {
    local log=$1.log code=0
    kill -TERM "$node_pid"
    local deadline=$((SECONDS + step_seconds + 15))
    while kill -0 "$node_pid" 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$log"; fail "the node did not stop within $((step_seconds + 15)) s of SIGTERM"; }
        sleep 0.2
    done
    wait "$node_pid" || code=$?
    node_pid=""
    ((code == 0)) || { cat "$log"; fail "the node exited with $code after SIGTERM"; }
    grep -q "stopped cleanly" "$log" || { cat "$log"; fail "the node's log lacks \"stopped cleanly\""; }
}

# GET $1 must answer status $2; prints the body.
expect_get() {
    local url=$1 status=$2 answer
    answer=$(curl -sS --max-time 10 -w '\n%{http_code}' "$url") || fail "GET $url: no answer"
    [[ "${answer##*$'\n'}" == "$status" ]] || fail "GET $url answered ${answer##*$'\n'}, expected $status: ${answer%$'\n'*}"
    printf '%s\n' "${answer%$'\n'*}"
}

say "building the package"
deb=$(timeout 1200 scripts/package.sh | tail -n 1)
[[ -f "$deb" ]] || fail "scripts/package.sh printed no .deb"
say "$deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

say "lintian"
timeout 300 lintian --fail-on error,warning --display-info "$deb" || fail "lintian reported errors or warnings"

say "installing with apt"
# No recommends: the machine has no network to fetch them, and the check needs none of them.
installed=true
DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q --no-install-recommends "$deb"

package_version=$(dpkg-query -W -f='${Version}' flashsale)
[[ $(/usr/bin/flashsale --version) == "flashsale ${package_version%-*}" ]] \
    || fail "/usr/bin/flashsale --version says \"$(/usr/bin/flashsale --version)\", the package is $package_version"
[[ $(getent passwd flashsale | cut -d: -f6,7) == /var/lib/flashsale:/usr/sbin/nologin ]] \
    || fail "postinst made no flashsale system user with home /var/lib/flashsale and no shell"
[[ $(stat -c '%a %U %G' /var/lib/flashsale) == "700 flashsale flashsale" ]] \
    || fail "/var/lib/flashsale is $(stat -c '%a %U %G' /var/lib/flashsale), expected 700 flashsale flashsale"
enabled_link=/etc/systemd/system/multi-user.target.wants/flashsale.service
[[ ! -e $enabled_link ]] || fail "the install enabled the service"
! pgrep -u flashsale >/dev/null || fail "the install started a process as flashsale"
zgrep -qF -- '\-\-headless' /usr/share/man/man1/flashsale.1.gz || fail "the man page does not list --headless"
say "installed $package_version: binary, user, data dir 0700, service left disabled and stopped, man page"
# The operator's step (without starting it): purge must take the enablement away with the package.
if command -v systemctl >/dev/null; then
    systemd-analyze verify /lib/systemd/system/flashsale.service || fail "systemd-analyze rejects flashsale.service"
    systemctl enable flashsale.service
    [[ -L $enabled_link ]] || fail "systemctl enable made no $enabled_link"
    say "flashsale.service passes systemd-analyze verify and enables"
else
    say "SKIPPED the unit's checks: no systemctl on this machine"
fi

say "running the installed node on an empty data dir"
mkdir "$work/fresh"
start_node "$work/fresh"
health=$(expect_get "$node_url/healthz" 200)
[[ "$health" == *'"status":"ok"'* ]] || fail "/healthz answered $health"
[[ $(stat -c '%U' "$work/fresh/flashsale.sqlite") == flashsale ]] || fail "the node made no database of its own"
stop_node "$work/fresh"
say "/healthz ok at $node_url, stopped cleanly"

if [[ -f "$fixture" ]]; then
    say "upgrading the release 0.1.0 database $fixture"
    mkdir "$work/release-0.1.0"
    cp "$fixture" "$work/release-0.1.0/flashsale.sqlite"
    start_node "$work/release-0.1.0"
    expect_get "$node_url/healthz" 200 >/dev/null
    event=$(expect_get "$node_url/api/v1/events/$fixture_event" 200)
    [[ "$event" == *"\"id\":\"$fixture_event\""* ]] || fail "GET /api/v1/events/$fixture_event answered $event"
    stop_node "$work/release-0.1.0"
    grep -q "database schema upgraded from version 0" "$work/release-0.1.0.log" \
        || { cat "$work/release-0.1.0.log"; fail "the node's log does not say it upgraded the 0.1.0 schema"; }
    compgen -G "$work/release-0.1.0/flashsale.sqlite.pre-v*.bak" >/dev/null || fail "no copy of the 0.1.0 database was kept aside"
    say "the 0.1.0 database is upgraded (copy kept aside) and opens: GET /api/v1/events/$fixture_event answered 200"
else
    say "SKIPPED the 0.1.0 upgrade: $fixture is not in this tree (it comes with issue 18 part 1)"
fi

say "removing the package"
DEBIAN_FRONTEND=noninteractive timeout 120 apt-get remove -y -q flashsale
[[ ! -e /usr/bin/flashsale ]] || fail "/usr/bin/flashsale is still there after remove"
[[ ! -e /lib/systemd/system/flashsale.service ]] || fail "the service unit is still there after remove"
[[ -d /var/lib/flashsale ]] && getent passwd flashsale >/dev/null || fail "remove deleted the data dir or the user"
say "removed: binary and unit gone, /var/lib/flashsale and the flashsale user kept"

DEBIAN_FRONTEND=noninteractive timeout 120 apt-get purge -y -q flashsale
installed=false
[[ ! -e /var/lib/flashsale ]] || fail "purge left /var/lib/flashsale"
! getent passwd flashsale >/dev/null || fail "purge left the flashsale user"
! getent group flashsale >/dev/null || fail "purge left the flashsale group"
[[ ! -e /etc/systemd/system/flashsale.service ]] || fail "purge left a mask of the unit in /etc/systemd/system"
[[ ! -L $enabled_link ]] || fail "purge left $enabled_link"
say "purged: data dir, user, group and the service's enablement gone"
say "PASSED"
