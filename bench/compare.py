#!/usr/bin/env python3
"""compare.py: gbt against bpftrace 0.17, the newest bpftrace and libbpf-tools.

Usage: bench/compare.py [--rounds 5] [--only NAME,...] [--together] [--skip-detach]
                        [--extra NAME=PATH ...]

Run by bench/run.sh (which builds gbt and gbtwork first); root. In one run
it measures, for every tool that is installed:

  * in-kernel cost per event: run_time_ns / run_cnt (kernel.bpf_stats_enabled)
    summed over the BPF programs the tool loaded (found through the prog_id
    of its fds), between the start and the end of a workload, for each
    script, ROUNDS rounds, tools interleaved; median and range (with
    --together the bpftraces are attached at once for each round, so that
    they see the same events under the same load: the fairer comparison
    on a busy machine; the events are then the fewest runs of any tool's
    programs, as gbt's programs of syscalls:* tracepoints run for every
    system call on sys_enter or sys_exit and return at once for the
    others: their whole time counts against the events traced. Without
    --together, such a program's run_cnt counts every system call, and
    its cost per event reads low);
  * start-up: wall time and peak RSS of `BEGIN { printf("hi\\n"); exit(); }`
    (median of 5);
  * detach: SIGINT to maps printed and to exit with 360 syscalls
    tracepoints (bench/detach.py).

It prints markdown tables with ratios gbt/other of the medians. libbpf-tools
(Debian's package, C with CO-RE) run the shipped tool that does the work
closest to the script; the table says where their work differs.
"""
import argparse
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detach  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GBT = os.environ.get("GBT", os.path.join(ROOT, "bin/gbt"))
WORK = os.environ.get("GBTWORK", "/tmp/gbtwork")
BPFTRACES = {
    "gbt": GBT,
    "bpftrace 0.17": "/usr/bin/bpftrace",
    "bpftrace newest": os.environ.get("NEWEST_BPFTRACE", "/work/shared/tools/newest-bpftrace"),
}
N = int(os.environ.get("N", "100000"))
FSYNC_FILE = "/var/tmp/gbt-bench-fsync"


def script(name):
    return open(os.path.join(ROOT, "scripts", name)).read()


# name, bpftrace program, workload, libbpf-tools command (or None), note
SCRIPTS = [
    ("opensnoop (scripts/)", script("opensnoop.bt"), [WORK, "open", str(N), "/dev/null"],
     ["/usr/sbin/opensnoop"], "same work: a perf/ring record per open"),
    ("execsnoop (scripts/)", script("execsnoop.bt"), [WORK, "exec", "500", "/bin/true"],
     ["/usr/sbin/execsnoop"], "libbpf's also copies argv (sys_enter/exit_execve)"),
    ("syscount (scripts/)", script("syscount.bt"), [WORK, "open", str(N), "/dev/null"],
     ["/usr/sbin/syscount"], "libbpf's counts by syscall id on sys_exit, + sys_enter"),
    ("syscount by id", 'tracepoint:raw_syscalls:sys_exit { @[args->id] = count(); }', [WORK, "open", str(N), "/dev/null"],
     ["/usr/sbin/syscount"], "libbpf's work: a count by syscall id (its sys_enter program returns at once)"),
    ("runqlat (scripts/)", script("runqlat.bt"), [WORK, "exec", "500", "/bin/true"],
     ["/usr/sbin/runqlat"], "libbpf's uses tp_btf (or raw_tp)"),
    ("biolatency (scripts/)", script("biolatency.bt"), [WORK, "fsync", "300", FSYNC_FILE],
     ["/usr/sbin/biolatency"], "libbpf's uses tp_btf (or raw_tp), keyed by request"),
    ("biolatency by request", 'rawtracepoint:block_rq_issue { @start[arg0] = nsecs; } '
     'rawtracepoint:block_rq_complete /@start[arg0]/ { @usecs = hist((nsecs - @start[arg0]) / 1000); delete(@start[arg0]); }',
     [WORK, "fsync", "300", FSYNC_FILE],
     ["/usr/sbin/biolatency"], "libbpf's work: issue to complete keyed by request, raw tracepoints (tp_btf)"),
    ("str() key", 'tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); }',
     [WORK, "open", str(N), "/dev/null"], None, ""),
    ("latency hist", 'tracepoint:syscalls:sys_enter_openat { @s[tid] = nsecs; } '
     'tracepoint:syscalls:sys_exit_openat /@s[tid]/ { @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }',
     [WORK, "open", str(N), "/dev/null"], None, ""),
    ("5 aggregations", 'tracepoint:syscalls:sys_enter_openat { @c = count(); @s = sum(args->flags); '
     '@mx = max(args->flags); @mn = min(args->mode); @a = avg(args->mode); }',
     [WORK, "open", str(N), "/dev/null"], None, ""),
    ("floor", 'tracepoint:raw_syscalls:sys_enter /pid == 1/ { @ = count(); }', [WORK, "open", str(N), "/dev/null"],
     None, "every event filtered out: what the statistics and a helper call cost by themselves"),
    ("comm filter, @[pid]", 'tracepoint:syscalls:sys_enter_openat /comm == "gbtwork"/ { @[pid] = count(); }',
     [WORK, "open", str(N), "/dev/null"], None, ""),
]


