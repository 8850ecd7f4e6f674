#!/usr/bin/env bash
# Starts a local RabbitMQ broker without systemd, taking AMQP connections on 127.0.0.1:5672 only.
# Safe to run again. Prints the URL for FLASHSALE_TEST_AMQP_URL on stdout (everything else goes
# to stderr), so callers can do: export FLASHSALE_TEST_AMQP_URL=$(scripts/start-rabbitmq.sh)
# Tests restart the broker with its own tool (as root): rabbitmqctl stop_app; rabbitmqctl start_app
set -euo pipefail

port=5672
wait_seconds=60
export PATH="$PATH:/usr/sbin:/sbin"

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi

if ! command -v rabbitmq-server >/dev/null; then
    echo "Installing rabbitmq-server" >&2
    $sudo apt-get update -q >&2
    # The package's own start goes through invoke-rc.d; without systemd it is refused, so we start it below.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends rabbitmq-server >&2
fi

# True when the broker takes AMQP connections: it answers the protocol header with a frame.
# (Cheap: each rabbitmq-diagnostics call boots an Erlang VM, several seconds on a small machine.)
amqp_answers() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'AMQP\x00\x00\x09\x01' >&3 &&
                       [[ \$(head -c 1 <&3 | od -An -tx1) == ' 01' ]]" 2>/dev/null
}
# Debian's wrappers run the broker's tools as the rabbitmq user when root calls them.
as_rabbitmq() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u rabbitmq -- "$@"
    else
        sudo -u rabbitmq -- "$@"
    fi
}

if ! amqp_answers; then
    if $sudo rabbitmq-diagnostics -q ping --timeout 10 >/dev/null 2>&1; then
        # The node is up but its application was left stopped (rabbitmqctl stop_app).
        echo "Starting the RabbitMQ application on the running node" >&2
        $sudo rabbitmqctl -q start_app >&2
    else
        echo "Starting RabbitMQ (AMQP on 127.0.0.1:$port)" >&2
        # Detached: the node outlives this script. Logs: /var/log/rabbitmq/. Stop: rabbitmqctl stop
        # With no descriptor but 0-2, so that it keeps none of the caller's (e.g. a flock's lock).
        (for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
         cd /var/lib/rabbitmq &&
            as_rabbitmq env HOME=/var/lib/rabbitmq RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
                rabbitmq-server -detached) >&2
    fi
    deadline=$((SECONDS + wait_seconds))
    until amqp_answers; do
        if ((SECONDS >= deadline)); then
            echo "RabbitMQ did not answer on 127.0.0.1:$port within $wait_seconds s; see /var/log/rabbitmq/" >&2
            $sudo tail -n 20 /var/log/rabbitmq/startup_err /var/log/rabbitmq/startup_log >&2 || true
            exit 1
        fi
        sleep 1
    done
fi

# guest/guest is RabbitMQ's default account, allowed from loopback only.
echo "amqp://guest:guest@127.0.0.1:$port/"
