// Command gbtwork is the deterministic workload of gbt's end-to-end tests and
// benchmarks: it makes an exact number of system calls so that a trace of it
// can be checked for exact counts.
//
//	gbtwork open N PATH     open and close PATH N times (openat syscalls)
//	gbtwork open-each-cpu N PATH  open and close PATH N times on each CPU it may run on
//	gbtwork exec N PROG [ARG...]  run PROG with ARGs N times, one after another
//	gbtwork sleep MS        sleep MS milliseconds
//	gbtwork nanosleep N MS  sleep MS milliseconds N times with nanosleep(2)
//	gbtwork write N         write N one-byte records to /dev/null
//	gbtwork kill N          send signal 0 to itself N times (kill syscalls)
//	gbtwork stat N PATH     stat PATH N times (newfstatat syscalls)
//	gbtwork statx N PATH    statx PATH N times (statx syscalls)
//	gbtwork fsync N PATH    write 4 KiB to PATH and fsync it, N times
//	gbtwork tcp6 N          connect to itself over [::1] N times, one after another
//	gbtwork udp N           send itself N datagrams of 9 bytes ("gbtwork 0", "gbtwork 1"...)
//	                        over 127.0.0.1, reading each
//	gbtwork unix N          the same over a pair of UNIX datagram sockets
//	gbtwork synretrans PORT listen on 127.0.0.1:PORT with a full accept queue and connect
//	                        to it from 127.0.0.1:PORT+1, until the kernel has retransmitted
//	                        that SYN once (about 1 s)
//	gbtwork alloc MB        allocate MB MiB and write to each page (an OOM kill in a
//	                        memory cgroup limited to less)
//	gbtwork swapin MB       allocate MB MiB, write to each page, have its memory cgroup
//	                        reclaimed (to swap) and read each page back
//	gbtwork burn MS         use MS milliseconds of CPU time (however long that takes
//	                        on a busy machine), in main.burnHot (three rounds in
//	                        four) and main.burnWarm, both called from main.burn
//	                        (flame graph tests profile it)
//
// With -pid first (gbtwork -pid open 3 /dev/null) it prints "gbtwork: pid
// PID" on stdout before anything else.
//
// With -hold before the workload (gbtwork -hold open 10 /dev/null) it
// starts, prints "gbtwork: held" on stdout, then waits for a byte on stdin
// before doing anything: a test starts it held, waits for that line (the Go
// runtime's start-up syscalls are then over), gives its pid to the tracer
// (scripts filter on pid == PID), and releases it once the tracer has
// attached.
//
// When the workload is done it calls getpgid(0) exactly once: scripts end
// themselves with `tracepoint:syscalls:sys_enter_getpgid /pid == PID/ { exit(); }`
// (process exit is no good marker: the Go runtime forks short-lived helpers).
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "-pid" {
		args = args[1:]
		fmt.Println(pidLine, os.Getpid())
	}
	if len(args) > 0 && args[0] == "-hold" {
		args = args[1:]
		if err := hold(); err != nil {
			fmt.Fprintln(os.Stderr, "gbtwork:", err)
			os.Exit(1)
		}
	}
	if err := run(args); err != nil {
		fmt.Fprintln(os.Stderr, "gbtwork:", err)
		os.Exit(1)
	}
	unix.Getpgid(0) // the "done" marker traced by test scripts
}

// pidLine starts the line gbtwork -pid prints first, with its pid: tests
// that trace the whole system pick the workload's lines by it.
const pidLine = "gbtwork: pid"

// held is the line gbtwork -hold prints once it waits for the go-ahead.
const held = "gbtwork: held"

// hold says it is held, then waits until one byte arrives on stdin: the
// test's go-ahead.
func hold() error {
	if _, err := fmt.Println(held); err != nil {
		return err
	}
	if _, err := os.Stdin.Read(make([]byte, 1)); err != nil {
		return fmt.Errorf("-hold: waiting for the go-ahead on stdin: %w", err)
	}
	// The Go runtime's monitor takes a goroutine back from a long read(2)
	// for one that has run all that time and soon asks it to yield, which
	// it does at the next function entry, then runs that entry again: a
	// uprobe on main.run would count it twice. Yielding here, and being
	// scheduled afresh, answers any such request before run is called.
	runtime.Gosched()
	return nil
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: gbtwork [-hold] open N PATH | exec N PROG | sleep MS | nanosleep N MS | write N | kill N | stat N PATH | statx N PATH | fsync N PATH | setuid N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		return fmt.Errorf("bad count %q", args[1])
	}
	switch args[0] {
	case "open":
		if len(args) < 3 {
			return fmt.Errorf("open needs a path")
		}
		for i := 0; i < n; i++ {
			// unix.Open issues exactly one openat(2); os.Open may retry on EINTR.
			fd, err := unix.Open(args[2], unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("open %s: %w", args[2], err)
			}
			unix.Close(fd)
		}
	case "open-each-cpu":
		if len(args) < 3 {
			return fmt.Errorf("open-each-cpu needs a path")
		}
		return openEachCPU(n, args[2])
	case "exec":
		if len(args) < 3 {
			return fmt.Errorf("exec needs a program")
		}
		for i := 0; i < n; i++ {
			if err := exec.Command(args[2], args[3:]...).Run(); err != nil {
				return fmt.Errorf("run %s: %w", args[2], err)
			}
		}
	case "sleep":
		time.Sleep(time.Duration(n) * time.Millisecond)
	case "nanosleep":
		if len(args) < 3 {
			return fmt.Errorf("nanosleep needs milliseconds")
		}
		ms, err := strconv.Atoi(args[2])
		if err != nil || ms < 0 {
			return fmt.Errorf("bad milliseconds %q", args[2])
		}
		return nanosleeps(n, time.Duration(ms)*time.Millisecond)
	case "write":
		fd, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		b := []byte{'x'}
		for i := 0; i < n; i++ {
			if _, err := unix.Write(fd, b); err != nil {
				return err
			}
		}
	case "kill":
		return kills(n)
	case "stat":
		if len(args) < 3 {
			return fmt.Errorf("stat needs a path")
		}
		stats(n, args[2])
	case "statx":
		if len(args) < 3 {
			return fmt.Errorf("statx needs a path")
		}
		statxs(n, args[2])
	case "tcp6":
		return tcp6(n)
	case "udp":
		return udps(n)
	case "unix":
		return unixDgrams(n)
	case "synretrans":
		return synRetrans(n)
	case "alloc":
		alloc(n)
	case "swapin":
		return swapin(n)
	case "burn":
		burnOnOtherThread(time.Duration(n) * time.Millisecond)
	case "setuid":
		return setuids(n)
	case "fsync":
		if len(args) < 3 {
			return fmt.Errorf("fsync needs a path")
		}
		return fsyncs(n, args[2])
	default:
		return fmt.Errorf("unknown workload %q", args[0])
	}
	return nil
}

