//go:build vmtest

package vmtest_test

// The newest bpftrace's tools (issue #13) that need kprobes, which the
// host lacks: scripts/newest_test.go loads them there with --dry-run only;
// these cases run them in the guests, each against a workload gbt starts
// with -c (the run ends when it exits, as Ctrl-C would end the tool).

// newestTools is where the newest bpftrace's tools are, in the host's
// root file system the guest shares (`newest-bpftrace --setup-only`
// installs them there; .ci/run does before the kernel tests).
const newestTools = "/opt/bpftrace-sid/usr/sbin"

// The tools' own header lines, as a regular expression.
const (
	vfscountHeader   = `Tracing VFS calls\.\.\. Hit Ctrl-C to end\.\n`
	tcpconnectHeader = `Tracing tcp connections\. Hit Ctrl-C to end\.\nTIME +PID +COMM +SADDR +SPORT +DADDR +DPORT *\n`
	tcpacceptHeader  = `Tracing TCP accepts\. Hit Ctrl-C to end\.\nTIME +PID +COMM +RADDR +RPORT +LADDR +LPORT +BL\n`
)

var toolCases = []kcase{
	{
		// kprobe:vfs_* (one kprobe per function in 6.1, a kprobe_multi
		// link in the newer kernels) counted by func: the workload's
		// opens are among the machine's.
		name:   "tool_vfscount",
		args:   []string{newestTools + "/vfscount.bt", "-c", gbtwork + " open 3 /dev/null"},
		wantRE: `\A` + vfscountHeader + `\n\n(@\[vfs_\w+\]: \d+\n)*@\[vfs_open\]: \d+\n(@\[vfs_\w+\]: \d+\n)*\z`,
	},
	{
		// interval:1s prints time() and the counts of the second (none,
		// some: the machine's), clear()s them; END clears them too. The
		// workload outlives one interval (under TCG two may fire).
		name:   "tool_vfsstat",
		args:   []string{newestTools + "/vfsstat.bt", "-c", gbtwork + " sleep 1500"},
		wantRE: `\ATracing key VFS calls\.\.\. Hit Ctrl-C to end\.\n(\d\d:\d\d:\d\d\n(@\[vfs_\w+\]: \d+\n)*)+\n*\z`,
	},
	{
		// The workload's connect over IPv6 loopback: a struct sock's
		// fields through BTF, ntop of an in6_addr, bswap of the port.
		name:   "tool_tcpconnect",
		args:   []string{newestTools + "/tcpconnect.bt", "-c", gbtwork + " tcp6 1"},
		wantRE: `\A` + tcpconnectHeader + `\d\d:\d\d:\d\d \d+ +gbtwork +::1 +\d+ +::1 +[1-9]\d* *\n\n\n\z`,
	},
	{
		// kretprobe:inet_csk_accept: the accepted sock is the retval.
		name:   "tool_tcpaccept",
		args:   []string{newestTools + "/tcpaccept.bt", "-c", gbtwork + " tcp6 1"},
		wantRE: `\A` + tcpacceptHeader + `\d\d:\d\d:\d\d \d+ +gbtwork +::1 +[1-9]\d* +::1 +[1-9]\d* +0/\d+\n\n\n\z`,
	},
	{
		// tracepoint:syscalls:sys_exit_open* walks the dentries of the
		// task's cwd up to the root in one for loop and prints them
		// back in another (bpf_loop callbacks): relative paths print in
		// full. Its frame and its loops' together need more than the
		// 512 bytes of stack 6.1's and 6.12's verifiers allow ("combined
		// stack size of 2 calls is 672"), but for the strings gbt keeps
		// in scratch memory then. head opens a file of its cwd, then a
		// missing one; the machine's other opens and the PID column are
		// left out. The guest's root is the host's, mounted at /mnt and
		// chrooted into: the walk goes on to the mount namespace's root,
		// as bpftrace's does.
		name: "tool_opensnoop",
		sh: `cd /etc && @GBT@ ` + newestTools + `/opensnoop.bt -c '/usr/bin/head -q -c 0 passwd nonexistent-vmtest' |
	awk '$2 == "head" && $NF ~ /passwd|nonexistent/ { sub(/^[0-9]+ +/, ""); print; next } !/^[0-9]/'`,
		want: "Tracing open syscalls... Hit Ctrl-C to end.\nPID    COMM               FD  ERR PATH\n" +
			"head                3   0 /mnt/etc/passwd\nhead               -1   2 /mnt/etc/nonexistent-vmtest\n\n\n",
	},
	{
		// Every tool of the newest bpftrace, loaded with --dry-run in one
		// job; a tool that does not load is named (its errors on stderr).
		// In both kernels dcsnoop.bt's kprobe:lookup_fast.constprop.*
		// matches nothing (Debian's builds keep lookup_fast whole). In
		// 6.1 also: biosnoop.bt and biostacks.bt need the
		// block:block_io_start/done tracepoints (6.5); runqlen.bt reads
		// cfs_rq.nr_queued (nr_running before 6.13). 6.12 lacks
		// nr_queued too.
		name: "tools_dry_run",
		sh: `n=0; for f in ` + newestTools + `/*.bt; do
	if out=$(@GBT@ --dry-run "$f" 2>&1); then n=$((n+1)); else
		echo "${f##*/} does not load"; echo "$out" | grep ERROR >&2
	fi
done; echo "$n tools load"`,
		want: "dcsnoop.bt does not load\n38 tools load\n",
		wantOn: map[string]string{"bookworm": "biosnoop.bt does not load\nbiostacks.bt does not load\n" +
			"dcsnoop.bt does not load\nrunqlen.bt does not load\n35 tools load\n",
			"trixie": "dcsnoop.bt does not load\nrunqlen.bt does not load\n37 tools load\n"},
	},
}
