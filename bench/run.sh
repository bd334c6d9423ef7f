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
# Two tracepoints and a 100 ms interval: attach, 100 ms of tracing, detach.
P2='tracepoint:syscalls:sys_enter_openat { @[comm] = count(); } tracepoint:syscalls:sys_exit_openat { @r = count(); } interval:ms:100 { exit(); }'
read -r gw2 gr2 < <(startup "$GBT" -e "$P2")
read -r bw2 br2 < <(startup bpftrace -e "$P2")

# 2. In-kernel cost per event (bpf_stats): run_time_ns / run_cnt of the
#    tracepoint programs while gbtwork makes N openat calls.
cost() {
	local tool=$1 script=$2
	"$tool" -e "$script" >/dev/null 2>&1 &
	local pid=$!
	sleep 2
	"$WORK" open "$N" /dev/null
	bpftool prog show -j > /tmp/bench.progs.$$
	# The programs this tool loaded: prog_id lines of its fds' fdinfo.
	local ids; ids=$(cat /proc/$pid/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u | tr '\n' ' ')
	kill -INT $pid; wait $pid 2>/dev/null || true
	python3 - /tmp/bench.progs.$$ "$ids" <<'PY'
import json, sys
mine = {int(x) for x in sys.argv[2].split()}
ps = [p for p in json.load(open(sys.argv[1])) if p['id'] in mine and p.get('type') == 'tracepoint']
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
	"$tool" -e 'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { printf("%s %d\n", comm, pid); }' >"$out" 2>"$out.err" &
	local pid=$!
	sleep 2
	local t0=$(date +%s.%N); "$WORK" open 300000 /dev/null; local t1=$(date +%s.%N)
	sleep 1; kill -INT $pid; wait $pid 2>/dev/null || true
	# Both tools report drops on stderr as "Lost N events".
	local lost; lost=$(awk '/Lost [0-9]+ events/ { n += $2 } END { print n + 0 }' "$out.err")
	echo "$(python3 -c "print($t1-$t0)") $(grep -c gbtwork "$out") $lost"
	rm -f "$out" "$out.err"
}
t0=$(date +%s.%N); "$WORK" open 300000 /dev/null; t1=$(date +%s.%N); base=$(python3 -c "print($t1-$t0)")
read -r gs gl glost < <(stream "$GBT")
read -r bs bl blost < <(stream bpftrace)

libs() { if ldd "$1" >/dev/null 2>&1; then ldd "$1" | grep -c '=>\|ld-linux'; else echo 0; fi; }
geomean() { python3 -c "import math,sys; v=[float(x) for x in sys.argv[1:]]; print(f'{math.exp(sum(map(math.log,v))/len(v)):.1f}')" "$@"; }

echo "gbt $("$GBT" --version 2>&1 | head -1 | awk '{print $NF}') vs bpftrace $(bpftrace --version | cut -d' ' -f2), $(date -u +%F), Linux $(uname -r), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), N=$N opens per cost run"
echo
echo '| measure | gbt | bpftrace | gbt/bpftrace |'
echo '|---|---|---|---|'
row 'start-up: BEGIN printf exit, wall (s, median of 5)' "$gw" "$bw"
row 'start-up: BEGIN printf exit, peak RSS (KB)' "$gr" "$br"
row 'start-up: 2 tracepoints + interval:ms:100 exit, wall (s)' "$gw2" "$bw2"
row 'start-up: 2 tracepoints + interval:ms:100 exit, peak RSS (KB)' "$gr2" "$br2"
gs_=(); bs_=()
for i in "${!scripts[@]}"; do
	read -r g b <<<"${costs[$i]}"
	gs_+=("$g"); bs_+=("$b")
	row "ns/event: \`${scripts[$i]:0:70}\`" "$g" "$b"
done
row 'ns/event: geometric mean of the above' "$(geomean "${gs_[@]}")" "$(geomean "${bs_[@]}")"
row 'printf 300k opens: workload slowdown (x untraced)' "$(python3 -c "print(round($gs/$base,2))")" "$(python3 -c "print(round($bs/$base,2))")"
echo "| printf 300k opens: lines received / lost events | $gl / $glost | $bl / $blost | |"
row 'binary size (bytes)' "$(stat -c %s "$GBT")" "$(stat -c %s "$(command -v bpftrace)")"
echo "| shared libraries | $(libs "$GBT") | $(libs "$(command -v bpftrace)") | |"
