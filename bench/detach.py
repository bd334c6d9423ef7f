#!/usr/bin/env python3
"""detach.py: how long a tracer takes from SIGINT to its maps and to exit.

Usage: bench/detach.py [-n ROUNDS] TOOL PROGRAM [TOOL PROGRAM ...]

For each tool and program it starts `TOOL -e PROGRAM`, waits until the
probes are attached (the "Attach..." line, then the process's open files
stop growing for half a second: bpftrace 0.17 says "Attaching" before it
attaches), sends SIGINT and timestamps the first map line ("@...") on
stdout and the exit. It prints one line per tool and program: the median
and range over the rounds of SIGINT->maps and SIGINT->exit, in seconds.
Needs root. Never asserted by tests: see README "Benchmarks".
"""
import argparse
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time


def fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def one(tool, program, timeout=120.0):
    """One run: (seconds to maps, seconds to exit) after SIGINT."""
    p = subprocess.Popen([tool, "-e", program], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ, "out")
    sel.register(p.stderr, selectors.EVENT_READ, "err")
    bufs = {"out": b"", "err": b""}
    attaching = False
    sent = maps = None
    last_n, last_change = -1, time.monotonic()
    start = time.monotonic()
    open_streams = 2
    while open_streams:
        now = time.monotonic()
        if now - start > timeout:
            p.kill()
            raise RuntimeError(f"{tool}: no exit within {timeout} s")
        if attaching and sent is None:
            n = fds(p.pid)
            if n != last_n:
                last_n, last_change = n, now
            elif now - last_change > 0.5:
                p.send_signal(signal.SIGINT)
                sent = time.monotonic()
        for key, _ in sel.select(timeout=0.01):
            chunk = os.read(key.fileobj.fileno(), 65536)
            t = time.monotonic()
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            bufs[key.data] += chunk
            if b"Attach" in bufs["out"] + bufs["err"]:
                attaching = True
            if sent is not None and maps is None and key.data == "out":
                if b"\n@" in b"\n" + bufs["out"]:
                    maps = t
            if sent is None:
                # Output before SIGINT (per-event lines) does not count.
                bufs["out"] = bufs["out"][-1:]
    p.wait()
    end = time.monotonic()
    if sent is None:
        raise RuntimeError(f"{tool}: exited before SIGINT: {bufs['err'][-300:]!r}")
    return (maps - sent if maps else float("nan")), end - sent


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("pairs", nargs="+", help="TOOL PROGRAM ...")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("want TOOL PROGRAM pairs")
    for tool, program in zip(a.pairs[::2], a.pairs[1::2]):
        rs = [one(tool, program) for _ in range(a.n)]
        m = [r[0] for r in rs]
        e = [r[1] for r in rs]
        print(f"{tool}\t{program}\tmaps {statistics.median(m):.3f} "
              f"({min(m):.3f}-{max(m):.3f})\texit {statistics.median(e):.3f} "
              f"({min(e):.3f}-{max(e):.3f})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
