#!/usr/bin/env bash
# Benchmarks gbt against bpftrace 0.17, the newest bpftrace and libbpf-tools
# in the same run (root; bpftrace, bpftool and python3 installed; the newest
# bpftrace and libbpf-tools when present). Prints markdown tables of figures
# and ratios. Never asserted in tests: see README "Benchmarks".
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
command -v bpftrace >/dev/null || { echo "bench: bpftrace is not installed"; exit 1; }
GBT=${GBT:-bin/gbt}
WORK=$(mktemp -d)/gbtwork
CGO_ENABLED=0 go build -o "$WORK" ./internal/cmd/gbtwork
[ -n "${GBT_PREBUILT:-}" ] || make -s build  # the release build: static, stripped
N=${N:-100000}
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(python3 -c "print(f'{$2/$3:.2f}x')" 2>/dev/null || echo -)"; }

# printf streaming: slowdown of the workload and lines received.
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

# Start-up, per-event cost over the scripts, detach: gbt against bpftrace
# 0.17, the newest bpftrace and libbpf-tools (bench/compare.py).
GBT="$GBT" GBTWORK="$WORK" N="$N" python3 bench/compare.py --rounds "${ROUNDS:-5}"
echo
echo "gbt $("$GBT" --version 2>&1 | head -1 | awk '{print $NF}') vs bpftrace $(bpftrace --version | cut -d' ' -f2)"
echo
echo '| measure | gbt | bpftrace | gbt/bpftrace |'
echo '|---|---|---|---|'
row 'printf 300k opens: workload slowdown (x untraced)' "$(python3 -c "print(round($gs/$base,2))")" "$(python3 -c "print(round($bs/$base,2))")"
echo "| printf 300k opens: lines received / lost events | $gl / $glost | $bl / $blost | |"
row 'binary size (bytes)' "$(stat -c %s "$GBT")" "$(stat -c %s "$(command -v bpftrace)")"
echo "| shared libraries | $(libs "$GBT") | $(libs "$(command -v bpftrace)") | |"
