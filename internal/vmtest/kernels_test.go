//go:build vmtest

package vmtest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/vmtest"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/pcap"
)

// The suites whose kernels the tests boot: $GBT_VMTEST_SUITES
// (space-separated), else Debian 12's 6.1, Debian 13's 6.12 and sid's
// newest.
func suites() []string {
	if s := strings.Fields(os.Getenv("GBT_VMTEST_SUITES")); len(s) > 0 {
		return s
	}
	return []string{"bookworm", "trixie", "sid"}
}

// withBpftrace reports whether TestKernels runs bpftrace 0.17 beside gbt
// in the guest of suite: in those $GBT_VMTEST_BPFTRACE names ("all": every
// one), else in bookworm's only. bpftrace's start-up (LLVM) is most of a
// guest's time under TCG: with it on every kernel the matrix takes ~13
// minutes on two cores, over CI's ten.
func withBpftrace(suite string) bool {
	v, ok := os.LookupEnv("GBT_VMTEST_BPFTRACE")
	if !ok {
		v = "bookworm"
	}
	for _, s := range strings.Fields(v) {
		if s == suite || s == "all" {
			return true
		}
	}
	return false
}

// A kcase is one gbt run in the guest and what it must print.
type kcase struct {
	name string
	args []string // gbt's arguments
	// argsOn, when it has the suite, are the arguments in that suite's
	// kernel (an offset into a function that its build moves).
	argsOn map[string][]string
	// want is gbt's exact standard output, less its "Attaching" line;
	// wantRE, when set, must match it instead.
	want   string
	wantRE string
	// pick, when set, is a regular expression that picks the lines
	// wantRE checks, joined by newlines (tools that trace the whole
	// system print other processes' lines too). @PID@ in pick and
	// wantRE is the workload's pid, which `gbtwork -pid` prints first;
	// that line is left out of what is checked.
	pick string
	// wantOn, when it has the suite, is the want of that suite's kernel.
	wantOn map[string]string
	// wantErr, when set, is a line (or lines) gbt must print on stderr, exiting
	// non-zero (a program the kernel refuses).
	wantErr string
	// wantErrRE, when set, must match gbt's stderr instead, exiting
	// non-zero (a size the kernel's build decides).
	wantErrRE string
	// bpftrace, when set, runs bpftrace 0.17 with the same arguments in
	// the same guest, and gbt's output must equal its too.
	bpftrace bool
	// skip, when set, says which lines of bpftrace's output gbt leaves
	// out on purpose.
	skip func(line string) bool
	// wideKeyStacks, when set, reads bpftrace 0.17's stack frames in map
	// keys (indented by 4) as the newest bpftrace and gbt print them
	// (by 8).
	wideKeyStacks bool
	// sh, when set, is a shell command the guest runs instead of gbt
	// with args, @GBT@ in it naming gbt's guest path.
	sh string
	// skipOn names the suites whose kernels lack what the case needs,
	// and why: the case is not run there.
	skipOn map[string]string
	// files, when set, checks the files gbt wrote in the exchange
	// directory (the guest's GuestXferDir), after the guest has run.
	files func(t *testing.T, xfer string)
}

// cat's open of a missing file and sleep's nanosleep make the traced
// functions run a known number of times. gbt starts each workload (-c)
// and selects it by pid; bpftrace prints two empty lines at exit, as gbt
// does.
const (
	catMissing = "/bin/cat /nonexistent-vmtest"
	sleep      = "/bin/sleep 0.1"
	headPasswd = "/usr/bin/head -c 0 /etc/passwd"
	testPasswd = "/usr/bin/test -s /etc/passwd"
	// gbtwork is the end-to-end tests' workload (internal/cmd/gbtwork),
	// copied into the guest's memory.
	gbtwork = vmtest.GuestBinDir + "/gbtwork"
	// usdtwork is a C workload (internal/usdtwork): each of its N rounds
	// gives fresh() a new address, which fresh writes.
	usdtwork = vmtest.GuestBinDir + "/usdtwork"
)

