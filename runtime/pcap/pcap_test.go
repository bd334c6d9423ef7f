package pcap

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// TestWriter: the header and packet records are the classic format's,
// byte for byte (little-endian, as on the machines gbt runs on).
func TestWriter(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the expected bytes are a little-endian host's")
	}
	var b bytes.Buffer
	w, err := NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	pkt := []byte{0x45, 0, 0, 20}
	if err := w.WritePacket(time.Unix(1700000000, 123456789), pkt); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0, // file header
		0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 4, 0, 0, 0, 4, 0, 0, 0, // 1700000000 s, 123456 us, 4 bytes
		0x45, 0, 0, 20,
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("got\n% x\nwant\n% x", b.Bytes(), want)
	}
}

// TestTcpdumpReads: tcpdump reads a file Create wrote as raw IP, and so
// does ReadFile.
func TestTcpdumpReads(t *testing.T) {
	tcpdump := testenv.RequireCommand(t, "tcpdump", "apt-get install tcpdump")
	path := filepath.Join(t.TempDir(), "x.pcap")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// An IPv4 UDP datagram 127.0.0.1:1000 -> 127.0.0.1:9 of 2 bytes.
	pkt := []byte{0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
		0x03, 0xe8, 0, 9, 0, 10, 0, 0, 'h', 'i'}
	if err := w.WritePacket(time.Now(), pkt); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lt, pkts, err := ReadFile(path)
	if err != nil || lt != LinkTypeRaw || len(pkts) != 1 || !bytes.Equal(pkts[0].Data, pkt) || pkts[0].Len != len(pkt) {
		t.Errorf("read back: link type %d, %+v, %v", lt, pkts, err)
	}
	out, err := exec.Command(tcpdump, "-n", "-r", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "link-type RAW") || !strings.Contains(string(out), "127.0.0.1.1000 > 127.0.0.1.9: UDP, length 2") {
		t.Errorf("tcpdump: %v\n%s", err, out)
	}
}
