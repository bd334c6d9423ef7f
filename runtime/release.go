package runtime

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Releasing tracepoints is slow and serial in the kernel: the last close
// of a tracepoint's perf event unregisters it and waits for RCU grace
// periods under the global event_mutex (20-30 ms a tracepoint here, 8 s
// for the 360 of syscalls:sys_enter_*), and closing them concurrently
// does not overlap that wait. Only the last reference pays it, so once
// the programs are detached and the output is complete, gbt hands its
// perf events to a helper process, closes its own references (quick) and
// exits; the helper drops the last ones when gbt is gone and takes the
// kernel's time off the user's wait.

// ReleaseEnv, set in a process's environment, makes ServeRelease hold the
// files the process inherited until its stdin closes.
const ReleaseEnv = "GBT_RELEASE_INHERITED_FILES"

// minBackgroundRelease is the number of perf events from which a session
// hands them to a helper (Options.ReleaseHelper): fewer are released in
// well under a second, less than starting the helper is worth.
const minBackgroundRelease = 8

// ServeRelease makes the process a release helper when its environment
// asks for it: it waits until its stdin is closed (the gbt that started
// it has dropped its own references to the files it inherited) and
// returns true; the caller then exits, and the kernel releases the
// inherited perf events as the helper exits, with nobody waiting. It
// returns false at once in any other process. A program that names
// itself as Options.ReleaseHelper calls it first thing in main.
func ServeRelease() bool {
	if os.Getenv(ReleaseEnv) == "" {
		return false
	}
	io.Copy(io.Discard, os.Stdin) // returns at EOF: the parent closed the pipe
	return true
}

// handOff starts helper with copies of the fds as inherited files. The
// caller then closes the fds, which releases nothing in the kernel as the
// helper holds the last copies, and calls release: the helper then closes
// them (exits) whenever the kernel lets it. On error nothing was started.
func handOff(helper string, fds []int) (cmd *exec.Cmd, release func(), err error) {
	files := make([]*os.File, 0, len(fds))
	defer func() { closeAll(files, func(f *os.File) { f.Close() }) }()
	for _, fd := range fds {
		if fd < 0 {
			continue // unwatch() closed it
		}
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("release helper: dup perf event: %w", err)
		}
		files = append(files, os.NewFile(uintptr(dup), "perf_event"))
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("release helper pipe: %w", err)
	}
	cmd = exec.Command(helper)
	cmd.Env = []string{ReleaseEnv + "=1"}
	cmd.Stdin = r // stdout and stderr are /dev/null: no pipe of ours stays open
	cmd.ExtraFiles = files
	// Its own process group: a second Ctrl-C on the terminal is for gbt.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("start release helper %s: %w", helper, err)
	}
	// Closing w ends the helper's wait; were gbt killed before release,
	// its exit would close w as well.
	return cmd, func() { w.Close() }, nil
}

// releaseInBackground hands the fds to helper and closes them; see handOff.
// On error the fds are still open. With atExit, the helper drops them
// when this process exits, not before: the links closed through io_uring
// drop their references to the perf events in the ring's workers after
// their completions are in, and with the helper gone by then, the last
// ones would be theirs, whose serial release this process's exit waits
// for (6-9 s for the 360 of syscalls:sys_enter_*, against 0.1 s). A
// process that goes on (the REPL) has the helper drop them at once, and
// the workers' releases run behind it.
func releaseInBackground(helper string, fds []int, atExit bool) error {
	cmd, release, err := handOff(helper, fds)
	if err != nil {
		return err
	}
	closeAll(fds, closeFD)
	if !atExit {
		release()
		go cmd.Wait() // reaps it when a longer-lived caller outlives it
		return nil
	}
	go func() {
		cmd.Wait() // returns once this process exits and closes the pipe
		release()  // holds the pipe's write end open till then
	}()
	return nil
}
