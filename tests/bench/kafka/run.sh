#!/usr/bin/env bash
# Benchmark matrix: kgw (default settings, so acks=all fsyncs) against librdkafka's mock cluster,
# alternating targets run by run, then resource checks on kgw (RSS, idle CPU, idle connections,
# restart after kill -9 with ~1 GiB of log).
#
# usage: tests/bench/kafka/run.sh [BUILDDIR] [RUNS]
#   BUILDDIR defaults to build-bench, RUNS (per configuration and target) to 3.
#   KGW_BENCH_SKIP_RESOURCES=1 skips the resource checks.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-build-bench}
[[ $build = /* ]] || build=$root/$build
runs=${2:-3}
kgw=$build/gateway/kgw
bench=$build/tests/bench/kafka/kgw_bench
mock=$build/tests/bench/kafka/mock_cluster
for f in "$kgw" "$bench" "$mock"; do
    [[ -x $f ]] || { echo "missing $f (build first)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/kgw-bench.XXXXXX)
kgw_pid=
mock_pid=
mock_fd=

stop_pid() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    [[ -n $mock_fd ]] && exec {mock_fd}>&-
    stop_pid "$mock_pid"
    stop_pid "$kgw_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

now_ns() { date +%s%N; }

# Waits until something accepts connections on 127.0.0.1:$1; fails after $2 seconds.
wait_port() {
    local port=$1 deadline=$(( $(now_ns) + $2 * 1000000000 )) fd
    while (( $(now_ns) < deadline )); do
        if exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
            exec {fd}>&-
            return 0
        fi 2>/dev/null
        sleep 0.001
    done
    return 1
}

# Starts kgw with default settings on a fresh port; sets kgw_pid and kgw_port.
start_kgw() {
    local dir=$1
    kgw_port=$(free_port)
    "$kgw" --override "listeners=PLAINTEXT://127.0.0.1:$kgw_port" --override "log.dirs=$dir" \
        >>"$tmp/kgw.log" 2>&1 &
    kgw_pid=$!
    wait_port "$kgw_port" 10 || { echo "kgw did not start" >&2; cat "$tmp/kgw.log" >&2; exit 1; }
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# ---------------------------------------------------------------------------------------------
# Configurations: id, description, kgw_bench arguments. Topics are per configuration and run so
# every produce run starts from an empty partition; the mock cannot create topics through the
# admin API, so they are made when it starts.
configs=()
add_config() { configs+=("$1|$2|$3"); }
add_config p100_acks1 "produce 100 B, 1 partition, acks=1, linger.ms=5" \
    "produce --size 100 --count 5000000 --acks 1 --linger-ms 5"
add_config p100_acksall "produce 100 B, 1 partition, acks=all, linger.ms=5" \
    "produce --size 100 --count 3000000 --acks all --linger-ms 5"
add_config p1k_acks1 "produce 1 KiB, 1 partition, acks=1, linger.ms=5" \
    "produce --size 1024 --count 500000 --acks 1 --linger-ms 5"
add_config c100_log "consume 100 B, one pass over a 5M-message log" \
    "consume --count 5000000"
add_config c100_wrap "consume 100 B, 40k-message log read 50 times (fetch.wait.max.ms=1)" \
    "consume --count 2000000 --pass-msgs 40000 --fetch-wait-ms 1"
add_config c100_log_b "consume 100 B, one pass over a 5M-message log, up to 1000 messages per poll" \
    "consume --count 5000000 --poll-batch 1000"
add_config c100_wrap_b "consume 100 B, 40k-message log read 50 times, up to 1000 messages per poll" \
    "consume --count 2000000 --pass-msgs 40000 --fetch-wait-ms 1 --poll-batch 1000"
add_config lat_acks1 "latency 100 B at 10,000 msg/s, 10 s (1 s warm-up), acks=1, linger.ms=0" \
    "latency --size 100 --rate 10000 --duration 10 --warmup 1 --acks 1 --linger-ms 0"
add_config lat_acksall "latency 100 B at 10,000 msg/s, 10 s (1 s warm-up), acks=all, linger.ms=0" \
    "latency --size 100 --rate 10000 --duration 10 --warmup 1 --acks all --linger-ms 0"

topic_for() { # config id, run
    case $1 in
        c100_log*) echo "fill_log" ;;
        c100_wrap*) echo "fill_wrap" ;;
        *) echo "${1}_r$2" ;;
    esac
}

mock_topics=(fill_wrap)
for c in "${configs[@]}"; do
    id=${c%%|*}
    for r in $(seq "$runs"); do
        [[ $id == c100_* ]] || mock_topics+=("$(topic_for "$id" "$r")")
    done
done

start_kgw "$tmp/data"
mkfifo "$tmp/mock.stdin"
"$mock" "${mock_topics[@]}" <"$tmp/mock.stdin" >"$tmp/mock.out" 2>"$tmp/mock.err" &
mock_pid=$!
exec {mock_fd}>"$tmp/mock.stdin"
for _ in $(seq 100); do
    [[ -s $tmp/mock.out ]] && break
    sleep 0.05
done
mock_bootstrap=$(head -n1 "$tmp/mock.out")
if [[ -z $mock_bootstrap ]]; then
    echo "mock cluster did not start" >&2
    cat "$tmp/mock.err" >&2
    exit 1
fi

declare -A bootstrap=([kgw]="127.0.0.1:$kgw_port" [mock]="$mock_bootstrap")
results=$tmp/results.txt
: >"$results"

echo "# kgw $($kgw --version 2>&1 | head -n1) on 127.0.0.1:$kgw_port," \
    "mock cluster on $mock_bootstrap"
echo "# $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1)," \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Logs to consume from: the mock keeps only about 5 MB per partition, so it gets the wrapped
# test only; kgw gets both.
for t in kgw mock; do
    [[ $t == kgw ]] && "$bench" produce --bootstrap "${bootstrap[$t]}" --topic fill_log \
        --size 100 --count 5000000 --acks 1 --label "$t-fill" >/dev/null
    "$bench" produce --bootstrap "${bootstrap[$t]}" --topic fill_wrap --size 100 --count 40000 \
        --acks 1 --label "$t-fill" >/dev/null
done

for r in $(seq "$runs"); do
    order=(kgw mock)
    (( r % 2 == 0 )) && order=(mock kgw)
    for c in "${configs[@]}"; do
        IFS='|' read -r id _ args <<<"$c"
        for t in "${order[@]}"; do
            [[ $id == c100_log* && $t == mock ]] && continue
            [[ $t == kgw ]] && c0=$(cpu_ticks "$kgw_pid")
            # shellcheck disable=SC2086
            line=$("$bench" $args --bootstrap "${bootstrap[$t]}" --topic "$(topic_for "$id" "$r")" \
                --label "$t") || echo "run failed: $t $id run $r" >&2
            # The server's own CPU time for the run, to tell server cost from client cost.
            [[ $t == kgw && -n $line ]] &&
                line+=" server_cpu_s=$(awk -v a="$c0" -v b="$(cpu_ticks "$kgw_pid")" \
                    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')"
            # Other work on the machine shows up here; the load is kept with every result.
            load=$(cut -d' ' -f1 /proc/loadavg)
            echo "$line load1=$load"
            [[ -n $line ]] && echo "config=$id run=$r $line load1=$load" >>"$results"
        done
    done
done

# Median over runs of one field for one configuration and target.
median() { # config target field
    awk -v c="config=$1" -v t="target=$2" -v f="$3" '
        $1 == c && $3 == t {
            for (i = 1; i <= NF; i++)
                if (index($i, f "=") == 1)
                    print substr($i, length(f) + 2)
        }
    ' "$results" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-";
        else printf "%.2f", a / b }'
}

echo
echo "## Medians of $runs runs (kgw / mock)"
echo
echo "| configuration | metric | kgw | mock | kgw/mock |"
echo "|---|---|---:|---:|---:|"
for c in "${configs[@]}"; do
    IFS='|' read -r id desc _ <<<"$c"
    if [[ $id == lat_* ]]; then
        fields=(ack_p50_ms ack_p99_ms ack_p999_ms ack_max_ms e2e_p50_ms e2e_p99_ms e2e_p999_ms
            e2e_max_ms)
    else
        fields=(msgs_per_s MB_per_s server_cpu_s)
    fi
    for f in "${fields[@]}"; do
        k=$(median "$id" kgw "$f")
        m=$(median "$id" mock "$f")
        echo "| $desc | $f | $k | $m | $(ratio "$k" "$m") |"
    done
done

[[ ${KGW_BENCH_SKIP_RESOURCES:-0} == 1 ]] && exit 0

# ---------------------------------------------------------------------------------------------
exec {mock_fd}>&-
mock_fd=
stop_pid "$mock_pid"
mock_pid=
stop_pid "$kgw_pid"
kgw_pid=

echo
echo "## kgw resources"
echo
start_kgw "$tmp/res"
sleep 1
echo "- RSS after start (empty data dir): $(rss_kb "$kgw_pid") kB"
c0=$(cpu_ticks "$kgw_pid")
sleep 5
c1=$(cpu_ticks "$kgw_pid")
echo "- idle CPU over 5 s: $(( c1 - c0 )) ticks of $(getconf CLK_TCK)/s"
rss0=$(rss_kb "$kgw_pid")
python3 - "$kgw_port" "$kgw_pid" >"$tmp/conn_rss" <<'EOF' || true
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
socks = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
time.sleep(1)
with open(f"/proc/{pid}/status") as f:
    rss = [l.split()[1] for l in f if l.startswith("VmRSS:")][0]
print(rss)
for s in socks:
    s.close()
EOF
rss1=$(cat "$tmp/conn_rss" 2>/dev/null || echo 0)
echo "- 1,000 idle connections: RSS $rss0 kB -> $rss1 kB (+$(( rss1 - rss0 )) kB)"

# About 1 GiB of log with acks=1, then kill -9 and time exec -> first accepted connection.
"$bench" produce --bootstrap "127.0.0.1:$kgw_port" --topic restart --size 1024 \
    --count 1048576 --acks 1 --label kgw-fill >/dev/null
log_bytes=$(du -sb "$tmp/res" | cut -f1)
# Kills kgw and restarts it on the same data; sets restart_ms to the ms from exec to accepting
# connections (empty when the port does not open within 60 s). With "cold", drops the page
# cache first. Not called in a subshell, so kgw_pid stays known to the cleanup.
restart_after_kill9() {
    kill -KILL "$kgw_pid"
    wait "$kgw_pid" 2>/dev/null || true
    kgw_pid=
    if [[ ${1:-} == cold ]]; then
        sync
        echo 3 >/proc/sys/vm/drop_caches
    fi
    local t0
    restart_ms=
    t0=$(now_ns)
    "$kgw" --override "listeners=PLAINTEXT://127.0.0.1:$kgw_port" --override "log.dirs=$tmp/res" \
        >>"$tmp/kgw.log" 2>&1 &
    kgw_pid=$!
    if wait_port "$kgw_port" 60; then
        restart_ms=$(( ($(now_ns) - t0) / 1000000 ))
    fi
}

restart_after_kill9
if [[ -n $restart_ms ]]; then
    echo "- restart after kill -9 with $(( log_bytes / 1048576 )) MiB in the data dir:" \
        "$restart_ms ms from exec to accepting connections"
    echo "- RSS after that restart: $(rss_kb "$kgw_pid") kB"
else
    echo "- restart after kill -9: port not accepting within 60 s"
fi

# The same with the page cache dropped first (root only): recovery then reads from the disk.
if [[ -w /proc/sys/vm/drop_caches ]]; then
    restart_after_kill9 cold
    echo "- the same restart with the page cache dropped first:" \
        "${restart_ms:-no answer within 60 s} ms"
else
    echo "- restart with a cold page cache: not measured (needs root to drop the page cache)"
fi
