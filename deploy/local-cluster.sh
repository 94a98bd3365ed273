#!/usr/bin/env bash
# A RewardWeighting cluster on loopback: a PostgreSQL server (Debian's binaries, a data directory of its own,
# Scripts/postgres-scratch.sh), N stateless rw-server replicas sharing it, and nginx in front balancing gRPC per
# call (a run's calls to one replica, by its `rw-run-id`) and HTTP per request (deploy/nginx's locations). Everything
# listens on 127.0.0.1 only.
#
#   deploy/local-cluster.sh up [N]            starts PostgreSQL, N replicas (default 3) and nginx; prints the addresses
#   deploy/local-cluster.sh status            what runs, and each replica's /readyz
#   deploy/local-cluster.sh down [--remove]   stops nginx, the replicas (SIGTERM: calls in flight finish) and PostgreSQL;
#                                             --remove also deletes the cluster's data and logs
#   deploy/local-cluster.sh kill-replica I    SIGKILLs replica I (1-based)
#   deploy/local-cluster.sh start-replica I   starts replica I again (after kill-replica)
#   deploy/local-cluster.sh restart-postgres [SECONDS]  stops PostgreSQL (fast), waits SECONDS (default 0), starts it
#   deploy/local-cluster.sh stop-postgres | start-postgres   the two halves of a restart
#
# Environment:
#   RW_CLUSTER_DIR      where the cluster keeps its data, logs and pids (default /tmp/rw-local-cluster)
#   RW_SERVER_BINARY    the rw-server to run (default: the release build, built if missing)
#   RW_CLUSTER_GRPC_PORT, RW_CLUSTER_HTTP_PORT   nginx's ports (default: free ephemeral ports)
#   RW_CLUSTER_KERNELS  each replica's --kernels (default spawn: each replica supervises its own worker)
#   RW_CLUSTER_ROUTING  run (default: nginx hashes on the call's rw-run-id, so a run stays on one replica) or call
#                       (round robin per call: every replica follows every run; for comparisons)
#   RW_CLUSTER_ACCESS_LOG  1: nginx logs every gRPC call as "RUN_ID REPLICA STATUS" to $RW_CLUSTER_DIR/nginx/routing.log
#
# `up` writes $RW_CLUSTER_DIR/cluster.env (shell variables: RW_CLUSTER_GRPC, RW_CLUSTER_HTTP, RW_CLUSTER_DATABASE_URL,
# RW_CLUSTER_REPLICAS and RW_CLUSTER_REPLICA_<I>_GRPC / _HTTP) for scripts and tests.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${RW_CLUSTER_DIR:-/tmp/rw-local-cluster}
command=${1:-}

usage() {
    sed -n '2,30p' "$0" >&2
    exit 2
}

# $1 distinct free ports, one per line. Every socket stays bound until all are chosen: ports asked for one at a
# time can repeat (a replica and nginx once got the same one, and nginx could not bind it).
free_ports() {
    python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in sockets))
' "$1"
}

server_binary() {
    if [[ -n "${RW_SERVER_BINARY:-}" ]]; then
        echo "$RW_SERVER_BINARY"
        return
    fi
    local bin
    bin="$(cd "$root" && swift build -c release --show-bin-path)/rw-server"
    if [[ ! -x "$bin" ]]; then
        echo "local-cluster: building rw-server (release)" >&2
        (cd "$root" && swift build -c release --product rw-server >&2)
    fi
    echo "$bin"
}

# Waits until GET URL answers 2xx, at most SECONDS.
wait_for() {
    local url=$1 seconds=$2
    local deadline=$((SECONDS + seconds))
    until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.2
    done
}

start_replica() {
    local index=$1
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    local grpc_var="RW_CLUSTER_REPLICA_${index}_GRPC" http_var="RW_CLUSTER_REPLICA_${index}_HTTP"
    local grpc_port=${!grpc_var##*:} http_port=${!http_var##*:}
    local bin
    bin=$(cat "$dir/binary")
    # Its own working directory: a spawned worker's socket and nothing else.
    mkdir -p "$dir/replica-$index"
    (
        cd "$dir/replica-$index"
        exec "$bin" --host 127.0.0.1 --port "$grpc_port" --http-host 127.0.0.1 --http-port "$http_port" \
            --database-url "$RW_CLUSTER_DATABASE_URL" --kernels "${RW_CLUSTER_KERNELS:-spawn}" \
            >>"$dir/replica-$index.log" 2>&1
    ) &
    echo $! >"$dir/replica-$index.pid"
    if ! wait_for "http://127.0.0.1:$http_port/readyz" 60; then
        echo "local-cluster: replica $index did not become ready; see $dir/replica-$index.log" >&2
        return 1
    fi
}

stop_pid_file() {
    local file=$1 signal=$2 seconds=$3
    [[ -f "$file" ]] || return 0
    local pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + seconds))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

