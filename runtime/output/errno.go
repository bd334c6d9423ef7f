package output

import (
	"errors"
	"strings"
	"syscall"
)

// ErrnoText is the C library's text of err's errno ("No such file or
// directory"), as bpftrace prints it in its errors; an error without an
// errno prints as it is.
func ErrnoText(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	msg := errno.Error()
	return strings.ToUpper(msg[:1]) + msg[1:]
}
