//go:build vmtest

package vmtest_test

// The newest bpftrace's tools (issue #13) that need kprobes, which the
// host lacks: scripts/newest_test.go loads them there with --dry-run only;
// these cases run them in the guests, each against a workload gbt starts
// with -c (the run ends when it exits, as Ctrl-C would end the tool).

import (
	"regexp"
	"strings"
)

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

// workPID is the line `gbtwork -pid` prints first.
var workPID = regexp.MustCompile(`(?m)^gbtwork: pid (\d+)\n`)

// output is what of gbt's standard output case c checks, less the
// "Attaching" line and the workload's pid line, and the regular
// expression it must match (when the case has one), the workload's pid
// put for @PID@ in both: the lines c.pick picks, when it is set.
func (c kcase) output(stdout string) (got, wantRE string) {
	got = attaching.ReplaceAllString(stdout, "")
	pid := "(no pid line)"
	if m := workPID.FindStringSubmatch(got); m != nil {
		pid = m[1]
		got = workPID.ReplaceAllString(got, "")
	}
	put := strings.NewReplacer("@PID@", pid)
	wantRE = put.Replace(c.wantRE)
	if c.pick == "" {
		return got, wantRE
	}
	var picked strings.Builder
	for _, l := range regexp.MustCompile(put.Replace(c.pick)).FindAllString(got, -1) {
		picked.WriteString(l + "\n")
	}
	return picked.String(), wantRE
}

// memoryCgroups mounts cgroup v2 where the guest has not and lets its
// children have memory controllers.
const memoryCgroups = `grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
`

// oomScript runs gbtwork in a memory cgroup of 32 MiB (the guest has no
// swap) where its allocation of 128 MiB gets it OOM-killed: the job
// mounts cgroup2 and makes the cgroup; the script, which gbt starts with
// -c, moves itself there and execs gbtwork, which keeps its pid.
const oomScript = memoryCgroups + `mkdir -p /sys/fs/cgroup/gbt-oom && echo 32M > /sys/fs/cgroup/gbt-oom/memory.max
printf 'echo $$ > /sys/fs/cgroup/gbt-oom/cgroup.procs\nexec ` + gbtwork + ` -pid alloc 128\n' > /tmp/oom.sh
`

// bioScript is the block I/O tools' workload: two direct reads of 4 KiB
// from /dev/nullb0 (null_blk, one of vmtest.GuestModules), each one
// request. The job writes it; gbt starts it with -c. It prints the pid
// line of gbtwork -pid, then execs dd, which keeps the pid.
const bioScript = `printf 'echo "gbtwork: pid $$"\nexec /bin/dd if=/dev/nullb0 of=/dev/null bs=4096 count=2 iflag=direct status=none\n' > /tmp/bio.sh
`

// zramDevice makes a zram device of the size in $size (a
// vmtest.GuestModules module; each hot_add makes another) and names it
// in $z.
const zramDevice = `z=/dev/zram$(cat /sys/class/zram-control/hot_add) && echo $size > /sys/block/${z#/dev/}/disksize
`

// swapScript turns swap on (a zram device of 64 MiB) and writes
// /tmp/swap.sh, which moves itself into a memory cgroup and execs
// gbtwork swapin, which keeps its pid: 16 MiB swapped out and read back.
const swapScript = `size=64M && ` + zramDevice + `mkswap $z > /dev/null && swapon $z
` + memoryCgroups + `mkdir -p /sys/fs/cgroup/gbt-swap
printf 'echo $$ > /sys/fs/cgroup/gbt-swap/cgroup.procs\nexec ` + gbtwork + ` -pid swapin 16\n' > /tmp/swap.sh
`

// xfsScript mounts an XFS file system at /tmp/xfs, on a zram device of
// 320 MiB (mkfs.xfs refuses less than 300; zram stores only the blocks
// written). mkfs.xfs is the host's (xfsprogs).
const xfsScript = `size=320M && ` + zramDevice + `mkfs.xfs -q $z && mkdir -p /tmp/xfs && mount -t xfs $z /tmp/xfs
`

