#!/usr/bin/env bash
# cover.sh: statement coverage per package, counting both the unit tests
# and the gbt binary that the end-to-end and differential tests run.
#
# It builds gbt with -cover into a temporary directory, runs go test
# -coverpkg=./... with GBT_TEST_BINARY pointing at that build (so the e2e
# harness runs it, with GOCOVERDIR collecting what each gbt process covered),
# converts that with go tool covdata, merges it with the unit profile (a
# block counts as covered if either covered it) and prints a table.
# Run as root for the kernel and end-to-end tests (make cover).
# Extra arguments go to go test (e.g. -short, or package patterns).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=$(mktemp -d "${TMPDIR:-/tmp}/gbt-cover.XXXXXX")
trap 'rm -rf "$out"' EXIT
mkdir "$out/bin"
module=$($GO list -m)

CGO_ENABLED=0 $GO build -cover -covermode=set -coverpkg="$module/..." -o "$out/real/gbt" ./cmd/gbt
# go test gives the test binaries a GOCOVERDIR of its own, which the gbt
# processes they start would inherit: a wrapper sets ours.
printf '#!/bin/sh\nGOCOVERDIR=%s exec %s "$@"\n' "$out/bin" "$out/real/gbt" >"$out/gbt"
chmod +x "$out/gbt"

args=("$@")
[ ${#args[@]} -eq 0 ] && args=(./...)
status=0
GBT_TEST_BINARY="$out/gbt" CGO_ENABLED=0 \
	$GO test -count=1 -covermode=set -coverpkg=./... -coverprofile="$out/unit.out" "${args[@]}" >"$out/test.log" 2>&1 || status=$?
grep -E '^(ok|FAIL)|^ *--- FAIL' "$out/test.log" || true
[ $status -ne 0 ] && echo "cover: go test failed (exit $status); the table counts what ran" >&2

if [ -n "$(ls -A "$out/bin")" ]; then
	$GO tool covdata textfmt -i="$out/bin" -o "$out/bin.out"
else
	echo "mode: set" >"$out/bin.out"
fi

# Per package: statements, and the share covered by the unit tests alone
# and by unit and binary together. A block is file:start,end; profiles
# repeat blocks (one profile per test binary), so blocks are merged first.
awk -v module="$module/" '
FNR == 1 { src = (FILENAME ~ /bin\.out$/) ? "bin" : "unit"; next }
{
	n = split($1, a, ":"); file = a[1]; block = $1
	stmts[block] = $2
	pkg = file; sub(/\/[^\/]*$/, "", pkg); sub("^" module, "", pkg)
	pkgof[block] = pkg
	if ($3 > 0) { if (src == "unit") unit[block] = 1; any[block] = 1 }
}
END {
	for (b in stmts) {
		p = pkgof[b]; total[p] += stmts[b]
		if (b in unit) u[p] += stmts[b]
		if (b in any) m[p] += stmts[b]
		T += stmts[b]; if (b in unit) U += stmts[b]; if (b in any) M += stmts[b]
	}
	printf "%-28s %7s %8s %12s\n", "package", "stmts", "unit", "unit+binary"
	for (p in total) printf "%-28s %7d %7.1f%% %11.1f%%\n", p, total[p], 100*u[p]/total[p], 100*m[p]/total[p] | "sort"
	close("sort")
	printf "%-28s %7d %7.1f%% %11.1f%%\n", "total", T, 100*U/T, 100*M/T
}' "$out/unit.out" "$out/bin.out"
exit $status
