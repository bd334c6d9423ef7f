#!/usr/bin/env bash
# Benchmarks gbt against bpftrace 0.17 in the same run (root, bpftrace and
# bpftool installed). Prints a markdown table of figures and gbt/bpftrace
# ratios. Never asserted in tests: see README "Benchmarks".
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
command -v bpftrace >/dev/null || { echo "bench: bpftrace is not installed"; exit 1; }
GBT=${GBT:-bin/gbt}
WORK=$(mktemp -d)/gbtwork
CGO_ENABLED=0 go build -o "$WORK" ./internal/cmd/gbtwork
[ -n "${GBT_PREBUILT:-}" ] || make -s build  # the release build: static, stripped
N=${N:-200000}
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(python3 -c "print(f'{$2/$3:.2f}x')" 2>/dev/null || echo -)"; }

# 1. Start-up: median wall seconds and peak RSS (KB) of 5 runs.
startup() {
	for _ in 1 2 3 4 5; do /usr/bin/time -f '%e %M' "$@" >/dev/null 2>>/tmp/bench.time.$$ || true; done
	grep -E '^[0-9.]+ [0-9]+$' /tmp/bench.time.$$ | sort -n | sed -n 3p; rm -f /tmp/bench.time.$$
}
P='BEGIN { printf("hi\n"); exit(); }'
read -r gw gr < <(startup "$GBT" -e "$P")
read -r bw br < <(startup bpftrace -e "$P")

# 2. In-kernel cost per event (bpf_stats): run_time_ns / run_cnt of the
#    tracepoint programs while gbtwork makes N openat calls.
cost() {
	local tool=$1 script=$2
	"$tool" -e "$script" >/dev/null 2>&1 &
	local pid=$!
	sleep 2
	"$WORK" open "$N" /dev/null
	bpftool prog show -j > /tmp/bench.progs.$$
	kill -INT $pid; wait $pid 2>/dev/null || true
	python3 - /tmp/bench.progs.$$ <<'PY'
import json, sys
ps = [p for p in json.load(open(sys.argv[1])) if p.get('type') == 'tracepoint' and p.get('run_cnt', 0) > 1000]
cnt = sum(p['run_cnt'] for p in ps); ns = sum(p['run_time_ns'] for p in ps)
print(f"{ns / max(cnt, 1):.1f}")
PY
	rm -f /tmp/bench.progs.$$
}
sysctl -q kernel.bpf_stats_enabled=1
declare -a scripts=(
	'tracepoint:syscalls:sys_enter_openat { @ = count(); }'
	'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
	'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { @[pid] = count(); }'
	'tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); }'
	'tracepoint:syscalls:sys_enter_openat { @s[tid] = nsecs; } tracepoint:syscalls:sys_exit_openat /@s[tid]/ { @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }'
	'tracepoint:syscalls:sys_enter_openat { @c = count(); @s = sum(args->flags); @m = max(args->flags); @a = avg(args->mode); }'
)
costs=()
for s in "${scripts[@]}"; do costs+=("$(cost "$GBT" "$s") $(cost bpftrace "$s")"); done
sysctl -q kernel.bpf_stats_enabled=0

# 3. printf streaming: slowdown of the workload and lines received.
stream() {
	local tool=$1 out=/tmp/bench.stream.$$
	"$tool" -e 'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { printf("%s %d\n", comm, pid); }' >"$out" 2>/dev/null &
	local pid=$!
	sleep 2
	local t0=$(date +%s.%N); "$WORK" open 300000 /dev/null; local t1=$(date +%s.%N)
	sleep 1; kill -INT $pid; wait $pid 2>/dev/null || true
	echo "$(python3 -c "print($t1-$t0)") $(grep -c gbtwork "$out")"
	rm -f "$out"
}
t0=$(date +%s.%N); "$WORK" open 300000 /dev/null; t1=$(date +%s.%N); base=$(python3 -c "print($t1-$t0)")
read -r gs gl < <(stream "$GBT")
read -r bs bl < <(stream bpftrace)

echo "gbt vs bpftrace $(bpftrace --version | cut -d' ' -f2), $(date -u +%F), $(uname -r), $(nproc) CPUs"
echo
echo '| measure | gbt | bpftrace | gbt/bpftrace |'
echo '|---|---|---|---|'
row 'start-up wall (s, median of 5)' "$gw" "$bw"
row 'start-up peak RSS (KB)' "$gr" "$br"
for i in "${!scripts[@]}"; do read -r g b <<<"${costs[$i]}"; row "ns/event: ${scripts[$i]:0:60}" "$g" "$b"; done
row 'printf 300k opens: workload slowdown (x untraced)' "$(python3 -c "print(round($gs/$base,2))")" "$(python3 -c "print(round($bs/$base,2))")"
echo "| printf 300k opens: lines received | $gl | $bl | |"
echo "| binary size (bytes) | $(stat -c %s "$GBT") | $(stat -c %s "$(command -v bpftrace)") | |"
echo "| shared libraries | $(ldd "$GBT" 2>/dev/null | grep -c '=>') | $(ldd "$(command -v bpftrace)" | grep -c '=>') | |"