var kcases = []kcase{
	{
		// runtime's TestKernelRandomScripts with kprobes, kretprobes,
		// fentry and fexit: 40 random scripts, each must compile and
		// load (the host has neither kind to try them on).
		name:   "random_scripts",
		sh:     "GBT_RANDOM_PROBES=kernel GBT_RANDOM_SCRIPTS=40 " + vmtest.GuestBinDir + "/runtime.test -test.v -test.run '^TestKernelRandomScripts$' 2>&1",
		wantRE: `(?m)^--- PASS: TestKernelRandomScripts `,
	},
	{
		// The same with the host's probe kinds (tracepoints,
		// raw_syscalls on the raw tracepoint sys_enter, uprobes,
		// profile...): this kernel's verifier, not the host's, takes
		// them.
		name:   "random_scripts_host_kinds",
		sh:     "GBT_RANDOM_SCRIPTS=30 " + vmtest.GuestBinDir + "/runtime.test -test.v -test.run '^TestKernelRandomScripts$' 2>&1",
		wantRE: `(?m)^--- PASS: TestKernelRandomScripts `,
	},
	{
		// strlen() looks for the NUL eight bytes at a time at a
		// variable offset of the frame, and printf copies comm from
		// the task where it lies: each guest's verifier takes both
		// (cmd/gbt's TestE2E has the same strings on the host).
		name: "strlen_words_comm_in_place",
		args: []string{"-e", `BEGIN { @s[0] = ""; @s[1] = "\x80"; @s[2] = "abcdefg"; @s[3] = "abcdefgh"; @s[4] = "\xff\xfe\x01\x80\x7f~ab\x01\x01\x01"; @s[5] = "éééééééééé";
			@s[6] = "` + strings.Repeat("x", 60) + `"; @s[7] = "` + strings.Repeat(`\x01`, 63) + `";
			printf("%d %d %d %d %d %d %d %d %s\n", strlen(@s[0]), strlen(@s[1]), strlen(@s[2]), strlen(@s[3]), strlen(@s[4]), strlen(@s[5]), strlen(@s[6]), strlen(@s[7]), comm); clear(@s); exit(); }`},
		want: "0 1 7 8 11 20 60 63 gbt\n\n\n",
	},
	{
		// strstr() and strcontains() of needles known only when the
		// probe runs: by the kernel's bpf_strnstr in 7.2, by gbt's loops
		// in 6.1 and 6.12, which lack it; the same output in each
		// (cmd/gbt's TestE2E has the same script, both ways, on the host).
		name: "strstr_run_time_needles",
		args: []string{"-e", `BEGIN { $h = "hello world"; $a = "hello"; $b = "world"; $c = "o w"; $d = "xyz"; $e = ""; $f = "hello world and more"; $g = "d";
			@h = "abcabc"; $i = "cab";
			printf("%d %d %d %d %d %d %d %d\n", strstr($h, $a), strstr($h, $b), strstr($h, $c), strstr($h, $d), strstr($h, $e), strstr($h, $f), strstr($h, $g), strstr(@h, $i));
			printf("%d %d %d %d %d %d %d %d\n", strcontains($h, $a), strcontains($h, $b), strcontains($h, $c), strcontains($h, $d), strcontains($h, $e), strcontains($h, $f), strcontains($h, $g), strcontains(@h, $i));
			delete(@h); exit(); }`},
		want: "0 6 4 -1 0 -1 10 2\n1 1 1 0 1 0 1 1\n\n\n",
	},
	{
		// The emulated CPU delivers hardware breakpoints (this
		// machine's does not): one hit per call, each at its own
		// address, set while the caller is stopped.
		name:     "watchpoint_arg",
		args:     []string{"-e", `watchpoint:fresh+arg0:8:w { @ = count(); }`, "-c", usdtwork + " 3"},
		want:     "\n\n@: 3\n",
		bpftrace: true,
	},
	{
		// x86-64 has 4 debug registers: of 6 addresses, 2 find none.
		name:     "watchpoint_arg_registers",
		args:     []string{"-e", `watchpoint:fresh+arg0:8:w { @ = count(); }`, "-c", usdtwork + " 6"},
		want:     strings.Repeat("Failed to attach watchpoint probe. You are out of watchpoint registers.\n", 2) + "\n\n@: 4\n",
		bpftrace: true,
	},
	{
		name:     "kprobe_function",
		args:     []string{"-e", `kprobe:do_nanosleep /pid == cpid/ { printf("%s %s\n", probe, comm); }`, "-c", sleep},
		want:     "kprobe:do_nanosleep sleep\n\n\n",
		bpftrace: true,
	},
	{
		name: "kprobe_args",
		args: []string{"-e", `kprobe:do_sys_openat2 /pid == cpid && str(uptr(arg1)) == "/nonexistent-vmtest"/ { printf("%d %s\n", arg0, str(uptr(arg1))); }`, "-c", catMissing},
		want: "-100 /nonexistent-vmtest\n\n\n",
	},
	{
		// do_sys_openat2 returns long in 6.1 and int in the newest
		// kernels (its -2 is then 0xfffffffe in rax): a kretprobe has no
		// return type, the script says which bits hold the value.
		name:     "kretprobe_retval",
		args:     []string{"-e", `kretprobe:do_sys_openat2 /pid == cpid && (int32)retval < 0/ { printf("%s %d\n", probe, (int32)retval); }`, "-c", catMissing},
		want:     "kretprobe:do_sys_openat2 -2\n\n\n",
		bpftrace: true,
	},
	{
		name:     "kprobe_wildcard",
		args:     []string{"-e", `kprobe:do_sys_open* /pid == cpid/ { @[probe] = count(); }`, "-c", catMissing},
		want:     "\n\n@[kprobe:do_sys_openat2]: 3\n",
		bpftrace: true,
	},
	{
		// func in a wildcard: one kprobe_multi link where the kernel has
		// them (probed), one kprobe per function where not.
		name:     "kprobe_wildcard_func",
		args:     []string{"-e", `kprobe:do_sys_open* /pid == cpid/ { @[func] = count(); }`, "-c", catMissing},
		want:     "\n\n@[do_sys_openat2]: 3\n",
		bpftrace: true,
	},
	{
		// The links a wildcard makes: 6.1 has no kprobe_multi (no
		// CONFIG_FPROBE), the newer kernels do. cat opens the missing
		// file once (its other opens are the loader's).
		name:   "kprobe_multi_link",
		args:   []string{"--unsafe", "-e", `kprobe:do_sys_open* /pid == cpid && str(uptr(arg1)) == "/nonexistent-vmtest"/ { system("/usr/sbin/bpftool link show | grep -c kprobe_multi"); exit(); }`, "-c", catMissing},
		want:   "1\n\n\n",
		wantOn: map[string]string{"bookworm": "0\n\n\n"},
	},
	{
		name:          "kprobe_kstack",
		args:          []string{"-e", `kprobe:do_nanosleep /pid == cpid/ { @[kstack(3)] = count(); }`, "-c", sleep},
		wantRE:        `\A\n\n@\[\n {8}do_nanosleep\+\d+\n {8}hrtimer_nanosleep\+\d+\n {8}\S+\+\d+\n\]: 1\n+\z`,
		bpftrace:      true,
		wideKeyStacks: true,
	},
	{
		name: "kfunc_args",
		args: []string{"-e", `kfunc:do_sys_openat2 /pid == cpid && str(uptr(args->filename)) == "/nonexistent-vmtest"/ { printf("%s %d %s\n", probe, args->dfd, str(uptr(args->filename))); }`, "-c", catMissing},
		want: "fentry:vmlinux:do_sys_openat2 -100 /nonexistent-vmtest\n\n\n",
	},
	{
		// probe names a kfunc's function with its module, by the newest
		// bpftrace's kinds, and by 0.17's under GBT_COMPAT=0.17 (both
		// seen in the 7.2 guest: fexit:vmlinux:vfs_read,
		// kretfunc:vmlinux:vfs_read), a wildcard's points too.
		name: "kfunc_probe_names",
		sh:   `for c in newest 0.17; do GBT_COMPAT=$c @GBT@ -e 'kretfunc:do_sys_open* /pid == cpid && retval < 0/ { @[probe] = count(); } rawtracepoint:sys_exit /pid == cpid/ { @r[probe] = 1; }' -c '` + catMissing + `' 2>/dev/null; done`,
		want: "\n\n@[fexit:vmlinux:do_sys_openat2]: 1\n@r[rawtracepoint:vmlinux:sys_exit]: 1\n" +
			"\n\n@[kretfunc:vmlinux:do_sys_openat2]: 1\n@r[rawtracepoint:vmlinux:sys_exit]: 1\n",
	},
	{
		name:     "kretfunc_retval",
		args:     []string{"-e", `kretfunc:do_sys_openat2 /pid == cpid && retval < 0/ { printf("%d %d\n", args->dfd, retval); }`, "-c", catMissing},
		want:     "-100 -2\n\n\n",
		bpftrace: true,
	},
	{
		// vfs_fstatat returns int: retval is its low 32 bits, signed.
		// test stats the missing file once (the loader's fstatat calls
		// succeed).
		name:     "kretfunc_int_retval",
		args:     []string{"-e", `kretfunc:vfs_fstatat /pid == cpid && retval < 0/ { printf("%d\n", retval); }`, "-c", "/usr/bin/test -s /nonexistent-vmtest"},
		want:     "-2\n\n\n",
		bpftrace: true,
	},
	{
		name:     "list_kprobes",
		args:     []string{"-l", "kprobe:do_sys_open*"},
		want:     "kprobe:do_sys_open\nkprobe:do_sys_openat2\n",
		bpftrace: true,
	},
	{
		name:     "list_all_kprobes",
		args:     []string{"-l", "kprobe:*"},
		wantRE:   `\A(kprobe:\S+\n)+\z`,
		bpftrace: true,
		// The newest bpftrace's choice, not 0.17's (README, Differences).
		skip: func(line string) bool {
			return probe.UnsafeKernelFunction(strings.TrimSuffix(strings.TrimPrefix(line, "kprobe:"), "\n"))
		},
	},
	{
		// security_file_open is on the kernel's bpf_d_path allowlist
		// (filp_close is too, but close(2) no longer calls it in 6.12);
		// head opens /etc/passwd and reads nothing.
		name: "kfunc_path_field",
		args: []string{"-e", `kfunc:security_file_open /pid == cpid/ { $p = path(args->file->f_path); if (strcontains($p, "passwd")) { printf("%s\n", $p); } }`, "-c", headPasswd},
		// bpftrace 0.17 refuses this script: "the BPF stack limit of 512
		// bytes is exceeded".
		want: "/etc/passwd\n\n\n",
	},
	{
		// A struct path pointer argument, and a size: the path in 8
		// bytes (with its NUL), of which the kernel keeps the tail.
		// security_inode_getattr is on the allowlist (vfs_getattr is too,
		// but inlined into vfs_statx).
		name: "kfunc_path_pointer",
		args: []string{"-e", `kfunc:security_inode_getattr /pid == cpid/ { $p = path(args->path); if (strcontains($p, "passwd")) { printf("%s %s\n", $p, path(args->path, 8)); } }`, "-c", testPasswd},
		want: "/etc/passwd /passwd\n\n\n",
	},
	{
		// vfs_read is not on the allowlist: the verifier refuses the
		// helper, reported at the call.
		name:    "kfunc_path_refused",
		args:    []string{"-e", `kfunc:vfs_read { print(path(args->file->f_path)); }`},
		wantErr: "stdin:1:24-48: ERROR: helper bpf_d_path not allowed in probe",
	},
	{
		// Debian's kernels are built without CONFIG_BPF_KPROBE_OVERRIDE
		// (no CONFIG_FUNCTION_ERROR_INJECTION): kprobe programs may not
		// call bpf_override_return, reported at the call with override()'s
		// own hint.
		name: "kprobe_override_refused",
		args: []string{"--unsafe", "-e", `kprobe:__x64_sys_getpid { override(-1); }`},
		// 6.1's verifier does not know the helper; later ones refuse it
		// for kprobes.
		wantErrRE: `(?m)^stdin:1:27-39: ERROR: (helper bpf_override_return not allowed in probe|` +
			`this kernel has no helper bpf_override_return for the program of kprobe:__x64_sys_getpid \(probed: unknown func bpf_override_return#58\))\n` +
			`kprobe:__x64_sys_getpid \{ override\(-1\); \}\n {26}~{12}\n` +
			`HINT: override\(\) needs a kernel built with CONFIG_BPF_KPROBE_OVERRIDE \(and CONFIG_FUNCTION_ERROR_INJECTION\), on a function that allows error injection$`,
	},
	{
		// An offset past the function's end, refused in bpftrace's words
		// with the size from /proc/kallsyms (the suite's
		// kprobe_offset_fail_size; bpftrace 0.17 needs a vmlinux file for
		// the size and, without one, leaves the kernel to refuse it).
		name:      "kprobe_offset_outside",
		args:      []string{"-e", `kprobe:vfs_read+1000000 { printf("SUCCESS %d\n", pid); exit(); }`},
		wantErrRE: `(?m)^ERROR: Offset outside the function bounds \('vfs_read' size is \d+\)$`,
	},
	{
		// In bpftrace 0.17's words and span (its suite's
		// path_in_unsupported_kfunc): from the statement's start.
		name:    "kfunc_path_refused_compat",
		args:    []string{"--compat=0.17", "-e", `kfunc:vfs_read { print(path(args->file->f_path)); }`},
		wantErr: "stdin:1:18-48: ERROR: helper bpf_d_path not supported in probe",
	},
	{
		// percpu_kaddr needs the variable in /proc/kallsyms
		// (CONFIG_KALLSYMS_ALL, which Debian's kernels have and the
		// host's lacks). tests/runtime/call "percpu_kaddr this cpu".
		name: "percpu_kaddr_this_cpu",
		args: []string{"-e", `BEGIN { if (*percpu_kaddr("process_counts") == *percpu_kaddr("process_counts", cpu)) { printf("SUCCESS\n"); } exit(); }`},
		want: "SUCCESS\n\n\n",
	},
	{
		// tests/runtime/call "percpu_kaddr field access": a struct through
		// the pointer bpf_per_cpu_ptr gives, tested against NULL first;
		// CPU 1000 does not exist.
		name:   "percpu_kaddr_field",
		args:   []string{"-e", `BEGIN { $rq = (struct rq *)percpu_kaddr("runqueues", 0); if ($rq != 0) { printf("nr_running: %d %d\n", $rq->nr_running, $rq->cpu); } printf("%d\n", percpu_kaddr("runqueues", 1000) == 0); exit(); }`},
		wantRE: `^nr_running: \d+ 0\n1\n\n\n$`,
	},
	{
		name:     "kprobe_count",
		args:     []string{"-e", `kprobe:do_nanosleep /pid == cpid/ { @[comm] = count(); }`, "-c", sleep},
		want:     "\n\n@[sleep]: 1\n",
		bpftrace: true,
	},
	{
		// FUNCTION+OFFSET: the first instruction after the 5-byte ftrace
		// call, and in kernels built with IBT (6.12 and later here)
		// after the 4-byte endbr64 before it.
		name:     "kprobe_offset",
		args:     []string{"-e", `kprobe:do_nanosleep+9 /pid == cpid/ { printf("%s %s\n", probe, func); }`, "-c", sleep},
		argsOn:   map[string][]string{"bookworm": {"-e", `kprobe:do_nanosleep+5 /pid == cpid/ { printf("%s %s\n", probe, func); }`, "-c", sleep}},
		want:     "kprobe:do_nanosleep+9 do_nanosleep\n\n\n",
		wantOn:   map[string]string{"bookworm": "kprobe:do_nanosleep+5 do_nanosleep\n\n\n"},
		bpftrace: true,
	},
	{
		// kfuncs are listed as the newest bpftrace lists them (0.17:
		// kfunc:vfs_read).
		name: "list_kfuncs",
		args: []string{"-l", "kfunc:*vfs_read*"},
		want: "fentry:vmlinux:vfs_read\nfentry:vmlinux:vfs_readlink\nfentry:vmlinux:vfs_readv\n",
	},
	{
		// The parameters as the kernel's BTF declares them, as the
		// newest bpftrace lists them.
		name: "list_kfunc_params",
		args: []string{"-lv", "kfunc:vfs_read"},
		want: "fentry:vmlinux:vfs_read\n    struct file * file\n    char * buf\n    size_t count\n    loff_t * pos\n",
	},
	{
		// A uprobe and a uretprobe wildcard: one uprobe_multi link each
		// where the kernel has them (6.6 and later, probed), one uprobe
		// per function in 6.1; the same counts either way. sleep calls
		// nanosleep (__nanosleep is the same function), which calls
		// clock_nanosleep. system() runs under sh, whose $PPID is gbt.
		name:   "uprobe_multi_link",
		args:   []string{"--unsafe", "-e", uprobeMultiScript, "-c", sleep},
		want:   "2\n" + uprobeMultiMaps,
		wantOn: map[string]string{"bookworm": "0\n" + uprobeMultiMaps},
	},
	{
		// gbtwork connects to itself over [::1] once: its socket's cookie
		// is not 0, and the same when tcp_v6_connect returns.
		name:   "kfunc_socket_cookie",
		args:   []string{"-e", `kfunc:tcp_v6_connect /pid == cpid/ { @c = socket_cookie(args->sk); } kretfunc:tcp_v6_connect /pid == cpid/ { printf("%d %d\n", @c != 0, @c == socket_cookie(args->sk)); }`, "-c", gbtwork + " tcp6 1"},
		wantRE: `\A1 1\n\n\n@c: [1-9][0-9]*\n\z`,
	},
	{
		// Whether kprobe and kfunc programs may call a kfunc, as the
		// kernel answers a program of each type: bpf_task_from_pid is a
		// kfunc of tracing programs since 6.2 (6.1's BTF lacks it);
		// vfs_read is a function, no kfunc. The newest bpftrace printed
		// the same in the three guests but "kretfunc 1 1" (0 1 in 6.1):
		// it loads its fentry program without a target, which the kernel
		// refuses before it looks at the call.
		// The kretfunc is on hrtimer_nanosleep, not do_nanosleep with the
		// kprobe: 6.12's guest once died (a call through NULL in the
		// nanosleep path) with a kprobe and an fexit on one function.
		name:   "kfunc_allowed",
		args:   []string{"-e", `kprobe:do_nanosleep /pid == cpid/ { printf("kprobe %d %d\n", kfunc_allowed("bpf_task_from_pid"), kfunc_allowed("vfs_read")); } kretfunc:hrtimer_nanosleep /pid == cpid/ { printf("kretfunc %d %d\n", kfunc_allowed("bpf_task_from_pid"), kfunc_allowed("vfs_read")); }`, "-c", sleep},
		want:   "kprobe 0 0\nkretfunc 1 0\n\n\n",
		wantOn: map[string]string{"bookworm": "kprobe 0 0\nkretfunc 0 0\n\n\n"},
	},
	{
		// An iterator is read once and the run ends. PID 1 is the
		// guest's init (guestinit); the iterator's last call (no task)
		// prints nothing in either tool.
		name:     "iter_task",
		args:     []string{"-e", `iter:task /ctx->task->pid == 1/ { printf("%d %s\n", ctx->task->pid, ctx->task->comm); }`},
		want:     "1 init\n\n\n",
		bpftrace: true,
	},
	{
		// init's files 1 and 2 (the console); bpftrace skips fd 0 (its
		// iterator programs return when a context field read is 0).
		name:     "iter_task_file",
		args:     []string{"-e", `iter:task_file /ctx->task->pid == 1 && ctx->fd >= 1 && ctx->fd <= 2/ { printf("%d %d %d\n", ctx->task->pid, ctx->fd, ctx->file != 0); }`},
		want:     "1 1 1\n1 2 1\n\n\n",
		bpftrace: true,
	},
	{
		// path() of a file the iterator is at: init's stdout.
		name:     "iter_task_file_path",
		args:     []string{"-e", `iter:task_file /ctx->task->pid == 1 && ctx->fd == 1/ { printf("%s\n", path(ctx->file->f_path)); }`},
		want:     "/dev/console\n\n\n",
		bpftrace: true,
	},
	{
		// A pinned iterator: gbt pins it (mounting the BPF file system)
		// and ends; each read of the file runs the program, whose
		// printf the kernel formats (bpf_seq_printf).
		name: "iter_task_pinned",
		sh: `@GBT@ -q -e 'iter:task:gbt_vmtest /ctx->task->pid == 1/ { printf("%d %s|%-4s|%x\n", ctx->task->pid, ctx->task->comm, "ab", 255); }' &&
			cat /sys/fs/bpf/gbt_vmtest && cat /sys/fs/bpf/gbt_vmtest && rm /sys/fs/bpf/gbt_vmtest`,
		want: "Program pinned to /sys/fs/bpf/gbt_vmtest\n\n\n1 init|ab  |ff\n1 init|ab  |ff\n",
	},
	{
		// --test and --bench run their probes as XDP programs with the
		// kernel's BPF_PROG_TEST_RUN, which times repeated runs: a
		// failed test's output is shown; a bench repeats its block until
		// the runs take a millisecond. Under TCG a run of a short block
		// can take 100 µs when the guest stalls (10 iterations in one CI
		// run), so the count is not pinned here; cmd/gbt's host test
		// checks the growth.
		name: "test_and_bench_probes",
		sh: `@GBT@ --test -e 'test:ok { printf("hidden\n"); } test:bad { printf("x=%d\n", 1 + 1); return 1; }'; echo "rc=$?" &&
			@GBT@ --bench -e 'bench:count { @c = count(); }'`,
		wantRE: `^\[==========\] Running 2 tests\.
\[ RUN      \] ok
\[       OK \] ok \(\d+ (ns|μs|ms)\)
\[ RUN      \] bad
x=2
\[  FAILED  \] bad \(\d+ (ns|μs|ms)\)
\[==========\] 2 tests ran\.
\[  PASSED  \] 1 test\.
\[  FAILED  \] 1 test, listed below:
\[  FAILED  \] bad


rc=1
Benchmark {32}Time\(ns\) {7}Iterations
-{66}
count {36}\d+ +\d+


$`,
	},
	{
		// fentry and fexit on another running BPF program, found by the
		// BTF function name gbt gives its programs (bpftrace's names):
		// the second interval probe's, and the first's return value (0).
		name: "fentry_bpf_program",
		sh: `@GBT@ -e 'interval:ms:50 { @a = 1; } interval:ms:50 { @a = 2; } interval:s:60 { exit(); }' >/dev/null 2>&1 &
			for i in $(seq 100); do @GBT@ -l 'fentry:bpf:*' | grep -q interval_ms_50_2 && break; sleep 0.2; done
			@GBT@ -l 'fexit:bpf:interval_ms_50*' &&
			@GBT@ -e 'fentry:bpf:interval_ms_50_2 { printf("%s\n", probe); exit(); }' &&
			@GBT@ -e 'fexit:bpf:*:interval_ms_50_1 { printf("%s %d\n", probe, retval); exit(); }'; rc=$?; kill $!; exit $rc`,
		wantRE: `^fexit:bpf:(\d+):interval_ms_50_1
fexit:bpf:(\d+):interval_ms_50_2
fentry:bpf:\d+:interval_ms_50_2


fexit:bpf:\d+:interval_ms_50_1 0


$`,
	},
	{
		// gbtwork sends itself two UDP datagrams over 127.0.0.1: each
		// goes through __dev_queue_xmit with the loopback device's
		// Ethernet header first, which offset 14 leaves out of the pcap
		// file (in the exchange directory, read by the host).
		name:  "kfunc_skboutput",
		args:  []string{"-e", `kfunc:__dev_queue_xmit /pid == cpid/ { printf("%d\n", skboutput("` + vmtest.GuestXferDir + `/skb.pcap", args->skb, args->skb->len, 14)); }`, "-c", gbtwork + " udp 2"},
		want:  "0\n0\n\n\n",
		files: func(t *testing.T, xfer string) { checkUDPCapture(t, filepath.Join(xfer, "skb.pcap"), 2) },
	},
}

