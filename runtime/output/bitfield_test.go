package output

import (
	"encoding/binary"
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestBitField: a record prints its bit-fields' values, not the bytes that
// hold them (bpftrace's struct with bitfield test).
func TestBitField(t *testing.T) {
	rec := make([]byte, 8)
	binary.LittleEndian.PutUint64(rec, 0x7000_001e)
	tests := []struct {
		f    types.Field
		want int64
	}{
		{types.Field{Name: "x_0", Type: types.U64, BitOff: 0, BitWidth: 1}, 0},
		{types.Field{Name: "x_1", Type: types.U64, BitOff: 1, BitWidth: 1}, 1},
		{types.Field{Name: "x_2", Type: types.U64, BitOff: 2, BitWidth: 2}, 3},
		{types.Field{Name: "s", Type: types.I32, BitOff: 2, BitWidth: 3}, -1},
		{types.Field{Name: "hi", Type: types.U32, Offset: 3, BitOff: 4, BitWidth: 4}, 7},
	}
	for _, tt := range tests {
		var out [8]byte
		b := bitField(tt.f, rec, &out)
		if len(b) != tt.f.Type.ByteSize() {
			t.Errorf("%s: %d bytes, want %d", tt.f.Name, len(b), tt.f.Type.ByteSize())
		}
		if got := int64(intArg(tt.f.Type, b)); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.f.Name, got, tt.want)
		}
	}
}
