package runtime

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TestKprobeName: kprobe points are named as bpftrace's "Unable to attach
// probe" error names them, addresses and offsets in decimal.
func TestKprobeName(t *testing.T) {
	tests := []struct {
		pt   probe.Point
		want string
	}{
		{probe.Point{Name: "kprobe:0x12345678", Func: "0x12345678"}, "kprobe:305419896"},
		{probe.Point{Name: "kprobe:vfs_read+0x10", Func: "vfs_read", Offset: 16}, "kprobe:vfs_read+16"},
		{probe.Point{Name: "kprobe:vfs_read", Func: "vfs_read"}, "kprobe:vfs_read"},
		{probe.Point{Name: "kretprobe:vfs_read", Func: "vfs_read", Return: true}, "kretprobe:vfs_read"},
		{probe.Point{Name: "kprobe:vmlinux:nonsense", Func: "nonsense"}, "kprobe:vmlinux:nonsense"},
	}
	for _, tt := range tests {
		if got := kprobeName(tt.pt); got != tt.want {
			t.Errorf("kprobeName(%s) = %q, want %q", tt.pt.Name, got, tt.want)
		}
	}
}

// TestAttachFailed: an attach failure becomes an AttachError of the point,
// unless the attacher named it already.
func TestAttachFailed(t *testing.T) {
	cause := errors.New("no such function")
	var ae *AttachError
	if err := attachFailed("uprobe:/bin/true:f", cause); !errors.As(err, &ae) || ae.Probe != "uprobe:/bin/true:f" || !errors.Is(err, cause) {
		t.Errorf("attachFailed: %v", err)
	}
	named := fmt.Errorf("wrapped: %w", &AttachError{Probe: "kprobe:305419896", Err: cause})
	if err := attachFailed("kprobe:0x12345678", named); !errors.As(err, &ae) || ae.Probe != "kprobe:305419896" {
		t.Errorf("attachFailed of a named error: %v", err)
	}
}
