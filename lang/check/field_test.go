package check

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/types"
)

// TestPointerField: a tracefs pointer field points at its C type, so that
// p[i] and p + i step by the right size.
func TestPointerField(t *testing.T) {
	tests := []struct{ ctype, want string }{
		{"const char *", "int8 *"},
		{"char *", "int8 *"},
		{"const char *const *", "int8 **"},
		{"const void *", "uint8 *"},
		{"void *", "uint8 *"},
		{"int *", "int32 *"},
		{"u32 *", "uint32 *"},
		{"unsigned long *", "uint64 *"},
		{"const unsigned long *", "uint64 *"},
		{"unsigned char *", "uint8 *"},
		{"loff_t *", "int64 *"},
		{"gid_t *", "uint32 *"},
		{"__u32 *", "uint32 *"},
		{"size_t *", "uint64 *"},
		{"struct __kernel_timespec *", "struct __kernel_timespec *"},
		{"const struct iovec *", "struct iovec *"},
		{"sigset_t *", "uint8 *"},
		{"fd_set *", "uint8 *"},
	}
	for _, tt := range tests {
		got := pointerField(tt.ctype, types.User)
		if got.String() != tt.want || got.AddrSpace != types.User || (got.Elem.Kind == types.Pointer && got.Elem.AddrSpace != types.User) {
			t.Errorf("pointerField(%q) = %s (space %d), want %s in user memory", tt.ctype, got, got.AddrSpace, tt.want)
		}
	}
}