// mdScript makes /dev/md0, a RAID 0 array without a superblock of two
// zram devices of 16 MiB, through md's sysfs files (the guests have no
// mdadm), as mdadm --build would.
const mdScript = `size=16M && ` + zramDevice + `a=$z && ` + zramDevice + `b=$z
echo md0 > /sys/module/md_mod/parameters/new_array
m=/sys/block/md0/md
echo none > $m/metadata_version && echo raid0 > $m/level && echo 65536 > $m/chunk_size && echo 2 > $m/raid_disks
i=0; for d in $a $b; do n=${d#/dev/}; cat /sys/block/$n/dev > $m/new_dev && echo $i > $m/dev-$n/slot && echo 16384 > $m/dev-$n/size; i=$((i+1)); done
echo active > $m/array_state
`

// histTotals sums each histogram the tool prints into one line, `@map[key]:
// N`, and keeps its other lines (not blank ones), in sorted order.
const histTotals = `awk '/^@[A-Za-z_0-9]*\[.*\]:$/ { m = $0; n[m] += 0; next } m != "" && /^\[/ { sub(/ *\|.*/, ""); n[m] += $NF; next }
	$0 != "" { print } END { for (k in n) print k, n[k] }' | LC_ALL=C sort`

// ranTools are the tools the cases run against a workload, as a regular
// expression: the dry run leaves them out.
const ranTools = "vfscount|vfsstat|tcpconnect|tcpaccept|opensnoop|tcplife|tcpsynbl|tcpretrans|capable|undump|dcsnoop|oomkill|biosnoop|biostacks|biolatency-kp|swapin|xfsdist|mdflush"