write_nginx_config() {
    local replicas=$1 grpc_port=$2 http_port=$3
    mkdir -p "$dir/nginx"
    cp "$root/deploy/nginx/rewardweighting-grpc.inc" "$root/deploy/nginx/rewardweighting-http.inc" \
        "$root/deploy/nginx/rewardweighting-routing.inc" "$dir/nginx/"
    {
        echo "# Written by deploy/local-cluster.sh: deploy/nginx/rewardweighting.conf for this cluster's ports."
        echo "worker_processes 1;"
        echo "pid nginx.pid;"
        echo "error_log error.log warn;"
        echo "events { worker_connections 4096; }"
        echo "http {"
        echo "    access_log off;"
        echo "    include rewardweighting-routing.inc;"
        if [[ "${RW_CLUSTER_ACCESS_LOG:-0}" == 1 ]]; then
            echo "    log_format rewardweighting_routing '\$http_rw_run_id \$upstream_addr \$status';"
        fi
        echo "    client_body_temp_path client-body; proxy_temp_path proxy; fastcgi_temp_path fastcgi;"
        echo "    uwsgi_temp_path uwsgi; scgi_temp_path scgi;"
        echo "    upstream rewardweighting_grpc {"
        case "${RW_CLUSTER_ROUTING:-run}" in
            run) echo "        hash \$rewardweighting_run consistent;" ;;
            call) ;;
            *)
                echo "local-cluster: RW_CLUSTER_ROUTING is '$RW_CLUSTER_ROUTING'; it must be run or call" >&2
                exit 2
                ;;
        esac
        for ((i = 1; i <= replicas; i++)); do
            local var="RW_CLUSTER_REPLICA_${i}_GRPC"
            echo "        server ${!var} max_fails=1 fail_timeout=2s;"
        done
        echo "        keepalive 64;"
        echo "        keepalive_requests 1000000;"
        echo "    }"
        echo "    upstream rewardweighting_http {"
        for ((i = 1; i <= replicas; i++)); do
            local var="RW_CLUSTER_REPLICA_${i}_HTTP"
            echo "        server ${!var} max_fails=1 fail_timeout=2s;"
        done
        echo "        keepalive 16;"
        echo "    }"
        if [[ "${RW_CLUSTER_ACCESS_LOG:-0}" == 1 ]]; then
            echo "    server { listen 127.0.0.1:$grpc_port http2; include rewardweighting-grpc.inc;"
            echo "             access_log routing.log rewardweighting_routing; }"
        else
            echo "    server { listen 127.0.0.1:$grpc_port http2; include rewardweighting-grpc.inc; }"
        fi
        echo "    server { listen 127.0.0.1:$http_port; include rewardweighting-http.inc; }"
        echo "}"
    } >"$dir/nginx/nginx.conf"
    mkdir -p "$dir/nginx/client-body" "$dir/nginx/proxy" "$dir/nginx/fastcgi" "$dir/nginx/uwsgi" "$dir/nginx/scgi"
    # As root, nginx's workers run as nobody: they must be able to write their temporary files.
    chmod -R a+rwX "$dir/nginx"
}

