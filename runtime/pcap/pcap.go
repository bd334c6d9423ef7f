// Package pcap writes packet capture files in the classic pcap format, as
// libpcap's pcap_dump writes them: a file header, then each packet with
// its time (microseconds) and length, all in the host's byte order. The
// files are of link type LINKTYPE_RAW (each packet starts with its IP
// header), which skboutput() writes, as bpftrace's pcap_open_dead(DLT_RAW,
// 65535) files are.
package pcap

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"
)

// File header fields.
const (
	magic        = 0xa1b2c3d4 // microsecond timestamps
	versionMajor = 2
	versionMinor = 4
	// SnapLen is the most bytes of a packet the file says it keeps.
	SnapLen = 65535
	// LinkTypeRaw is LINKTYPE_RAW: raw IPv4 or IPv6 packets.
	LinkTypeRaw = 101
)

// Writer writes one pcap file. It is not safe for concurrent use.
type Writer struct {
	f   *os.File // nil for NewWriter's
	w   *bufio.Writer
	hdr [16]byte
}

// Create creates (or truncates) the file at path and writes its header.
func Create(path string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.f = f
	return w, nil
}

// NewWriter writes a pcap file header to out and returns a Writer of
// packets after it.
func NewWriter(out io.Writer) (*Writer, error) {
	w := &Writer{w: bufio.NewWriter(out)}
	var h [24]byte
	binary.NativeEndian.PutUint32(h[0:], magic)
	binary.NativeEndian.PutUint16(h[4:], versionMajor)
	binary.NativeEndian.PutUint16(h[6:], versionMinor)
	// h[8:16]: time zone offset and timestamp accuracy, both 0.
	binary.NativeEndian.PutUint32(h[16:], SnapLen)
	binary.NativeEndian.PutUint32(h[20:], LinkTypeRaw)
	if _, err := w.w.Write(h[:]); err != nil {
		return nil, err
	}
	return w, nil
}

// WritePacket writes one packet captured at t, whole: its captured and
// original lengths are both len(data), as bpftrace records them.
func (w *Writer) WritePacket(t time.Time, data []byte) error {
	us := t.UnixMicro()
	binary.NativeEndian.PutUint32(w.hdr[0:], uint32(us/1e6))
	binary.NativeEndian.PutUint32(w.hdr[4:], uint32(us%1e6))
	binary.NativeEndian.PutUint32(w.hdr[8:], uint32(len(data)))
	binary.NativeEndian.PutUint32(w.hdr[12:], uint32(len(data)))
	if _, err := w.w.Write(w.hdr[:]); err != nil {
		return err
	}
	_, err := w.w.Write(data)
	return err
}

// Flush writes what is buffered to the file.
func (w *Writer) Flush() error { return w.w.Flush() }

// Close flushes the packets and closes the file Create opened.
func (w *Writer) Close() error {
	err := w.w.Flush()
	if w.f != nil {
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