// checkUDPCapture checks that the pcap file at path holds the n
// datagrams of gbtwork udp, as raw IPv4 packets.
func checkUDPCapture(t *testing.T, path string, n int) {
	t.Helper()
	lt, pkts, err := pcap.ReadFile(path)
	if err != nil || lt != pcap.LinkTypeRaw || len(pkts) != n {
		t.Fatalf("%s: link type %d, %d packets, %v; want %d raw IP packets", path, lt, len(pkts), err, n)
	}
	// Each CPU has its own perf buffer, read one after the other: the
	// datagrams come in CPU order, not always in the order sent.
	last := func(p pcap.Packet) []byte { return p.Data[max(len(p.Data)-1, 0):] }
	slices.SortFunc(pkts, func(a, b pcap.Packet) int { return bytes.Compare(last(a), last(b)) })
	for i, p := range pkts {
		payload := fmt.Sprintf("gbtwork %d", i)
		if len(p.Data) != 28+len(payload) || p.Data[0] != 0x45 || p.Data[9] != 17 || !strings.HasSuffix(string(p.Data), payload) {
			t.Errorf("packet %d: %d bytes\n% x\nwant an IPv4 UDP packet (protocol 17) of %d bytes ending %q", i, len(p.Data), p.Data, 28+len(payload), payload)
		}
	}
}

