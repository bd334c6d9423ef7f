package runtime

import (
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/gbt-dev/gbt/runtime/output"
)

// TestBuildIDFrames: the frames of a BPF_F_STACK_BUILD_ID stack print as
// bpftrace's build_id mode does; an empty frame ends the stack.
func TestBuildIDFrames(t *testing.T) {
	id, _ := hex.DecodeString("f8b2339fbe0ba0bf0138a415b1aa58ce724ea3d6")
	frame := func(status uint32, build []byte, v uint64) []byte {
		b := make([]byte, 32)
		binary.LittleEndian.PutUint32(b, status)
		copy(b[4:24], build)
		binary.LittleEndian.PutUint64(b[24:], v)
		return b
	}
	var raw []byte
	raw = append(raw, frame(1, id, 0x1126)...)
	raw = append(raw, frame(2, nil, 0x55559254a088)...) // no build id: the ip
	raw = append(raw, frame(0, nil, 0)...)
	raw = append(raw, frame(1, id, 0x9999)...) // past the end
	want := []output.Frame{
		{Addr: 0x1126, Sym: "f8b2339fbe0ba0bf0138a415b1aa58ce724ea3d6 0x1126"},
		{Addr: 0x55559254a088, Sym: "55559254a088"},
	}
	if got := buildIDFrames(raw); !reflect.DeepEqual(got, want) {
		t.Errorf("buildIDFrames = %+v, want %+v", got, want)
	}
}
