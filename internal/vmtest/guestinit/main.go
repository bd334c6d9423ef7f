//go:build linux

// Command guestinit is the init (PID 1) of a vmtest guest. It loads the
// modules the initramfs carries, mounts the host's root file system
// (virtio-9p, read-only) with the usual kernel file systems and a writable
// exchange directory, chroots there, brings the loopback interface up,
// runs the jobs the host wrote, writes each one's result back and powers
// the machine off. Progress lines on the console start with "vmtest:".
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbt-dev/gbt/internal/vmtest"
)

var start = time.Now()

func main() {
	err := run()
	if err != nil {
		logf("error: %v", err)
	}
	unix.Sync()
	logf("power off")
	_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	// Only reached when reboot failed: PID 1 exiting panics the kernel,
	// and panic=-1 then ends QEMU as well.
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stdout, "vmtest: [%6.2fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}

func run() error {
	if err := mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
		return err
	}
	if console, err := os.OpenFile("/dev/console", os.O_RDWR, 0); err == nil {
		for fd := 0; fd < 3; fd++ {
			_ = unix.Dup3(int(console.Fd()), fd, 0)
		}
	}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	logf("kernel %s", unix.ByteSliceToString(uts.Release[:]))
	if err := loadModules("/modules"); err != nil {
		return err
	}
	if err := mountHost("/mnt"); err != nil {
		return err
	}
	if err := unix.Chroot("/mnt"); err != nil {
		return fmt.Errorf("chroot /mnt: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := loopbackUp(); err != nil {
		return err
	}
	_ = unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY})
	jobs, err := vmtest.ReadJobs(vmtest.GuestXferDir)
	if err != nil {
		return err
	}
	if err := copyTree(filepath.Join(vmtest.GuestXferDir, vmtest.XferBin), vmtest.GuestBinDir); err != nil {
		return err
	}
	logf("running %d jobs", len(jobs))
	for _, j := range jobs {
		if err := vmtest.MarkStarted(vmtest.GuestXferDir, j.Name); err != nil {
			return err
		}
		unix.Sync()
		r := runJob(j)
		logf("job %s: exit %d in %.2fs", j.Name, r.ExitCode, r.Elapsed.Seconds())
		if err := vmtest.WriteResult(vmtest.GuestXferDir, j.Name, r); err != nil {
			return err
		}
	}
	logf("done")
	return nil
}

func mount(source, target, fstype string, flags uintptr, data string) error {
	if err := os.MkdirAll(target, 0o755); err != nil && !errors.Is(err, unix.EROFS) {
		return fmt.Errorf("mkdir %s: %w", target, err)
	}
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s (%s): %w", source, target, fstype, err)
	}
	return nil
}

// loadModules loads the modules dir/order lists, in that order. A module
// that does not load is reported on the console and the others go on:
// without the 9p ones the mount fails next and says so; without a
// workload's (zram, xfs) only the cases that need it fail.
func loadModules(dir string) error {
	order, err := os.ReadFile(filepath.Join(dir, "order"))
	if err != nil {
		return err
	}
	for _, name := range strings.Fields(string(order)) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = unix.FinitModule(int(f.Fd()), "", 0)
		f.Close()
		if err != nil && !errors.Is(err, unix.EEXIST) {
			logf("load module %s: %v", name, err)
		}
	}
	return nil
}

// mountHost mounts the host's root read-only at root, the kernel file
// systems and tmpfs /tmp and /run inside it, and the exchange directory
// at root/run/vmtest.
func mountHost(root string) error {
	const opts9p = "trans=virtio,version=9p2000.L,msize=262144"
	if err := mount(vmtest.RootTag, root, "9p", unix.MS_RDONLY, opts9p+",cache=loose"); err != nil {
		return err
	}
	mounts := []struct{ source, target, fstype, data string }{
		{"proc", "/proc", "proc", ""},
		{"sysfs", "/sys", "sysfs", ""},
		{"devtmpfs", "/dev", "devtmpfs", ""},
		{"tmpfs", "/tmp", "tmpfs", "mode=1777"},
		{"tmpfs", "/run", "tmpfs", "mode=755"},
		{"tracefs", "/sys/kernel/tracing", "tracefs", ""},
		{"debugfs", "/sys/kernel/debug", "debugfs", ""},
		{"bpffs", "/sys/fs/bpf", "bpf", ""},
		{vmtest.XferTag, vmtest.GuestXferDir, "9p", opts9p},
	}
	for _, m := range mounts {
		if err := mount(m.source, root+m.target, m.fstype, 0, m.data); err != nil {
			return err
		}
	}
	// devtmpfs has no /dev/fd or std links; tools open /dev/fd/N.
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, root+"/dev/"+name); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// loopbackUp brings the loopback interface up, as a machine's init does:
// network workloads (gbtwork tcp6 and udp) talk to themselves over it.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: get flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: set it up: %w", err)
	}
	return nil
}

// copyTree copies the files under src (if it exists) to dst, keeping
// their modes.
func copyTree(src, dst string) error {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// runJob runs one job in its own process group, killed with the group at
// its timeout.
func runJob(j vmtest.Job) vmtest.Result {
	timeout := j.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, j.Argv[0], j.Argv[1:]...)
	cmd.Env = j.Env
	if len(cmd.Env) == 0 {
		cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=dumb"}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return unix.Kill(-cmd.Process.Pid, unix.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	t0 := time.Now()
	err := cmd.Run()
	r := vmtest.Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: -1, Elapsed: time.Since(t0)}
	if cmd.ProcessState != nil {
		r.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		r.TimedOut = true
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		r.Error = err.Error()
	}
	return r
}
