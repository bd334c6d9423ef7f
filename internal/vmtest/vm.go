package vmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// A Machine is the QEMU virtual machine a run boots.
type Machine struct {
	Kernel    *Kernel
	Initramfs string // from WriteInitramfs
	MemoryMB  int    // 2048 when 0
	CPUs      int    // 2 when 0
	// Timeout bounds the whole run, boot to power-off; QEMU is killed
	// after it.
	Timeout time.Duration
	// Console, when set, receives the guest's console as it comes.
	Console io.Writer
}

// A Run is what one boot did: each job's result, by name, and the
// console's text.
type Run struct {
	Results map[string]Result
	Console string
	Elapsed time.Duration
	// Died names the job the guest was running when it died (panicked,
	// or powered off before the last job), "" when it did not or when
	// it died before starting any job left (while booting).
	Died string
}

// A GuestDiedError says the guest died before its last job ended: its
// kernel panicked (the guest boots with oops=panic) or it powered off
// early.
type GuestDiedError struct {
	Job         string   // the job it was running; "" when it had started none (it died booting)
	Missing     []string // the jobs without a result, in order
	ConsoleTail string
}

func (e *GuestDiedError) Error() string {
	during := "before it started a job"
	if e.Job != "" {
		during = "during " + e.Job
	}
	return fmt.Sprintf("the guest died %s; jobs without a result: %v\nconsole tail:\n%s", during, e.Missing, e.ConsoleTail)
}

// QEMU is the emulator Run starts.
const QEMU = "qemu-system-x86_64"

