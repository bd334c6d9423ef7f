package scripts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// The newest bpftrace is ../shared/tools/newest-bpftrace (Debian sid's,
// installed under /opt/bpftrace-sid on first use; .ci/run installs it):
// its bundled tools are the reference of what users run today.
const attachedMarker = "__BPFTRACE_NOTIFY_PROBES_ATTACHED"

// newestBpftrace returns the newest bpftrace's launcher and the directory
// of its bundled tools, or skips (fails under GBT_REQUIRE_PRIVILEGED=1).
func newestBpftrace(t *testing.T) (launcher, tools string) {
	t.Helper()
	launcher = os.Getenv("GBT_NEWEST_BPFTRACE")
	if launcher == "" {
		for _, p := range []string{"../../shared/tools/newest-bpftrace", "/work/shared/tools/newest-bpftrace"} {
			if _, err := os.Stat(p); err == nil {
				launcher, _ = filepath.Abs(p)
				break
			}
		}
	}
	root := os.Getenv("NEWEST_BPFTRACE_ROOT")
	if root == "" {
		root = "/opt/bpftrace-sid"
	}
	tools = filepath.Join(root, "usr", "sbin")
	if _, err := os.Stat(filepath.Join(root, "usr", "bin", "bpftrace")); launcher == "" || err != nil {
		why := "the newest bpftrace is not installed: run ../shared/tools/newest-bpftrace --setup-only (.ci/run does)"
		if testenv.Required() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return launcher, tools
}

// TestKernelNewestToolsDryRun: every tool of the newest bpftrace that it
// compiles and loads here (--dry-run), gbt compiles and loads too.
func TestKernelNewestToolsDryRun(t *testing.T) {
	testenv.RequireRoot(t)
	launcher, dir := newestBpftrace(t)
	tools, err := filepath.Glob(filepath.Join(dir, "*.bt"))
	if err != nil || len(tools) < 30 {
		t.Fatalf("the newest bpftrace's tools in %s: %d found (%v)", dir, len(tools), err)
	}
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	var both, onlyGbt int
	for _, tool := range tools {
		name := strings.TrimSuffix(filepath.Base(tool), ".bt")
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		theirs := exec.CommandContext(ctx, launcher, "--dry-run", tool).Run()
		cancel()
		ours := dryRun(tool, env)
		switch {
		case theirs == nil && ours != nil:
			t.Errorf("%s: the newest bpftrace loads it, gbt does not: %v", name, ours)
		case theirs == nil:
			both++
		case ours == nil:
			onlyGbt++
		}
	}
	t.Logf("%d of %d tools load under both; %d under gbt only (the newest bpftrace needs kprobes or symbols this kernel lacks for them)", both, len(tools), onlyGbt)
}

func dryRun(file string, env *kernel.Env) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	obj, _, err := runtime.Compile(file, string(src), runtime.CompileOptions{Env: env})
	if err != nil {
		return err
	}
	return runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
}

