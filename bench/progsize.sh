#!/usr/bin/env bash
# Program size: BPF instructions per script, gbt against the newest bpftrace.
# Loads each script under both tracers, reads the xlated size of every
# program the tracer's process holds (prog_id lines of its fds' fdinfo,
# `bpftool prog show id N --json`: bytes_xlated / 8) and prints a markdown
# table with the ratio per script and the geomean. Needs root and bpftool.
# Usage: bench/progsize.sh [-v]   (-v: per-program sizes too)
# Env: GBT (default bin/gbt), BPFTRACE (default the newest bpftrace).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "progsize: needs root"; exit 1; }
command -v bpftool >/dev/null || { echo "progsize: needs bpftool"; exit 1; }
GBT=${GBT:-bin/gbt}
BPFTRACE=${BPFTRACE:-/work/shared/tools/newest-bpftrace}
[ -x "$BPFTRACE" ] || BPFTRACE=$(command -v bpftrace)
[ -n "${GBT_PREBUILT:-}" ] || make -s build
VERBOSE=${1:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# sizes TOOL FILE: "total nprogs" of the programs TOOL holds once attached,
# or "- -" when the script does not load. Waits until the set of loaded
# programs has been stable for a second (BEGIN and END stay loaded in both).
sizes() {
	local tool=$1 file=$2 pid ids prev="" stable=0 i
	"$tool" "$file" >"$TMP/out" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		sleep 0.2
		kill -0 "$pid" 2>/dev/null || break
		ids=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u | tr '\n' ' ' || true)
		if [ -n "$ids" ] && [ "$ids" = "$prev" ] && grep -q 'Attach' "$TMP/out"; then
			stable=$((stable + 1)); [ $stable -ge 5 ] && break
		else stable=0; fi
		prev=$ids
	done
	if [ $stable -lt 5 ]; then
		kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
		echo "- -"; return
	fi
	local total=0 n=0 id x name
	for id in $ids; do
		read -r x name < <(bpftool prog show id "$id" --json | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("bytes_xlated", 0)//8, p.get("name",""))')
		[ -n "$VERBOSE" ] && echo "    $(basename "$tool") $name $x" >&2
		total=$((total + x)); n=$((n + 1))
	done
	kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
	echo "$total $n"
}

declare -a names=() files=()
for f in scripts/*.bt; do names+=("$(basename "$f" .bt)"); files+=("$f"); done
add() { names+=("$1"); printf '%s\n' "$2" >"$TMP/$1.bt"; files+=("$TMP/$1.bt"); }
add count_by_comm 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
add str_key 'tracepoint:syscalls:sys_enter_openat { @[str(args.filename)] = count(); }'
add latency_hist 'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; }
tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }'
add printf_3 'tracepoint:syscalls:sys_enter_openat { printf("%d %s %d\n", pid, comm, args.flags); }'
add five_aggs 'tracepoint:syscalls:sys_enter_read { @c = count(); @s = sum(args.count); @mi = min(args.count); @ma = max(args.count); @a = avg(args.count); }'
add comm_filter 'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { @[pid] = count(); }'
add if_else 'tracepoint:syscalls:sys_enter_read { if (args.count > 4096) { @big[comm] = count(); } else { @small = sum(args.count); } }'
add while_loop 'tracepoint:syscalls:sys_enter_read { $i = 0; $s = 0; while ($i < 10) { $s += $i * args.fd; $i++; } @ = sum($s); }'

echo "| script | gbt insns | bpftrace insns | ratio |"
echo "|---|---:|---:|---:|"
logsum=0; n=0
for i in "${!names[@]}"; do
	read -r g gp < <(sizes "$GBT" "${files[$i]}")
	read -r b bp < <(sizes "$BPFTRACE" "${files[$i]}")
	if [ "$g" = - ] || [ "$b" = - ]; then
		echo "| ${names[$i]} | $g | $b | (does not load in both) |"; continue
	fi
	r=$(python3 -c "print(f'{$g/$b:.2f}x')")
	echo "| ${names[$i]} | $g ($gp progs) | $b ($bp progs) | $r |"
	logsum=$(python3 -c "import math; print($logsum + math.log($g/$b))"); n=$((n + 1))
done
python3 -c "import math; print(f'\ngeomean gbt/bpftrace over $n scripts: {math.exp($logsum/$n):.3f}x')"