case "$command" in
up)
    replicas=${2:-3}
    [[ "$replicas" =~ ^[1-9][0-9]*$ ]] || usage
    if [[ -f "$dir/cluster.env" ]] && [[ -f "$dir/replica-1.pid" ]] && kill -0 "$(cat "$dir/replica-1.pid")" 2>/dev/null; then
        echo "local-cluster: already up in $dir (deploy/local-cluster.sh down first)" >&2
        exit 1
    fi
    command -v nginx >/dev/null || {
        echo "local-cluster: nginx is not installed (Debian's nginx package)" >&2
        exit 1
    }
    mkdir -p "$dir"
    server_binary >"$dir/binary"
    database_url=$("$root/Scripts/postgres-scratch.sh" start "$dir/postgres")
    ports=()
    mapfile -t ports < <(free_ports $((2 + 2 * replicas)))
    grpc_port=${RW_CLUSTER_GRPC_PORT:-${ports[0]}}
    http_port=${RW_CLUSTER_HTTP_PORT:-${ports[1]}}
    {
        echo "RW_CLUSTER_DIR=$dir"
        echo "RW_CLUSTER_GRPC=127.0.0.1:$grpc_port"
        echo "RW_CLUSTER_HTTP=127.0.0.1:$http_port"
        echo "RW_CLUSTER_DATABASE_URL='$database_url'"
        echo "RW_CLUSTER_REPLICAS=$replicas"
        for ((i = 1; i <= replicas; i++)); do
            echo "RW_CLUSTER_REPLICA_${i}_GRPC=127.0.0.1:${ports[2 * i]}"
            echo "RW_CLUSTER_REPLICA_${i}_HTTP=127.0.0.1:${ports[2 * i + 1]}"
        done
    } >"$dir/cluster.env"
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    # The first replica migrates the schema; the others then find it migrated.
    for ((i = 1; i <= replicas; i++)); do start_replica "$i"; done
    write_nginx_config "$replicas" "$grpc_port" "$http_port"
    nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
    wait_for "http://127.0.0.1:$http_port/readyz" 20 || {
        echo "local-cluster: nginx does not answer; see $dir/nginx/error.log" >&2
        exit 1
    }
    echo "gRPC (nginx, per call, routing by ${RW_CLUSTER_ROUTING:-run}): 127.0.0.1:$grpc_port"
    echo "HTTP (nginx):                        http://127.0.0.1:$http_port/"
    echo "PostgreSQL:                          $database_url"
    for ((i = 1; i <= replicas; i++)); do
        grpc_var="RW_CLUSTER_REPLICA_${i}_GRPC"
        http_var="RW_CLUSTER_REPLICA_${i}_HTTP"
        echo "replica $i:                           gRPC ${!grpc_var}, HTTP ${!http_var}, pid $(cat "$dir/replica-$i.pid")"
    done
    echo "(variables in $dir/cluster.env)"
    ;;
status)
    [[ -f "$dir/cluster.env" ]] || {
        echo "local-cluster: not up (no $dir/cluster.env)"
        exit 1
    }
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    if [[ -f "$dir/nginx/nginx.pid" ]] && kill -0 "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null; then
        echo "nginx: up (gRPC $RW_CLUSTER_GRPC, HTTP $RW_CLUSTER_HTTP)"
    else
        echo "nginx: down"
    fi
    if psql "$RW_CLUSTER_DATABASE_URL" -tAc 'SELECT 1' >/dev/null 2>&1; then
        echo "PostgreSQL: up ($RW_CLUSTER_DATABASE_URL)"
    else
        echo "PostgreSQL: down"
    fi
    for ((i = 1; i <= RW_CLUSTER_REPLICAS; i++)); do
        http_var="RW_CLUSTER_REPLICA_${i}_HTTP"
        if [[ -f "$dir/replica-$i.pid" ]] && kill -0 "$(cat "$dir/replica-$i.pid")" 2>/dev/null; then
            ready=$(curl -s --max-time 12 "http://${!http_var}/readyz" | head -c 200 || true)
            echo "replica $i: up (pid $(cat "$dir/replica-$i.pid")), /readyz: ${ready:-no answer}"
        else
            echo "replica $i: down"
        fi
    done
    ;;
down)
    [[ -f "$dir/cluster.env" ]] || exit 0
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    if [[ -f "$dir/nginx/nginx.pid" ]]; then
        nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -s quit 2>/dev/null || true
    fi
    for ((i = 1; i <= RW_CLUSTER_REPLICAS; i++)); do stop_pid_file "$dir/replica-$i.pid" TERM 45 & done
    wait
    if [[ "${2:-}" == --remove ]]; then
        "$root/Scripts/postgres-scratch.sh" remove "$dir/postgres"
        rm -rf "$dir"
        echo "local-cluster: down, and $dir removed"
    else
        "$root/Scripts/postgres-scratch.sh" stop "$dir/postgres"
        echo "local-cluster: down (data and logs stay in $dir)"
    fi
    ;;
kill-replica)
    [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage
    stop_pid_file "$dir/replica-$2.pid" KILL 5
    ;;
start-replica)
    [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage
    start_replica "$2"
    ;;
restart-postgres)
    "$0" stop-postgres
    sleep "${2:-0}"
    "$0" start-postgres
    ;;
stop-postgres)
    "$root/Scripts/postgres-scratch.sh" stop "$dir/postgres"
    ;;
start-postgres)
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    port=${RW_CLUSTER_DATABASE_URL##*127.0.0.1:}
    port=${port%%/*}
    "$root/Scripts/postgres-scratch.sh" start "$dir/postgres" "$port" >/dev/null
    ;;
*)
    usage
    ;;
esac