// TestKernelNewestToolsRun runs tools of the newest bpftrace under it and
// under gbt at once, against one workload, and requires the same lines
// for the workload from both. The tools trace the whole system: the lines
// compared are those a pattern picks out (@PID@ is the workload's pid,
// @NAME@ its process name and @TRUE@ the program it runs, both unique to
// this test), after masking what
// differs between two runs (clock times).
func TestKernelNewestToolsRun(t *testing.T) {
	testenv.RequireRoot(t)
	launcher, dir := newestBpftrace(t)
	work := buildWorkload(t)
	trueLink := filepath.Join(t.TempDir(), "true")
	if err := os.Symlink("/bin/true", trueLink); err != nil {
		t.Fatal(err)
	}
	clock := regexp.MustCompile(`\b\d\d:\d\d:\d\d(\.\d+)?\b`)
	python := testenv.RequireCommand(t, "python3", "apt-get install python3")
	unshare := testenv.RequireCommand(t, "unshare", "apt-get install util-linux")
	testenv.RequireCommand(t, "tc", "apt-get install iproute2")
	script := testenv.RequireCommand(t, "script", "apt-get install bsdutils")
	tests := []struct {
		tool     string
		prog     string // the workload's program: gbtwork when ""
		workload []string
		stdin    string // the workload's standard input
		pick     string // the workload's lines
		min      int    // at least this many of them
		mask     string // what may differ in them, replaced by N
	}{
		{tool: "opensnoop", workload: []string{"open", "3", "/dev/null"}, pick: `(?m)^@PID@ .*$`, min: 3},
		{tool: "statsnoop", workload: []string{"statx", "4", "/nonexistent/gbt"}, pick: `(?m)^@PID@ .*$`, min: 4},
		{tool: "killsnoop", workload: []string{"kill", "3"}, pick: `(?m)^\S+ +@PID@ .*$`, min: 3},
		// execsnoop's PPID is the forking thread's id (real_parent->pid),
		// not always the workload's pid: its children are told by the
		// program they run, a link in this test's own directory.
		// execsnoop prints an exec's time and pids, then each argument
		// with its own printf: another exec on the machine (a test's
		// bpftrace starting clang) can come between the two, so the pick
		// is the argument alone, in the two execs of true and in the
		// workload's own command line.
		{tool: "execsnoop", workload: []string{"exec", "2", "@TRUE@"}, pick: `(?m)@TRUE@$`, min: 3},
		// naptime prints with time() and printf(): the newest bpftrace
		// may put another CPU's time() between the two (gbt keeps
		// them together), so the pick starts after the time.
		{tool: "naptime", workload: []string{"nanosleep", "2", "20"}, pick: `(?m)\d+ +\S+ +@PID@ +\S+ +\d+\.\d{3}$`, min: 2},
		{tool: "syscount", workload: []string{"write", "20000"}, pick: `(?m)^@process\[@NAME@\]: \d+$`, min: 1},
		{tool: "setuids", workload: []string{"setuid", "2"}, pick: `(?m)^\S+ +@PID@ .*$`, min: 6},
		// syncsnoop prints the time with time(), then the rest.
		{tool: "syncsnoop", workload: []string{"fsync", "3", "@TMP@/f"}, pick: `(?m)\b@PID@ +\S+ +tracepoint:syscalls:sys_enter_fsync$`, min: 3},
		// uprobes on libc's pthread_create, usym of the start routine;
		// the workload lives on a second, for both tools to read its
		// maps when they print (else usym is the bare address).
		{tool: "threadsnoop", prog: python, workload: []string{"-c", "import threading, time\nfor _ in range(3):\n t = threading.Thread(target=int); t.start(); t.join()\ntime.sleep(1)"},
			pick: `(?m)\b@PID@ \S+ +\S+$`, min: 3},
		// uprobes and uretprobes on libc's getaddrinfo; the latency is
		// each tool's own clock.
		{tool: "gethostlatency", prog: python, workload: []string{"-c", "import socket\nfor _ in range(3): socket.getaddrinfo('localhost', None)"},
			pick: `(?m)\b@PID@ +\S+ +\d+ localhost$`, min: 3, mask: `\d+ localhost$`},
		// tracepoint:skb:kfree_skb of an skb with its socket and a drop
		// reason: a SYN the qdisc drops (pfifo of no packets, on the
		// loopback of a network namespace of the workload's own), freed
		// with SKB_DROP_REASON_QDISC_DROP in connect(2). The workload's
		// shell execs python3, which keeps unshare's pid.
		{tool: "tcpdrop", prog: unshare, workload: []string{"-n", "sh", "-c", "ip link set lo up && tc qdisc add dev lo root pfifo limit 0 && exec " + python +
			` -c 'import socket, time
s = socket.socket(socket.AF_INET6)
s.setblocking(False)
s.connect_ex(("::1", 47011))
time.sleep(0.3)'`},
			pick: `(?m)^\S+ +@PID@ +python3 .*$`, min: 1},
		// uretprobe:/bin/bash:readline: an interactive bash (script(1)
		// gives it a terminal) reads a command naming this test's
		// directory; bash is script's child, so the command picks it.
		{tool: "bashreadline", prog: script, workload: []string{"-qec", "/bin/bash --norc --noprofile -i", "/dev/null"},
			stdin: "echo @TMP@\nexit\n", pick: `(?m)^\S+ +\d+ +echo @TMP@$`, min: 1},
	}
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			file := filepath.Join(dir, tt.tool+".bt")
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			obj, _, err := runtime.Compile(file, string(src), runtime.CompileOptions{Env: env})
			if err != nil {
				t.Fatal(err)
			}

			// run runs both tools against one workload and returns the
			// lines each printed for it.
			run := func() (got, want []string, out, theirOut string) {
				theirs, err := startNewest(launcher, file)
				if err != nil {
					t.Fatal(err)
				}
				defer theirs.kill()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				attached := make(chan struct{})
				var ours bytes.Buffer
				done := make(chan error, 1)
				go func() {
					done <- runtime.Run(ctx, obj, runtime.Options{Stdout: &ours, Stderr: io.Discard,
						Live: func(*runtime.Live) { close(attached) }})
				}()
				for _, wait := range []struct {
					who string
					c   <-chan struct{}
				}{{"gbt", attached}, {"the newest bpftrace", theirs.attached}} {
					select {
					case <-wait.c:
					case err := <-done:
						t.Fatalf("gbt ended before attaching: %v", err)
					case <-time.After(60 * time.Second):
						t.Fatalf("%s not attached after 60 s; its output:\n%s", wait.who, theirs.output())
					}
				}

				tmp := t.TempDir()
				put := strings.NewReplacer("@TRUE@", trueLink, "@TMP@", tmp)
				args := make([]string, len(tt.workload))
				for i, a := range tt.workload {
					args[i] = put.Replace(a)
				}
				prog := work
				if tt.prog != "" {
					prog = tt.prog
				}
				w := exec.Command(prog, args...)
				w.Stdin = strings.NewReader(put.Replace(tt.stdin))
				if out, err := w.CombinedOutput(); err != nil {
					t.Fatalf("workload %v: %v\n%s", args, err, out)
				}
				time.Sleep(300 * time.Millisecond) // the last events reach both rings

				cancel() // what Ctrl-C does
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				theirOut, err = theirs.stop()
				if err != nil {
					t.Fatalf("the newest bpftrace: %v\n%s", err, theirOut)
				}

				pick := regexp.MustCompile(strings.NewReplacer("@PID@", strconv.Itoa(w.Process.Pid),
					"@NAME@", regexp.QuoteMeta(filepath.Base(work)), "@TRUE@", regexp.QuoteMeta(trueLink), "@TMP@", regexp.QuoteMeta(tmp)).Replace(tt.pick))
				mask := regexp.MustCompile(`\A\z`)
				if tt.mask != "" {
					mask = regexp.MustCompile(tt.mask)
				}
				lines := func(out string) []string {
					var l []string
					for _, m := range pick.FindAllString(out, -1) {
						m = clock.ReplaceAllString(strings.TrimRight(m, " "), "HH:MM:SS")
						l = append(l, mask.ReplaceAllString(m, "N"))
					}
					return l
				}
				// Events of several threads (the Go runtime's too) may reach
				// the two tools' buffers in different orders: compare sets.
				got, want = lines(ours.String()), lines(theirOut)
				slices.Sort(got)
				slices.Sort(want)
				return got, want, ours.String(), theirOut
			}
			got, want, ours, theirOut := run()
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				// The newest bpftrace now and then interleaves two of its
				// lines ("... 0 23216  gbt   5/proc/self/mountinfo"): a
				// difference is looked at again in a second run.
				t.Logf("the two differ; running both again. gbt's lines:\n%s\nthe newest bpftrace's:\n%s",
					strings.Join(got, "\n"), strings.Join(want, "\n"))
				got, want, ours, theirOut = run()
			}
			if len(want) < tt.min {
				t.Fatalf("the newest bpftrace printed %d lines for the workload, want at least %d:\n%s", len(want), tt.min, tail(theirOut))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("gbt's lines for the workload:\n%s\nthe newest bpftrace's:\n%s\ngbt's whole output:\n%s",
					strings.Join(got, "\n"), strings.Join(want, "\n"), tail(ours))
			}
		})
	}
}

