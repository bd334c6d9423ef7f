package cheaders

import (
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// osMacros are the macros whose values golang.org/x/sys/unix has for this
// architecture, and every signal's name.
func osMacros() map[string]int64 {
	m := map[string]int64{
		// <fcntl.h>, <linux/fcntl.h> (not O_LARGEFILE, which the two give
		// differently on 64-bit machines)
		"O_RDONLY": unix.O_RDONLY, "O_WRONLY": unix.O_WRONLY, "O_RDWR": unix.O_RDWR,
		"O_ACCMODE": unix.O_ACCMODE, "O_CREAT": unix.O_CREAT, "O_EXCL": unix.O_EXCL,
		"O_NOCTTY": unix.O_NOCTTY, "O_TRUNC": unix.O_TRUNC, "O_APPEND": unix.O_APPEND,
		"O_NONBLOCK": unix.O_NONBLOCK, "O_NDELAY": unix.O_NDELAY, "O_DSYNC": unix.O_DSYNC,
		"O_SYNC": unix.O_SYNC, "O_RSYNC": unix.O_RSYNC, "O_ASYNC": unix.O_ASYNC,
		"O_DIRECT": unix.O_DIRECT, "O_DIRECTORY": unix.O_DIRECTORY, "O_NOFOLLOW": unix.O_NOFOLLOW,
		"O_NOATIME": unix.O_NOATIME, "O_CLOEXEC": unix.O_CLOEXEC, "O_PATH": unix.O_PATH,
		"O_TMPFILE": unix.O_TMPFILE,
		"AT_FDCWD":  unix.AT_FDCWD, "AT_SYMLINK_NOFOLLOW": unix.AT_SYMLINK_NOFOLLOW,
		"AT_REMOVEDIR": unix.AT_REMOVEDIR, "AT_SYMLINK_FOLLOW": unix.AT_SYMLINK_FOLLOW,
		"AT_EMPTY_PATH": unix.AT_EMPTY_PATH,
		// <sched.h>, <linux/sched.h>
		"CLONE_VM": unix.CLONE_VM, "CLONE_FS": unix.CLONE_FS, "CLONE_FILES": unix.CLONE_FILES,
		"CLONE_SIGHAND": unix.CLONE_SIGHAND, "CLONE_PIDFD": unix.CLONE_PIDFD,
		"CLONE_PTRACE": unix.CLONE_PTRACE, "CLONE_VFORK": unix.CLONE_VFORK,
		"CLONE_PARENT": unix.CLONE_PARENT, "CLONE_THREAD": unix.CLONE_THREAD,
		"CLONE_NEWNS": unix.CLONE_NEWNS, "CLONE_SYSVSEM": unix.CLONE_SYSVSEM,
		"CLONE_SETTLS": unix.CLONE_SETTLS, "CLONE_PARENT_SETTID": unix.CLONE_PARENT_SETTID,
		"CLONE_CHILD_CLEARTID": unix.CLONE_CHILD_CLEARTID, "CLONE_DETACHED": unix.CLONE_DETACHED,
		"CLONE_UNTRACED": unix.CLONE_UNTRACED, "CLONE_CHILD_SETTID": unix.CLONE_CHILD_SETTID,
		"CLONE_NEWCGROUP": unix.CLONE_NEWCGROUP, "CLONE_NEWUTS": unix.CLONE_NEWUTS,
		"CLONE_NEWIPC": unix.CLONE_NEWIPC, "CLONE_NEWUSER": unix.CLONE_NEWUSER,
		"CLONE_NEWPID": unix.CLONE_NEWPID, "CLONE_NEWNET": unix.CLONE_NEWNET,
		"CLONE_IO": unix.CLONE_IO, "CLONE_NEWTIME": unix.CLONE_NEWTIME,
		"SCHED_OTHER": unix.SCHED_NORMAL, "SCHED_NORMAL": unix.SCHED_NORMAL, "SCHED_FIFO": unix.SCHED_FIFO, "SCHED_RR": unix.SCHED_RR,
		"SCHED_BATCH": unix.SCHED_BATCH, "SCHED_IDLE": unix.SCHED_IDLE,
		"SCHED_DEADLINE": unix.SCHED_DEADLINE,
		// <sys/socket.h>, <linux/socket.h>, <netinet/in.h>
		"AF_UNSPEC": unix.AF_UNSPEC, "AF_UNIX": unix.AF_UNIX, "AF_LOCAL": unix.AF_LOCAL,
		"AF_INET": unix.AF_INET, "AF_INET6": unix.AF_INET6, "AF_NETLINK": unix.AF_NETLINK,
		"AF_PACKET": unix.AF_PACKET, "AF_BLUETOOTH": unix.AF_BLUETOOTH, "AF_VSOCK": unix.AF_VSOCK,
		"AF_XDP": unix.AF_XDP, "AF_ALG": unix.AF_ALG, "AF_CAN": unix.AF_CAN,
		"PF_UNSPEC": unix.AF_UNSPEC, "PF_UNIX": unix.AF_UNIX, "PF_LOCAL": unix.AF_LOCAL,
		"PF_INET": unix.AF_INET, "PF_INET6": unix.AF_INET6, "PF_NETLINK": unix.AF_NETLINK,
		"PF_PACKET":   unix.AF_PACKET,
		"SOCK_STREAM": unix.SOCK_STREAM, "SOCK_DGRAM": unix.SOCK_DGRAM, "SOCK_RAW": unix.SOCK_RAW,
		"SOCK_RDM": unix.SOCK_RDM, "SOCK_SEQPACKET": unix.SOCK_SEQPACKET,
		"SOCK_NONBLOCK": unix.SOCK_NONBLOCK, "SOCK_CLOEXEC": unix.SOCK_CLOEXEC,
		"IPPROTO_IP": unix.IPPROTO_IP, "IPPROTO_ICMP": unix.IPPROTO_ICMP,
		"IPPROTO_TCP": unix.IPPROTO_TCP, "IPPROTO_UDP": unix.IPPROTO_UDP,
		"IPPROTO_IPV6": unix.IPPROTO_IPV6, "IPPROTO_ICMPV6": unix.IPPROTO_ICMPV6,
		"IPPROTO_SCTP": unix.IPPROTO_SCTP, "IPPROTO_UDPLITE": unix.IPPROTO_UDPLITE,
		"IPPROTO_RAW": unix.IPPROTO_RAW, "IPPROTO_MPTCP": unix.IPPROTO_MPTCP,
		// <sys/mman.h>
		"PROT_NONE": unix.PROT_NONE, "PROT_READ": unix.PROT_READ, "PROT_WRITE": unix.PROT_WRITE,
		"PROT_EXEC":  unix.PROT_EXEC,
		"MAP_SHARED": unix.MAP_SHARED, "MAP_PRIVATE": unix.MAP_PRIVATE, "MAP_FIXED": unix.MAP_FIXED,
		"MAP_ANONYMOUS": unix.MAP_ANONYMOUS, "MAP_ANON": unix.MAP_ANON,
		"MAP_POPULATE": unix.MAP_POPULATE, "MAP_NORESERVE": unix.MAP_NORESERVE,
		"MAP_HUGETLB": unix.MAP_HUGETLB, "MAP_STACK": unix.MAP_STACK,
		"MAP_GROWSDOWN": unix.MAP_GROWSDOWN, "MAP_LOCKED": unix.MAP_LOCKED,
		"MAP_FIXED_NOREPLACE": unix.MAP_FIXED_NOREPLACE,
		// <sys/stat.h>
		"S_IFMT": unix.S_IFMT, "S_IFSOCK": unix.S_IFSOCK, "S_IFLNK": unix.S_IFLNK,
		"S_IFREG": unix.S_IFREG, "S_IFBLK": unix.S_IFBLK, "S_IFDIR": unix.S_IFDIR,
		"S_IFCHR": unix.S_IFCHR, "S_IFIFO": unix.S_IFIFO, "S_ISUID": unix.S_ISUID,
		"S_ISGID": unix.S_ISGID, "S_ISVTX": unix.S_ISVTX, "S_IRWXU": unix.S_IRWXU,
		"S_IRUSR": unix.S_IRUSR, "S_IWUSR": unix.S_IWUSR, "S_IXUSR": unix.S_IXUSR,
		"S_IRWXG": unix.S_IRWXG, "S_IRGRP": unix.S_IRGRP, "S_IWGRP": unix.S_IWGRP,
		"S_IXGRP": unix.S_IXGRP, "S_IRWXO": unix.S_IRWXO, "S_IROTH": unix.S_IROTH,
		"S_IWOTH": unix.S_IWOTH, "S_IXOTH": unix.S_IXOTH,
		// <sys/wait.h>
		"WNOHANG": unix.WNOHANG, "WUNTRACED": unix.WUNTRACED, "WCONTINUED": unix.WCONTINUED,
		"WEXITED": unix.WEXITED, "WSTOPPED": unix.WSTOPPED, "WNOWAIT": unix.WNOWAIT,
		// <signal.h>: the names glibc adds to the kernel's
		"SIGIOT": int64(unix.SIGIOT), "SIGPOLL": int64(unix.SIGPOLL), "SIGCLD": int64(unix.SIGCHLD),
	}
	// <signal.h>: SIGHUP ... SIGSYS
	for sig := syscall.Signal(1); sig < 32; sig++ {
		if name := unix.SignalName(sig); strings.HasPrefix(name, "SIG") {
			m[name] = int64(sig)
		}
	}
	return m
}
