package runtime

import (
	"errors"
	"fmt"
)

// AttachError is a probe the kernel would not attach: Probe names it as
// bpftrace does in its "Unable to attach probe" error (a kprobe's
// address and offset in decimal: kprobe:305419896, kprobe:vfs_read+16),
// Err says why.
type AttachError struct {
	Probe string
	Err   error
}

func (e *AttachError) Error() string { return fmt.Sprintf("attach %s: %v", e.Probe, e.Err) }

func (e *AttachError) Unwrap() error { return e.Err }

// attachFailed returns err as an AttachError of the probe named name,
// unless it is one already (an attacher that names its probes otherwise
// returns its own).
func attachFailed(name string, err error) error {
	if ae := (*AttachError)(nil); errors.As(err, &ae) {
		return err
	}
	return &AttachError{Probe: name, Err: err}
}