// The script and maps of the uprobe_multi_link case.
const (
	libc              = "/usr/lib/x86_64-linux-gnu/libc.so.6"
	uprobeMultiScript = `uprobe:` + libc + `:*nanosleep /pid == cpid/ { @[probe] = count(); }
uretprobe:` + libc + `:*nanosleep { }
uprobe:` + libc + `:clock_nanosleep /pid == cpid/ { system("grep -h link_type /proc/$PPID/fdinfo/* 2>/dev/null | grep -c probe_multi"); exit(); }`
	uprobeMultiMaps = "\n\n@[uprobe:" + libc + ":__nanosleep]: 1\n@[uprobe:" + libc + ":clock_nanosleep]: 1\n@[uprobe:" + libc + ":nanosleep]: 1\n"
)

var attaching = regexp.MustCompile(`(?m)^Attaching \d+ probes?\.\.\.\n`)

func TestKernels(t *testing.T) {
	g := newGuestSetup(t, "test-kernels")
	gbt, bpftrace := g.gbt, g.bpftrace
	for _, suite := range suites() {
		t.Run(suite, func(t *testing.T) {
			k, initrd := g.kernel(t, suite)
			// The guest mounts tmpfs over /tmp and /run: a checkout there
			// (as CI's may be) is out of its sight, so gbt goes through the
			// exchange directory, and the guest runs it from its memory.
			xfer := t.TempDir()
			if err := os.Mkdir(filepath.Join(xfer, vmtest.XferBin), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := copyFile(gbt, filepath.Join(xfer, vmtest.XferBin, "gbt")); err != nil {
				t.Fatal(err)
			}
			if err := copyFile(g.work, filepath.Join(xfer, vmtest.XferBin, "gbtwork")); err != nil {
				t.Fatal(err)
			}
			if err := copyFile(g.usdtwork, filepath.Join(xfer, vmtest.XferBin, "usdtwork")); err != nil {
				t.Fatal(err)
			}
			if err := copyFile(g.runtimeTest, filepath.Join(xfer, vmtest.XferBin, "runtime.test")); err != nil {
				t.Fatal(err)
			}
			guestGbt := vmtest.GuestBinDir + "/gbt"
			var jobs []vmtest.Job
			cases := selectedCases(t)
			both := withBpftrace(suite)
			for _, c := range cases {
				if c.skipOn[suite] != "" {
					continue
				}
				argv := append([]string{guestGbt}, c.argsIn(suite)...)
				if c.sh != "" {
					argv = []string{"/bin/sh", "-c", strings.ReplaceAll(c.sh, "@GBT@", guestGbt)}
				}
				jobs = append(jobs, vmtest.Job{Name: "gbt." + c.name, Argv: argv, Timeout: 90 * time.Second})
				if c.bpftrace && both {
					jobs = append(jobs, vmtest.Job{Name: "bpftrace." + c.name, Argv: append([]string{bpftrace}, c.argsIn(suite)...), Timeout: 90 * time.Second})
				}
			}
			m := &vmtest.Machine{Kernel: k, Initramfs: initrd, Timeout: 12 * time.Minute}
			if os.Getenv("GBT_VMTEST_CONSOLE") == "1" {
				m.Console = os.Stderr
			}
			run, deaths, err := m.RunRebooting(context.Background(), xfer, jobs)
			for _, died := range deaths {
				msg := fmt.Sprintf("%s (%s): %v\nthe guest was booted again for the jobs left (at most %d boots)", suite, k.Release, died, vmtest.MaxBoots)
				t.Log(msg)
				guestDeaths = append(guestDeaths, msg)
			}
			if run != nil {
				var gbtTime, bpftraceTime time.Duration
				for name, r := range run.Results {
					if strings.HasPrefix(name, "gbt.") {
						gbtTime += r.Elapsed
					} else {
						bpftraceTime += r.Elapsed
					}
				}
				t.Logf("%s: guest ran %d jobs in %v (gbt's %v, bpftrace's %v)", k.Release, len(run.Results), run.Elapsed.Round(time.Second),
					gbtTime.Round(time.Second), bpftraceTime.Round(time.Second))
			}
			if err != nil {
				t.Error(err)
				guestDeaths = append(guestDeaths, fmt.Sprintf("%s (%s), failed: %v", suite, k.Release, err))
			}
			if run == nil {
				return
			}
			for _, c := range cases {
				t.Run(c.name, func(tt *testing.T) {
					t := &recorder{T: tt}
					tt.Cleanup(func() { t.summarize(suite + "/" + c.name) })
					if why := c.skipOn[suite]; why != "" {
						t.Skip(why)
					}
					r, ok := run.Results["gbt."+c.name]
					if !ok {
						t.Fatal("no result")
					}
					b, withB := run.Results["bpftrace."+c.name]
					report(t.T, suite, k.Release, c, r, b, withB)
					if c.wantsErr() {
						if r.ExitCode == 0 || r.TimedOut || !c.errMatches(r.Stderr) {
							t.Errorf("gbt %q: exit %d (timed out %v), stderr:\n%s\nwant a failure with the line %q", c.args, r.ExitCode, r.TimedOut, r.Stderr, c.wantErr+c.wantErrRE)
						}
						return
					}
					if r.ExitCode != 0 || r.TimedOut || r.Error != "" {
						t.Errorf("gbt %q: exit %d (timed out %v, %s)\nstdout:\n%s\nstderr:\n%s", c.args, r.ExitCode, r.TimedOut, r.Error, r.Stdout, r.Stderr)
					}
					got, wantRE := c.output(r.Stdout)
					switch {
					case wantRE != "":
						if !regexp.MustCompile(wantRE).MatchString(got) {
							t.Errorf("gbt %q printed\n%s\nwant a match of %s\nits whole output:\n%s\nstderr:\n%s", c.args, got, wantRE, r.Stdout, r.Stderr)
						}
					case got != c.wantIn(suite):
						t.Errorf("gbt %q printed\n%q\nwant\n%q\nstderr:\n%s", c.args, got, c.wantIn(suite), r.Stderr)
					}
					if c.files != nil {
						c.files(t.T, xfer)
					}
					if !c.bpftrace || !both {
						return
					}
					want := c.bpftraceOutput(b)
					if b.ExitCode != 0 || want == "" {
						t.Fatalf("bpftrace %q: exit %d, stdout %q, stderr:\n%s", c.args, b.ExitCode, b.Stdout, b.Stderr)
					}
					if got != want {
						t.Errorf("gbt %q and bpftrace 0.17 differ:\n%s", c.args, firstDiff(got, want))
					}
				})
			}
		})
	}
}

// guestDeaths holds what TestKernels saw of guests that died (booted
// again) or failed to run, and casesFailed its failed cases with the start
// of their messages, for TestKernelsSummary to repeat at the very end of
// the output, where a CI log's tail shows them.
var guestDeaths, casesFailed []string

// recorder is a case's *testing.T that keeps its failure messages too.
type recorder struct {
	*testing.T
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.Helper()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
	r.T.Errorf(format, args...)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Helper()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
	r.T.Fatalf(format, args...)
}

func (r *recorder) Fatal(args ...any) {
	r.Helper()
	r.msgs = append(r.msgs, fmt.Sprint(args...))
	r.T.Fatal(args...)
}

// summarize adds the case to casesFailed when it failed, with the first
// lines of what it said.
func (r *recorder) summarize(name string) {
	if !r.Failed() {
		return
	}
	lines := strings.Split(strings.Join(r.msgs, "\n"), "\n")
	const keep = 25
	if len(lines) > keep {
		lines = append(lines[:keep], fmt.Sprintf("[%d more lines]", len(lines)-keep))
	}
	casesFailed = append(casesFailed, name+" failed:\n"+strings.Join(lines, "\n"))
}

// argsIn are gbt's arguments in the guest of suite.
func (c kcase) argsIn(suite string) []string {
	if a, ok := c.argsOn[suite]; ok {
		return a
	}
	return c.args
}

// wantIn is the output the case wants in the guest of suite.
func (c kcase) wantIn(suite string) string {
	if w, ok := c.wantOn[suite]; ok {
		return w
	}
	return c.want
}

// bpftraceOutput is bpftrace's standard output less its "Attaching"
// line and the lines gbt leaves out on purpose.
func (c kcase) bpftraceOutput(b vmtest.Result) string {
	out := attaching.ReplaceAllString(b.Stdout, "")
	if c.wideKeyStacks {
		out = keyFrame017.ReplaceAllString(out, "        $1")
	}
	if c.skip == nil {
		return out
	}
	var kept []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if !c.skip(l) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "")
}