// The workloads below live in their own functions to keep run's frame
// small: a uprobe test counts calls of main.run, and a frame that needs the
// goroutine stack to grow makes Go re-enter the function from its start
// (after runtime.morestack), which a uprobe at the entry sees twice.

// burnSink keeps the burn loops' results alive.
var burnSink uint64

// burnOnOtherThread burns on an OS thread other than the main one (whose
// id is the pid): a profile of the process by -p must sample every thread.
func burnOnOtherThread(d time.Duration) {
	runtime.LockOSThread() // the main goroutine keeps the main thread
	defer runtime.UnlockOSThread()
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		burn(d)
		close(done)
	}()
	<-done
}

// burn spins until the process has used d of CPU time, three rounds in
// burnHot to one in burnWarm: a profile's samples follow CPU time, so
// their number does not depend on how busy the machine is.
//
//go:noinline
func burn(d time.Duration) {
	for i := 0; i%64 != 0 || cpuTime() < d; i++ {
		if i%4 == 3 {
			burnSink += burnWarm(1 << 16)
		} else {
			burnSink += burnHot(1 << 16)
		}
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

//go:noinline
func burnHot(n int) uint64 {
	x := burnSink
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	return x
}

//go:noinline
func burnWarm(n int) uint64 {
	x := burnSink
	for i := range n {
		x = x*2862933555777941757 + uint64(i)
	}
	return x
}

func kills(n int) error {
	for i := 0; i < n; i++ {
		if err := unix.Kill(unix.Getpid(), 0); err != nil {
			return fmt.Errorf("kill: %w", err)
		}
	}
	return nil
}

// nanosleeps calls nanosleep(2) itself: the Go runtime sleeps with futexes
// and epoll.
func nanosleeps(n int, d time.Duration) error {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for i := 0; i < n; i++ {
		if err := unix.Nanosleep(&ts, nil); err != nil {
			return fmt.Errorf("nanosleep: %w", err)
		}
	}
	return nil
}

func statxs(n int, path string) {
	var st unix.Statx_t
	for i := 0; i < n; i++ {
		unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_BASIC_STATS, &st) // ENOENT is a valid workload
	}
}

func stats(n int, path string) {
	var st unix.Stat_t
	for i := 0; i < n; i++ {
		unix.Stat(path, &st) // a missing path is a valid workload: ENOENT
	}
}

func fsyncs(n int, path string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	page := make([]byte, 4096)
	for i := 0; i < n; i++ {
		if _, err := unix.Pwrite(fd, page, int64(i)*4096); err != nil {
			return err
		}
		if err := unix.Fsync(fd); err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
	}
	return nil
}

// setuids calls setuid(0), setresuid(-1, 0, -1) and setfsuid(0) n times
// each, as raw system calls on one thread (Go's syscall.Setuid makes every
// thread of the process call it), keeping root's ids.
func setuids(n int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	keep := ^uintptr(0) // -1: leave that id as it is
	for i := 0; i < n; i++ {
		if _, _, e := unix.RawSyscall(unix.SYS_SETUID, 0, 0, 0); e != 0 {
			return fmt.Errorf("setuid(0): %w", e)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, keep, 0, keep); e != 0 {
			return fmt.Errorf("setresuid(-1, 0, -1): %w", e)
		}
		unix.RawSyscall(unix.SYS_SETFSUID, 0, 0, 0) // returns the previous fsuid, never an error
	}
	return nil
}

// tcp6 accepts and closes n connections to a listener on [::1].
// udps sends itself n datagrams over the IPv4 loopback and reads them.
func udps(n int) error {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 64)
	for i := 0; i < n; i++ {
		if _, err := c.WriteToUDP([]byte(fmt.Sprintf("gbtwork %d", i%10)), c.LocalAddr().(*net.UDPAddr)); err != nil {
			return err
		}
		if _, _, err := c.ReadFromUDP(buf); err != nil {
			return err
		}
	}
	return nil
}

func tcp6(n int) error {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp6", ln.Addr().String())
		if err != nil {
			return err
		}
		s, err := ln.Accept()
		if err != nil {
			return err
		}
		c.Close()
		s.Close()
	}
	return nil
}