def prog_ids(pid):
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    try:
        for fd in os.listdir(d):
            try:
                for line in open(f"{d}/{fd}"):
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
            except OSError:
                pass
    except OSError:
        pass
    return ids


def stats(ids):
    out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True, check=True).stdout
    ns = cnt = 0
    for p in json.loads(out):
        if p["id"] in ids:
            ns += p.get("run_time_ns", 0)
            cnt += p.get("run_cnt", 0)
    return ns, cnt


def start(cmd, marker):
    """Starts cmd; returns it once its probes are attached."""
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1", BPFTRACE_MAX_PROBES="1000")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    ready = threading.Event()
    tail = []

    def read(stream):
        # The newest bpftrace writes the marker on stdout, 0.17 and gbt
        # on stderr; the rest is read and dropped.
        for line in stream:
            if b"__BPFTRACE_NOTIFY_PROBES_ATTACHED" in line:
                ready.set()
            elif stream is p.stderr and len(tail) < 20:
                tail.append(line)
        ready.set()
    for stream in (p.stdout, p.stderr):
        threading.Thread(target=read, args=(stream,), daemon=True).start()
    if marker:
        ready.wait(120)
    else:
        # No marker: wait until the programs it loaded stop changing.
        last, since = None, time.monotonic()
        while time.monotonic() - since < 1.0 and p.poll() is None:
            ids = prog_ids(p.pid)
            if ids != last or not ids:
                last, since = ids, time.monotonic()
            time.sleep(0.1)
        time.sleep(0.5)  # links come after the programs load
    if p.poll() is not None:
        raise RuntimeError(f"{cmd[0]} exited early ({p.returncode}): {b''.join(tail).decode(errors='replace')}")
    return p


