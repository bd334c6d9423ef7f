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

libs() { if ldd "$1" >/dev/null 2>&1; then ldd "$1" | grep -c '=>\|ld-linux'; else echo 0; fi; }

# Start-up, per-event cost over the scripts, detach: gbt against bpftrace
# 0.17, the newest bpftrace and libbpf-tools (bench/compare.py).
GBT="$GBT" GBTWORK="$WORK" N="$N" python3 bench/compare.py --rounds "${ROUNDS:-5}"
echo
# printf streaming: how much each tool slows the workload it prints.
GBT="$GBT" GBTWORK="$WORK" python3 bench/stream.py --rounds "${ROUNDS:-5}"
echo
echo "gbt $("$GBT" --version 2>&1 | head -1 | awk '{print $NF}') vs bpftrace $(bpftrace --version | cut -d' ' -f2)"
echo
echo '| measure | gbt | bpftrace | gbt/bpftrace |'
echo '|---|---|---|---|'
row 'binary size (bytes)' "$(stat -c %s "$GBT")" "$(stat -c %s "$(command -v bpftrace)")"
echo "| shared libraries | $(libs "$GBT") | $(libs "$(command -v bpftrace)") | |"