// keyFrame017 is a line of a stack in a map key as bpftrace 0.17 prints
// it: indented by 4, where a stack value's frames are indented by 8.
var keyFrame017 = regexp.MustCompile(`(?m)^    (\S.*)$`)

// status says in a few words what a run of case c did: "works" (its
// expected output or refusal), or how it failed.
func (c kcase) status(suite string, r vmtest.Result) string {
	got, wantRE := c.output(r.Stdout)
	switch {
	case r.TimedOut:
		return "timed out"
	case c.wantsErr() && r.ExitCode != 0 && c.errMatches(r.Stderr):
		return "works (refused as expected)"
	case r.ExitCode != 0:
		return "refused: " + errorLine(r.Stderr)
	case wantRE != "" && regexp.MustCompile(wantRE).MatchString(got), wantRE == "" && got == c.wantIn(suite):
		return "works"
	}
	return "wrong output"
}

// errorLine is the last line of stderr that says ERROR (or error:),
// less its position (bpftrace 0.17 warns with an ERROR line first), or
// stderr's last line.
func errorLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	for _, l := range lines {
		for _, w := range []string{"ERROR: ", "error: "} {
			if i := strings.Index(l, w); i >= 0 {
				last = strings.TrimSpace(l[i+len(w):])
			}
		}
	}
	return last
}