// Run boots m, runs jobs in the guest in order and returns their results.
// xfer is an empty directory the guest writes results into. A job the
// guest did not finish (it hung, or the guest died) has no result, and
// Run says which in its error, along with the console's tail.
func (m *Machine) Run(ctx context.Context, xfer string, jobs []Job) (*Run, error) {
	if err := writeJobs(xfer, jobs); err != nil {
		return nil, err
	}
	if err := clearStarted(xfer, jobs); err != nil {
		return nil, err
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mem, cpus := m.MemoryMB, m.CPUs
	if mem == 0 {
		mem = 2048
	}
	if cpus == 0 {
		cpus = 2
	}
	args := []string{
		"-nodefaults", "-no-reboot", "-display", "none",
		"-machine", "q35", "-cpu", "max",
		"-m", strconv.Itoa(mem), "-smp", strconv.Itoa(cpus),
		"-kernel", m.Kernel.Vmlinuz, "-initrd", m.Initramfs,
		// no_timer_check: on a busy host TCG can be too slow for the
		// kernel's check that the timer interrupt arrives through the
		// IO-APIC, which then panics ("IO-APIC + timer doesn't work!",
		// seen with 6.1); virtual machines skip the check.
		//
		// softlockup_panic: a CPU stuck in the kernel (the 6.1 guest once
		// spun in two gbt threads for 425 s under CI, until QEMU was
		// killed) panics the guest after ~20 s, so the run goes on in a
		// fresh boot (RunRebooting) and the console shows where it was
		// stuck: loglevel=5 instead of quiet lets the lockup's registers
		// and every CPU's backtrace (printed at the default level) out.
		"-append", "console=ttyS0 loglevel=5 panic=-1 oops=panic softlockup_panic=1 softlockup_all_cpu_backtrace=1 no_timer_check",
		"-serial", "stdio",
		"-virtfs", "local,path=/,mount_tag=" + RootTag + ",security_model=none,readonly=on,multidevs=remap",
		"-virtfs", "local,path=" + xfer + ",mount_tag=" + XferTag + ",security_model=none,multidevs=remap",
	}
	if os.Getenv("GBT_VMTEST_KVM") == "1" {
		args = append(args, "-accel", "kvm")
	} else {
		// One host thread runs both vCPUs in turn. With a thread each
		// (MTTCG), a vCPU could run code translated before the other
		// patched it: the kernel's own text patching (static keys,
		// trampolines) then hit a stale int3, an oops that killed the
		// 7.2 guest four boots in a row at one job (kfunc_probe_names,
		// in trace_syscall_exit) and others now and then; with one vCPU
		// the oops never came (README, "Testing on other kernels").
		args = append(args, "-accel", "tcg,thread=single")
	}
	cmd := exec.CommandContext(ctx, QEMU, args...)
	var console lockedBuffer
	var out io.Writer = &console
	if m.Console != nil {
		out = io.MultiWriter(&console, m.Console)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	t0 := time.Now()
	runErr := cmd.Run()
	run := &Run{Results: map[string]Result{}, Console: console.String(), Elapsed: time.Since(t0)}
	var missing []string
	for _, j := range jobs {
		r, ok, err := readResult(xfer, j.Name)
		if err != nil {
			return run, err
		}
		if !ok {
			missing = append(missing, j.Name)
			continue
		}
		run.Results[j.Name] = r
	}
	switch {
	case ctx.Err() != nil:
		return run, fmt.Errorf("%s killed after %v; jobs without a result: %v\nconsole tail:\n%s", QEMU, timeout, missing, consoleExcerpt(run.Console))
	case runErr != nil:
		return run, fmt.Errorf("%s: %w\nconsole tail:\n%s", QEMU, runErr, consoleExcerpt(run.Console))
	case len(missing) > 0:
		if started(xfer, missing[0]) {
			run.Died = missing[0]
		}
		return run, &GuestDiedError{Job: run.Died, Missing: missing, ConsoleTail: consoleExcerpt(run.Console)}
	}
	return run, nil
}

// MaxBoots is how many times RunRebooting boots a guest for one list of
// jobs: enough for a job that kills it each time (two boots) and a death
// at random.
const MaxBoots = 4

// RunRebooting runs jobs as Run does and, when the guest dies during a
// job, boots it again for the jobs without a result, up to MaxBoots boots
// in all (a kernel under TCG on a loaded host has died at random, once in
// many boots: the 6.12 guest twice in six CI runs). A job that was
// running at two deaths is not run again: it fails, without a result,
// and the others go on; a death before the guest started a job (while
// booting) counts against none. It returns the results of every boot, the error
// of each death, and the error of the run that ended it.
func (m *Machine) RunRebooting(ctx context.Context, xfer string, jobs []Job) (run *Run, deaths []*GuestDiedError, err error) {
	return runRebooting(jobs, func(js []Job) (*Run, error) { return m.Run(ctx, xfer, js) })
}

// runRebooting is RunRebooting over boot, which boots a guest for the
// jobs given and returns what Run returns.
func runRebooting(jobs []Job, boot func([]Job) (*Run, error)) (run *Run, deaths []*GuestDiedError, err error) {
	run, err = boot(jobs)
	killed := map[string]int{}
	for boots := 1; boots < MaxBoots; boots++ {
		var died *GuestDiedError
		if !errors.As(err, &died) {
			break
		}
		deaths = append(deaths, died)
		if died.Job != "" {
			killed[died.Job]++
		}
		var left []Job
		for _, j := range jobs {
			if _, ok := run.Results[j.Name]; !ok && killed[j.Name] < 2 {
				left = append(left, j)
			}
		}
		if len(left) == 0 {
			break
		}
		var again *Run
		again, err = boot(left)
		if again != nil {
			for name, r := range again.Results {
				run.Results[name] = r
			}
			run.Console += again.Console
			run.Elapsed += again.Elapsed
			run.Died = again.Died
		}
	}
	var died *GuestDiedError
	if errors.As(err, &died) && (len(deaths) == 0 || deaths[len(deaths)-1] != died) {
		deaths = append(deaths, died)
	}
	return run, deaths, err
}

// Available reports why QEMU cannot run here, or nil when it can.
func Available() error {
	if _, err := exec.LookPath(QEMU); err != nil {
		return fmt.Errorf("%s is not installed (apt-get install qemu-system-x86): %w", QEMU, err)
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return errors.New(tool + " is not installed; vmtest fetches Debian's kernel packages with it")
		}
	}
	return nil
}

// kernelReport marks the first line of a kernel's report of trouble on
// the console: a panic, an oops, a lockup, an RCU stall, a warning.
var kernelReport = regexp.MustCompile(`(?m)^.*(Kernel panic|BUG:|Oops|watchdog:|rcu: INFO|WARNING: CPU|general protection fault)`)

// consoleExcerpt is what an error shows of a console: the kernel's first
// report of trouble (up to 150 lines from its start) when there is one,
// and the last 30 lines.
func consoleExcerpt(console string) string {
	end := tail(console, 30)
	loc := kernelReport.FindStringIndex(console)
	if loc == nil {
		return end
	}
	report := console[loc[0]:]
	if len(report) <= len(end) {
		return end // the report is in the tail
	}
	return head(report, 150) + "[...]\n" + end
}

// head is the first lines of s.
func head(s string, lines int) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			if lines--; lines == 0 {
				return s[:i+1]
			}
		}
	}
	return s
}

func tail(s string, lines int) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if lines--; lines < 0 {
				return string(b[i+1:])
			}
		}
	}
	return s
}

// lockedBuffer is a bytes.Buffer that QEMU's stdout and stderr copiers
// can write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