// noBlockIO says why the 6.1 guest skips the block tracepoint tools.
const noBlockIO = "6.1 has no block:block_io_start and block_io_done tracepoints (6.5)"

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
		// kprobe:tcp_set_state: the workload's connection over [::1],
		// one line per end (the listener's end closes in the workload
		// too), its pid cached at SYN_SENT or LAST_ACK.
		name:   "tool_tcplife",
		args:   []string{newestTools + "/tcplife.bt", "-c", gbtwork + " -pid tcp6 1"},
		pick:   `(?m)^(PID .*|@PID@ .*)$`,
		wantRE: `\APID +COMM +LADDR +LPORT +RADDR +RPORT +TX_KB +RX_KB +MS\n(@PID@ +gbtwork +::1 +[1-9]\d* +::1 +[1-9]\d* +0 +0 +\d+\n){2}\z`,
	},
	{
		// kprobe:tcp_v6_syn_recv_sock: the listener's backlog limit
		// (somaxconn, 4096) and its backlog at the workload's one SYN.
		name: "tool_tcpsynbl",
		args: []string{newestTools + "/tcpsynbl.bt", "-c", gbtwork + " tcp6 1"},
		want: "Tracing SYN backlog size. Ctrl-C to end.\n\n@backlog[backlog limit]: histogram of backlog size\n\n\n" +
			"@backlog[4096]:\n[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n",
	},
	{
		// kprobe:tcp_retransmit_skb: a SYN the listener dropped (its
		// accept queue full) sent again after 1 s. The retransmit runs
		// in a timer, so its PID is whichever task was on the CPU (0,
		// idle, when seen): the workload's fixed ports pick its line.
		name:   "tool_tcpretrans",
		args:   []string{newestTools + "/tcpretrans.bt", "-c", gbtwork + " synretrans 47001"},
		pick:   `(?m)^(TIME .*|.* 127\.0\.0\.1:47002 .*)$`,
		wantRE: `\ATIME +PID +LADDR:LPORT +RADDR:RPORT +STATE\n\d\d:\d\d:\d\d \d+ +127\.0\.0\.1:47002 +127\.0\.0\.1:47001 +SYN_SENT\n\z`,
	},
	{
		// kprobe:cap_capable: setuid(0) checks CAP_SETUID (7) with
		// CAP_OPT_INSETID (4) as its options; setresuid and setfsuid
		// to ids it has check nothing. gbt's own CAP_BPF checks are not
		// the workload's; before its setuid calls, 7.2 checks
		// CAP_SYS_ADMIN (21) without auditing (CAP_OPT_NOAUDIT, 2)
		// twenty times as the workload starts.
		name:   "tool_capable",
		args:   []string{newestTools + "/capable.bt", "-c", gbtwork + " -pid setuid 2"},
		pick:   `(?m)^(TIME .*|\S+ +\d+ +@PID@ .*)$`,
		wantRE: `\ATIME +UID +PID +COMM +CAP +NAME +AUDIT\n(\d\d:\d\d:\d\d +0 +@PID@ +\S+ +\d+ +CAP_\w+ +2\n)*(\d\d:\d\d:\d\d +0 +@PID@ +gbtwork +7 +CAP_SETUID +4\n){2}\z`,
	},
	{
		// kprobes and kretprobes on unix_dgram_recvmsg and
		// skb_copy_datagram_iter: each datagram the workload reads,
		// its bytes printed with %r of buf().
		name:   "tool_undump",
		args:   []string{newestTools + "/undump.bt", "-c", gbtwork + " -pid unix 2"},
		pick:   `(?m)^(TIME .*|\S+ \S+ +@PID@ .*)$`,
		wantRE: `\ATIME +COMM +PID +SIZE +DATA\n\d\d:\d\d:\d\d gbtwork +@PID@ +9 +gbtwork 0\n\d\d:\d\d:\d\d gbtwork +@PID@ +9 +gbtwork 1\n\z`,
	},
	{
		// kprobe:lookup_fast (kprobe:lookup_fast.constprop.* matches
		// nothing in Debian's kernels and is left out, as the newest
		// bpftrace does), kprobe and kretprobe on d_lookup: the
		// workload's path walk of its last open, one line per
		// component left ("R etc/passwd", "R passwd"), and a d_lookup
		// of the last when the dentry cache had to look further.
		name:   "tool_dcsnoop",
		args:   []string{newestTools + "/dcsnoop.bt", "-c", gbtwork + " -pid open 1 /etc/passwd"},
		pick:   `(?m)^(TIME .*|\d+ +@PID@ .*)$`,
		wantRE: `\ATIME +PID +COMM +T +FILE\n(\d+ +@PID@ +\S+ +[RM] \S+\n)*\d+ +@PID@ +gbtwork +R etc/passwd\n\d+ +@PID@ +gbtwork +R passwd\n(\d+ +@PID@ +gbtwork +M passwd\n)?\z`,
	},
	{
		// kprobe:oom_kill_process: the workload OOM-killed in its
		// memory cgroup: the oom_control's memcg, cgroup_path() of its
		// id, the chosen task, the limit in pages (32 MiB), then
		// cat("/proc/loadavg").
		name: "tool_oomkill",
		sh:   oomScript + `@GBT@ ` + newestTools + `/oomkill.bt -c '/bin/sh /tmp/oom.sh'`,
		pick: `(?m)^.*Triggered by .*$`,
		wantRE: `\A\d\d:\d\d:\d\d Triggered by PID @PID@ \("gbtwork"\), CGROUP \d+ \("unified:/gbt-oom"\), ` +
			`OOM kill of PID @PID@ \("gbtwork"\), 8192 pages, loadavg: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n\z`,
	},
	{
		// tracepoint:block:block_io_start and block_io_done: the
		// workload's two reads of the null_blk device, its pid and comm
		// kept at the start.
		name:   "tool_biosnoop",
		sh:     bioScript + `@GBT@ ` + newestTools + `/biosnoop.bt -c '/bin/sh /tmp/bio.sh'`,
		pick:   `(?m)^(TIME.*|\d+ +\d+ +\d+ +\S+ +@PID@ .*)$`,
		wantRE: `\ATIME\(ms\) +DISK ID +COMM +PID +LAT\(ms\)\n(\d+ +\d+ +0 +dd +@PID@ +\d+\n){2}\z`,
		skipOn: map[string]string{"bookworm": noBlockIO},
	},
	{
		// block_io_start's kstack as a map key, a histogram of the time
		// to block_rq_issue: the workload's reads (the guest's only
		// block I/O) from read(2) down. The frames are indented by 8,
		// as the newest bpftrace indents them (0.17: by 4).
		name:   "tool_biostacks",
		sh:     bioScript + `@GBT@ ` + newestTools + `/biostacks.bt -c '/bin/sh /tmp/bio.sh'`,
		wantRE: `\ATracing block I/O with init stacks\. Hit Ctrl-C to end\.\n\n*@usecs\[\n( {8}\S+\n)*? {8}blkdev_read_iter\+\d+\n( {8}\S+\n)* {8}ksys_read\+\d+\n( {8}\S+\n)*\]:\n(\[\d+\w?, \d+\w?\) +\d+ \|@* *\|\n)+\n*\z`,
		skipOn: map[string]string{"bookworm": noBlockIO},
	},
	{
		// Its kprobes on blk_account_io_start, blk_account_io_done and
		// their __ forms exist in none of the three kernels (inlined;
		// the tool says so of 6.4 and later): with missing_probes =
		// ignore the tool runs with BEGIN and END alone, as under the
		// newest bpftrace.
		name: "tool_biolatency_kp",
		sh:   bioScript + `@GBT@ ` + newestTools + `/biolatency-kp.bt -c '/bin/sh /tmp/bio.sh'`,
		want: "Tracing block device I/O... Hit Ctrl-C to end.\n\n\n",
	},
	{
		// kprobe:swap_read_folio (swap_readpage in 6.1; the tool tries
		// both, missing_probes = ignore): the workload's pages coming
		// back from swap, counted by comm and pid, printed each second
		// and at the end (the count splits between them).
		name:   "tool_swapin",
		sh:     swapScript + `@GBT@ ` + newestTools + `/swapin.bt -c '/bin/sh /tmp/swap.sh'`,
		pick:   `(?m)^@\[gbtwork, @PID@\]: \d+$`,
		wantRE: `\A(@\[gbtwork, @PID@\]: [1-9]\d*\n)+\z`,
	},
	{
		// kprobes and kretprobes on xfs_file_{open,read_iter,write_iter,
		// fsync}, a histogram of each one's latency keyed by func: the
		// workload's open, three writes and three fsyncs of a file in
		// an XFS file system, each histogram summed.
		name: "tool_xfsdist",
		sh:   xfsScript + `@GBT@ ` + newestTools + `/xfsdist.bt -c '` + gbtwork + ` fsync 3 /tmp/xfs/f' | ` + histTotals,
		want: "@us[xfs_file_fsync]: 3\n@us[xfs_file_open]: 1\n@us[xfs_file_write_iter]: 3\nTracing XFS operation latency... Hit Ctrl-C to end.\n",
	},
	{
		// kprobe:md_flush_request: the workload's fsync of /dev/md0
		// sends md a flush (md asks for one whatever its members do),
		// in the workload's own context; arg1, the bio, names the disk.
		name:   "tool_mdflush",
		sh:     mdScript + `@GBT@ ` + newestTools + `/mdflush.bt -c '` + gbtwork + ` -pid fsync 1 /dev/md0'`,
		pick:   `(?m)^(TIME .*|\d\d:\d\d:\d\d @PID@ .*)$`,
		wantRE: `\ATIME +PID +COMM +DEVICE\n(\d\d:\d\d:\d\d @PID@ +gbtwork +md0\n)+\z`,
	},
	{
		// Every other tool of the newest bpftrace, loaded with --dry-run
		// in one job; a tool that does not load is named (its errors on
		// stderr). In 6.1 and 6.12: runqlen.bt reads
		// cfs_rq.nr_queued (nr_running before 6.13).
		name: "tools_dry_run",
		// Two at a time, one per guest CPU: most of the tools group's
		// time under TCG. The tools the cases above run are left out.
		sh: `ls ` + newestTools + `/*.bt | grep -Ev '/(` + ranTools + `)\.bt$' > /tmp/dry-tools
all=$(wc -l < /tmp/dry-tools)
fails=$(xargs -P 2 -n 1 sh -c 'out=$(@GBT@ --dry-run "$0" 2>&1) ||
	{ echo "${0##*/} does not load"; echo "$out" | grep ERROR >&2; }' < /tmp/dry-tools | sort)
[ -z "$fails" ] || echo "$fails"
echo "$((all - $(printf '%s' "$fails" | grep -c .))) tools load"`,
		want: "21 tools load\n",
		wantOn: map[string]string{"bookworm": "runqlen.bt does not load\n20 tools load\n",
			"trixie": "runqlen.bt does not load\n20 tools load\n"},
	},
}