// report appends a line for case c to $GBT_VMTEST_REPORT, when set: the
// suite, the kernel, the case, what gbt did and what bpftrace 0.17 did
// (tab-separated), for the README's table.
func report(t *testing.T, suite, release string, c kcase, r, b vmtest.Result, withB bool) {
	path := os.Getenv("GBT_VMTEST_REPORT")
	if path == "" {
		return
	}
	bs := "not run"
	if withB {
		bs = c.status(suite, b)
		if !c.wantsErr() && b.ExitCode == 0 && c.bpftraceOutput(b) == attaching.ReplaceAllString(r.Stdout, "") {
			bs = "same output as gbt"
		} else if b.ExitCode == 0 && !c.wantsErr() && bs != "works" {
			bs = "output differs from gbt's"
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s\t%s\t%s\t%s\n", suite, release, c.name, c.status(suite, r), bs)
}

// selectedCases are the kcases whose names match $GBT_VMTEST_CASES (a
// regular expression), else all of them.
func selectedCases(t *testing.T) []kcase {
	pat := os.Getenv("GBT_VMTEST_CASES")
	all := slices.Concat(kcases, toolCases)
	if pat == "" {
		return all
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		t.Fatalf("GBT_VMTEST_CASES: %v", err)
	}
	var out []kcase
	for _, c := range all {
		if re.MatchString(c.name) {
			out = append(out, c)
		}
	}
	return out
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// firstDiff shows the first line where gbt's output differs from
// bpftrace's, and how many lines each printed.
func firstDiff(got, want string) string {
	g, w := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	line := func(l []string) string {
		if i < len(l) {
			return fmt.Sprintf("%q", l[i])
		}
		return "(end)"
	}
	head := fmt.Sprintf("line %d: gbt %s, bpftrace %s (%d and %d lines)\n", i+1, line(g), line(w), len(g), len(w))
	if len(g)+len(w) > 200 {
		return head + "only gbt: " + strings.Join(onlyIn(g, w, 20), "") + "\nonly bpftrace: " + strings.Join(onlyIn(w, g, 20), "")
	}
	return head + "gbt printed:\n" + got + "\nbpftrace printed:\n" + want
}

// onlyIn returns up to n lines of a that b does not have.
func onlyIn(a, b []string, n int) []string {
	in := map[string]bool{}
	for _, l := range b {
		in[l] = true
	}
	var out []string
	for _, l := range a {
		if !in[l] && len(out) < n {
			out = append(out, l)
		}
	}
	return out
}

// copyFile copies the executable src to dst.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// wantsErr reports whether gbt must fail the case.
func (c kcase) wantsErr() bool { return c.wantErr != "" || c.wantErrRE != "" }

// errMatches reports whether gbt's stderr has the failure the case wants.
func (c kcase) errMatches(stderr string) bool {
	if c.wantErrRE != "" {
		return regexp.MustCompile(c.wantErrRE).MatchString(stderr)
	}
	return strings.Contains(stderr, c.wantErr+"\n")
}
