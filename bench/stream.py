#!/usr/bin/env python3
"""stream.py: how much printf streaming slows the traced workload.

Usage: bench/stream.py [--rounds 7] [--events 300000] [--extra NAME=PATH ...]

Each round times the workload (gbtwork opening /dev/null EVENTS times)
untraced, then under each tool printing one line an open
(`printf("%s %d\\n", comm, pid)`, filtered by comm), and under gbt with a
program that filters every event out (`/pid == 1/`): the floor, what
enabling the syscall's tracepoint costs by itself. The tools take turns,
the order turning each round. For each it reports the slowdown of the
workload's wall time and of its CPU time (user + system, from wait4: less
sensitive to other jobs than the wall time), median and range of the
per-round ratios to the round's untraced run, and the lines received and
events the tool said it lost (bpftrace and gbt both print "Lost N
events"). Needs root; never asserted by tests: see README "Benchmarks".
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BPFTRACES, WORK, stop  # noqa: E402

PRINT = 'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { printf("%s %d\\n", comm, pid); }'
FLOOR = 'tracepoint:syscalls:sys_enter_openat /pid == 1/ { printf("x\\n"); }'


def workload(events):
    """Runs the workload: (wall seconds, CPU seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen([WORK, "open", str(events), "/dev/null"], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise RuntimeError(f"workload exited {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime


def traced(tool, prog, events):
    """The workload under tool running prog: (wall, cpu, lines, lost)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = start_to(tool, prog, out, err)
        try:
            wall, cpu = workload(events)
            time.sleep(0.5)  # the reader catches up before the signal
        finally:
            stop(p)
        out.seek(0)
        err.seek(0)
        lines = sum(1 for line in out if line.startswith(b"gbtwork "))
        lost = sum(int(n) for n in re.findall(rb"Lost (\d+) events", err.read()))
    return wall, cpu, lines, lost


def start_to(tool, prog, out, err):
    """Starts tool with its output in files; returns once attached (as
    compare.start, whose pipes would need reading)."""
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1")
    p = subprocess.Popen([tool, "-e", prog], stdout=out, stderr=err, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for f in (out, err):
            f.seek(0)
            if b"__BPFTRACE_NOTIFY_PROBES_ATTACHED" in f.read():
                return p
        if p.poll() is not None:
            raise RuntimeError(f"{tool} exited early ({p.returncode})")
        time.sleep(0.05)
    stop(p)
    raise RuntimeError(f"{tool}: not attached after 120 s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=PATH")
    a = ap.parse_args()
    tools = {k: v for k, v in BPFTRACES.items() if os.access(v, os.X_OK)}
    for e in a.extra:
        name, _, path = e.partition("=")
        tools[name] = path
    runs = [(t, path, PRINT) for t, path in tools.items()] + [("floor (gbt, every event filtered out)", tools["gbt"], FLOOR)]
    res = {name: [] for name, _, _ in runs}
    for r in range(a.rounds):
        base = workload(a.events)
        turn = runs[r % len(runs):] + runs[:r % len(runs)]
        for name, path, prog in turn:
            try:
                wall, cpu, lines, lost = traced(path, prog, a.events)
            except RuntimeError as e:
                print(f"{name}: {e}", file=sys.stderr, flush=True)
                continue
            res[name].append((wall / base[0], cpu / base[1], lines, lost))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)

    def cell(xs):
        return f"{statistics.median(xs):.3f}x ({min(xs):.2f}-{max(xs):.2f})" if xs else "-"

    print(f"printf streaming, {a.events} opens of /dev/null; {time.strftime('%Y-%m-%d')}, "
          f"Linux {os.uname().release}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; "
          f"{a.rounds} rounds, slowdown of the workload (x untraced), median (range):")
    print()
    print("| tool | wall | CPU (user+sys) | lines received (min) | lost (max) |")
    print("|---|---|---|---|---|")
    for name, _, prog in runs:
        xs = res[name]
        lines = f"{min(x[2] for x in xs)}" if xs and prog is PRINT else "-"
        lost = f"{max(x[3] for x in xs)}" if xs else "-"
        print(f"| {name} | {cell([x[0] for x in xs])} | {cell([x[1] for x in xs])} | {lines} | {lost} |")


if __name__ == "__main__":
    sys.exit(main())