def stop(p):
    p.send_signal(signal.SIGINT)
    try:
        p.wait(120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def cost(cmd, workload, marker):
    p = start(cmd, marker)
    try:
        ids = prog_ids(p.pid)
        ns0, cnt0 = stats(ids)
        subprocess.run(workload, stdout=subprocess.DEVNULL, check=True)
        ns1, cnt1 = stats(ids)
    finally:
        stop(p)
    if cnt1 == cnt0:
        raise RuntimeError(f"{cmd[0]}: its programs did not run")
    return (ns1 - ns0) / (cnt1 - cnt0)


def together(tools, prog, workload, rounds):
    """ns/event of every tool's programs for prog, all of them attached at
    once during one workload per round, so that they see the same events
    and the same load; the order of attachment (the order in which the
    kernel runs them) turns each round, over whole turns (rounds is rounded
    up to a multiple of the number of tools): the program the kernel runs
    first pays for the cold cache lines the others then find warm (about
    1.4x here), so each tool must hold each place as often. Returns
    {tool: [ns/event or None, ...]}, one entry a round."""
    names = list(tools)
    res = {t: [] for t in names}
    rounds = -(-rounds // len(names)) * len(names)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        procs = {}
        try:
            for t in order:
                try:
                    procs[t] = start([tools[t], "-e", prog], True)
                except RuntimeError as e:  # bpftrace 0.17 cannot load every script
                    print(f"{t}: {e}", file=sys.stderr, flush=True)
            ids = {t: prog_ids(p.pid) for t, p in procs.items()}
            before = {t: stats(i) for t, i in ids.items()}
            subprocess.run(workload, stdout=subprocess.DEVNULL, check=True)
            after = {t: stats(i) for t, i in ids.items()}
        finally:
            for p in procs.values():
                stop(p)
        # The events are the fewest runs of any tool's programs: gbt's
        # programs of syscalls:* tracepoints run on sys_enter/sys_exit,
        # for every system call, and return at once for the others; their
        # time is counted against the events traced, as the others'.
        runs = [after[t][1] - before[t][1] for t in procs]
        events = min((n for n in runs if n > 0), default=0)
        for t in names:
            dn = after[t][0] - before[t][0] if t in procs else 0
            dc = after[t][1] - before[t][1] if t in procs else 0
            res[t].append(dn / events if dc > 0 else None)
    return res


def paired_ratio(a, b):
    """The geometric mean of the per-round ratios a/b (rounds where both
    ran): with the attach order turning over whole turns, the place each
    tool ran in cancels out, where a ratio of medians keeps it."""
    rs = [x / y for x, y in zip(a, b) if x and y]
    return geomean(rs) if rs else float("nan")


def startup(tool):
    rs = []
    for _ in range(5):
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M", tool, "-e", 'BEGIN { printf("hi\\n"); exit(); }'],
                           capture_output=True, text=True)
        w, m = r.stderr.strip().splitlines()[-1].split()
        rs.append((float(w), int(m)))
    return statistics.median(x[0] for x in rs), statistics.median(x[1] for x in rs)


def try_cost(cmd, workload, marker):
    """cost, tried twice (a tool may fail to load once under memory
    pressure); None if both fail."""
    for attempt in (1, 2):
        try:
            return cost(cmd, workload, marker)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print(f"{cmd[0]}: attempt {attempt}: {e}", file=sys.stderr, flush=True)
    return None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def fmt(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    return f"{med(xs):.0f} ({min(xs):.0f}-{max(xs):.0f})"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b and not math.isnan(a) and not math.isnan(b) else "-"


def geomean(xs):
    xs = [x for x in xs if x > 0 and not math.isnan(x)]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")


def report(f, res, scripts, tools, rounds, paired=False):
    """Writes the per-event table of the rounds done; paired (--together):
    the ratios are paired_ratio's, not ratios of the medians."""
    def out(*args):
        print(*args, file=f, flush=True)

    others = [t for t in tools if t != "gbt"] + ["libbpf-tools"]
    out(f"gbt vs {', '.join(others)}; {time.strftime('%Y-%m-%d')}, Linux {os.uname().release}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {rounds} rounds, N={N}")
    out()
    if paired:
        out("ns/event, median (range) of the rounds; gbt/other: geometric mean of the per-round ratios:")
    else:
        out("ns/event, median (range) of the rounds; gbt/other of the medians:")
    out()
    out("| script | " + " | ".join(["gbt"] + others) + " | " + " | ".join(f"gbt/{o}" for o in others) + " |")
    out("|---" * (1 + 1 + 2 * len(others)) + "|")
    ratios = {o: [] for o in others}
    for name, _, _, _, note in scripts:
        g = med(res.get((name, "gbt"), []))
        cells = [fmt(res.get((name, "gbt"), []))] + [fmt(res.get((name, o), [])) for o in others]
        rs = []
        for o in others:
            num, x = g, med(res.get((name, o), []))
            if paired:
                num, x = paired_ratio(res.get((name, "gbt"), []), res.get((name, o), [])), 1
            rs.append(ratio(num, x))
            if (name, o) in res and num > 0 and x > 0 and name != "floor":
                ratios[o].append(num / x)
        label = name + (f" ({note})" if note else "")
        out(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |")
    out("| geometric mean of the ratios (but the floor's) | " + " | ".join([""] * (1 + len(others))) + " | "
        + " | ".join(f"{geomean(ratios[o]):.2f}x" if ratios[o] else "-" for o in others) + " |")
    out()


def cost_rounds(a, res, scripts, tools):
    """Measures every script with every tool, a.rounds rounds, the tools
    taking turns in an order that turns each round, so that no tool always
    meets the state the runs before it leave (the fsync file, the
    caches)."""
    with open(FSYNC_FILE, "w"):
        pass
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        for r in range(a.rounds):
            for name, prog, work, libbpf, _ in scripts:
                runs = [(t, [path, "-e", prog], True) for t, path in tools.items()]
                if libbpf and os.access(libbpf[0], os.X_OK):
                    runs.append(("libbpf-tools", libbpf, False))
                for t, cmd, marker in runs[r % len(runs):] + runs[:r % len(runs)]:
                    v = try_cost(cmd, work, marker)
                    if v is not None:
                        res.setdefault((name, t), []).append(v)
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
            if a.partial:
                with open(a.partial, "w") as f:
                    report(f, res, scripts, tools, r + 1)
    finally:
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"])
        os.unlink(FSYNC_FILE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated script names (prefixes)")
    ap.add_argument("--skip-cost", action="store_true")
    ap.add_argument("--skip-detach", action="store_true")
    ap.add_argument("--partial", default="", help="file to rewrite with the table after each round")
    ap.add_argument("--together", action="store_true",
                    help="per-event cost with the tools attached at once (same events, same load), "
                    "instead of one after the other")
    ap.add_argument("--extra", action="append", default=[], metavar="NAME=PATH",
                    help="another bpftrace-like tool to measure beside the others, e.g. "
                    "'gbt before=/tmp/gbt-old' to compare two builds of gbt in one run")
    a = ap.parse_args()
    tools = {k: v for k, v in BPFTRACES.items() if os.access(v, os.X_OK)}
    for e in a.extra:
        name, _, path = e.partition("=")
        if not path or name == "gbt":
            ap.error(f"--extra {e!r}: want NAME=PATH, NAME not gbt")
        tools[name] = path
    scripts = [s for s in SCRIPTS if not a.only or any(s[0].startswith(o) for o in a.only.split(","))]
    res = {}  # (script, tool) -> [ns/event]
    if not a.skip_cost and a.together:
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
        try:
            for name, prog, work, _, _ in scripts:
                for t, xs in together(tools, prog, work, a.rounds).items():
                    res[(name, t)] = xs
        finally:
            subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"])
        print("attached at once, attach order turning each round")
        report(sys.stdout, res, [(n, p, w, None, note) for n, p, w, _, note in scripts], tools,
               len(next(iter(res.values()), [])), paired=True)
    elif not a.skip_cost:
        cost_rounds(a, res, scripts, tools)
        report(sys.stdout, res, scripts, tools, a.rounds)

    print("| start-up: `BEGIN { printf(...); exit(); }` (median of 5) | " + " | ".join(tools) + " | "
          + " | ".join(f"gbt/{t}" for t in tools if t != "gbt") + " |")
    print("|---" * (1 + 2 * len(tools) - 1) + "|")
    su = {t: startup(p) for t, p in tools.items()}
    print("| wall (s) | " + " | ".join(f"{su[t][0]:.2f}" for t in tools) + " | "
          + " | ".join(ratio(su["gbt"][0], su[t][0]) for t in tools if t != "gbt") + " |")
    print("| peak RSS (KB) | " + " | ".join(f"{su[t][1]}" for t in tools) + " | "
          + " | ".join(ratio(su["gbt"][1], su[t][1]) for t in tools if t != "gbt") + " |")
    print()

    if a.skip_detach:
        return
    prog = "tracepoint:syscalls:sys_enter_* { @[probe] = count(); }"
    print("| detach, 360 syscalls tracepoints (3 runs, s) | SIGINT to maps | SIGINT to exit |")
    print("|---|---|---|")
    for t, path in tools.items():
        rs = [detach.one(path, prog) for _ in range(3)]
        m, e = [x[0] for x in rs], [x[1] for x in rs]
        print(f"| {t} | {med(m):.2f} ({min(m):.2f}-{max(m):.2f}) | {med(e):.2f} ({min(e):.2f}-{max(e):.2f}) |",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
