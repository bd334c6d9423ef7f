package pcap

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// A Packet is one record of a pcap file.
type Packet struct {
	Time time.Time
	Data []byte // the captured bytes
	Len  int    // the packet's original length
}

// ReadFile reads a pcap file in the host's byte order with microsecond
// timestamps, as Writer writes them, and returns its link type and
// packets.
func ReadFile(path string) (linkType uint32, pkts []Packet, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	if len(b) < 24 || binary.NativeEndian.Uint32(b) != magic {
		return 0, nil, fmt.Errorf("%s: not a pcap file of this byte order with microsecond times", path)
	}
	linkType = binary.NativeEndian.Uint32(b[20:])
	for off := 24; off < len(b); {
		if len(b)-off < 16 {
			return linkType, pkts, fmt.Errorf("%s: a packet header cut at byte %d", path, off)
		}
		h := b[off : off+16]
		sec, us := binary.NativeEndian.Uint32(h), binary.NativeEndian.Uint32(h[4:])
		capLen, origLen := int(binary.NativeEndian.Uint32(h[8:])), int(binary.NativeEndian.Uint32(h[12:]))
		off += 16
		if len(b)-off < capLen {
			return linkType, pkts, fmt.Errorf("%s: a packet of %d bytes cut at byte %d", path, capLen, off)
		}
		pkts = append(pkts, Packet{Time: time.Unix(int64(sec), int64(us)*1000), Data: b[off : off+capLen], Len: origLen})
		off += capLen
	}
	return linkType, pkts, nil
}