// A newestRun is the newest bpftrace running a tool.
type newestRun struct {
	cmd      *exec.Cmd
	attached chan struct{}
	mu       sync.Mutex
	out      bytes.Buffer
	read     chan struct{} // closed when its output is read to the end
}

func startNewest(launcher, tool string) (*newestRun, error) {
	r := &newestRun{attached: make(chan struct{}), read: make(chan struct{})}
	r.cmd = exec.Command(launcher, tool)
	r.cmd.Env = append(os.Environ(), attachedMarker+"=1")
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	r.cmd.Stderr = io.Discard
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(r.read)
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() {
			if !seen && sc.Text() == attachedMarker {
				seen = true
				close(r.attached)
				continue
			}
			r.mu.Lock()
			r.out.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
	}()
	return r, nil
}

func (r *newestRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// stop sends SIGINT, as Ctrl-C does, and returns what it printed.
func (r *newestRun) stop() (string, error) {
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return r.output(), err
	}
	select {
	case <-r.read:
	case <-time.After(30 * time.Second):
		r.kill()
		return r.output(), errors.New("not ended 30 s after SIGINT")
	}
	return r.output(), r.cmd.Wait()
}

func (r *newestRun) kill() {
	if r.cmd.ProcessState == nil {
		syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	}
}
