#!/bin/sh
# Regenerates the golden outputs from the real bpftrace (0.17 on the
# reference machine; run as root): for each scripts/NAME.bt, NAME.txt is
# bpftrace's text output and NAME.json its -f json output, both without the
# first line ("Attaching 1 probe..." / attached_probes).
set -eu
cd "$(dirname "$0")"
bpftrace --version
for bt in scripts/*.bt; do
	name=$(basename "$bt" .bt)
	bpftrace "$bt" 2>/dev/null | tail -n +2 >"$name.txt"
	bpftrace -f json "$bt" 2>/dev/null | tail -n +2 >"$name.json"
done
