#!/usr/bin/env python3
"""uprobe_multi.py: how long tracers take to attach and detach a big uprobe wildcard.

Usage: bench/uprobe_multi.py [-n ROUNDS] [-p PROBE] NAME=COMMAND [NAME=COMMAND ...]

Each COMMAND is a tracer and its flags ("bin/gbt --no-feature uprobe_multi",
"/work/shared/tools/newest-bpftrace"). For each it starts
`COMMAND -p PID -e 'PROBE { @ = count(); }'` against a waiting bash,
with __BPFTRACE_NOTIFY_PROBES_ATTACHED set: attach is the time from the
start to that line (parsing, loading and attaching every probe); then it
sends SIGINT, and detach is the time from the signal to the exit (detach,
print the map). PROBE is uprobe:/bin/bash:* by default (some 1700
functions, so BPFTRACE_MAX_PROBES is raised; libc:* has functions the
kernel cannot put a uprobe on, which every tracer refuses). It prints the median and range of each
over the rounds, and each tool's medians as ratios to the first tool's.
Needs root. Never asserted by tests: see README "Benchmarks".
"""
import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import time

MARKER = b"__BPFTRACE_NOTIFY_PROBES_ATTACHED"


def one(argv, timeout=300.0):
    """One run: (seconds to attached, seconds from SIGINT to exit)."""
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1",
               BPFTRACE_MAX_PROBES="100000", BPFTRACE_MAX_BPF_PROGS="100000")
    start = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = b""
    while MARKER not in out:
        chunk = p.stdout.readline()
        if not chunk:
            err = p.stderr.read().decode(errors="replace")
            raise RuntimeError(f"{argv[0]} exited before attaching: {err.strip()[-500:]}")
        out += chunk
        if time.monotonic() - start > timeout:
            p.kill()
            raise RuntimeError(f"{argv[0]}: not attached within {timeout} s")
    attached = time.monotonic() - start
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        raise RuntimeError(f"{argv[0]}: no exit within {timeout} s of SIGINT")
    return attached, time.monotonic() - sent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="rounds per tool")
    ap.add_argument("-p", default="uprobe:/bin/bash:*", help="the probe")
    ap.add_argument("tools", nargs="+", metavar="NAME=COMMAND")
    a = ap.parse_args()
    # bash waits for its sleep: bash stays mapped; both go at the end.
    sleeper = subprocess.Popen(["/bin/bash", "-c", "sleep 100000; :"], start_new_session=True)
    try:
        rows = []
        for spec in a.tools:
            name, _, command = spec.partition("=")
            argv = shlex.split(command) + ["-p", str(sleeper.pid), "-e", a.p + " { @ = count(); }"]
            runs = [one(argv) for _ in range(a.n)]
            att = [r[0] for r in runs]
            det = [r[1] for r in runs]
            rows.append((name, statistics.median(att), min(att), max(att),
                         statistics.median(det), min(det), max(det)))
    finally:
        os.killpg(sleeper.pid, signal.SIGKILL)
        sleeper.wait()
    print(f"{a.p} on one process, {a.n} rounds; medians (range) in seconds, ratio to {rows[0][0]}")
    print(f"{'tool':<16} {'attach':>22} {'ratio':>7} {'detach':>22} {'ratio':>7}")
    base = rows[0]
    for name, am, alo, ahi, dm, dlo, dhi in rows:
        print(f"{name:<16} {am:8.3f} ({alo:.3f}-{ahi:.3f}) {am / base[1]:7.2f} "
              f"{dm:8.3f} ({dlo:.3f}-{dhi:.3f}) {dm / base[4]:7.2f}")


if __name__ == "__main__":
    sys.exit(main())
