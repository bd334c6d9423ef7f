package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/runtime/pcap"
)

// TestE2ESocketCookie: socket_cookie() in a tp_btf probe (the tracing
// program this kernel loads; internal/vmtest runs it in kfuncs): gbtwork
// connects to itself over [::1] once, and the client socket's cookie is
// not 0 and the same when it goes from CLOSE (7) to SYN_SENT (2) and from
// SYN_SENT to ESTABLISHED (1).
func TestE2ESocketCookie(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tp_btf:inet_sock_set_state /pid == @PID@ && args->oldstate == 7 && args->newstate == 2/ { @c = socket_cookie(args->sk); }
		tp_btf:inet_sock_set_state /pid == @PID@ && args->oldstate == 2 && args->newstate == 1/ { printf("%d %d\n", @c != 0, @c == socket_cookie(args->sk)); } ` + exitWhenDone
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"tcp6", "1"}, work: work, timeout: 30 * time.Second})
	if res.exitCode != 0 || !regexp.MustCompile(`\A(Attaching 3 probes\.\.\.\n)?1 1\n\n\n@c: [1-9][0-9]*\n\z`).MatchString(res.stdout) {
		t.Errorf("exit %d, stdout %q, want \"1 1\"\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
	}
}

// TestE2ESkbOutput: skboutput() in a tp_btf probe of the device queue
// (internal/vmtest runs it in a kfunc): gbtwork sends itself three UDP
// datagrams over 127.0.0.1, and the pcap file holds each, less the
// loopback device's 14-byte Ethernet header: raw IPv4 packets of 37
// bytes ending with the payload.
func TestE2ESkbOutput(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	path := filepath.Join(t.TempDir(), "skb.pcap")
	prog := `tp_btf:net_dev_start_xmit /pid == @PID@/ { printf("%d\n", skboutput("` + path + `", args->skb, args->skb->len, 14)); } ` + exitWhenDone
	start := time.Now()
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"udp", "3"}, work: work, timeout: 30 * time.Second})
	if res.exitCode != 0 || !regexp.MustCompile(`\A(Attaching 2 probes\.\.\.\n)?0\n0\n0\n\n\n\z`).MatchString(res.stdout) {
		t.Errorf("exit %d, stdout %q, want three 0s\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
	}
	checkUDPCapture(t, path, 3, start)
}

// checkUDPCapture checks that the pcap file at path holds the n
// datagrams of gbtwork udp, as raw IPv4 packets captured since start.
func checkUDPCapture(t *testing.T, path string, n int, start time.Time) {
	t.Helper()
	lt, pkts, err := pcap.ReadFile(path)
	if err != nil || lt != pcap.LinkTypeRaw || len(pkts) != n {
		t.Fatalf("%s: link type %d, %d packets, %v; want %d raw IP packets", path, lt, len(pkts), err, n)
	}
	for i, p := range pkts {
		payload := fmt.Sprintf("gbtwork %d", i)
		if len(p.Data) != 28+len(payload) || p.Len != len(p.Data) || p.Data[0] != 0x45 || p.Data[9] != 17 || !strings.HasSuffix(string(p.Data), payload) ||
			p.Time.Before(start.Truncate(time.Microsecond)) || p.Time.After(time.Now()) {
			t.Errorf("packet %d: %d of %d bytes at %v\n% x\nwant an IPv4 UDP packet (protocol 17) of %d bytes ending %q, captured since %v", i, len(p.Data), p.Len, p.Time, p.Data, 28+len(payload), payload, start)
		}
	}
}
