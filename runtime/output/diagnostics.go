package output

import (
	"fmt"
	"syscall"
)

// RunDiagnostic is a problem the BPF program reports as it runs: a
// runtime error (a division by zero) or a helper error (a failed map
// lookup or probe read, reported with -k).
type RunDiagnostic struct {
	Type    string // "runtime_error" or "helper_error"
	Msg     string
	Helper  string // helper errors: the helper that failed ("probe_read")
	Retcode int64  // helper errors: what the helper returned
	File    string
	Line    int
	Col     int
	// Legacy writes bpftrace 0.17's helper_error record: no msg, no
	// filename.
	Legacy bool
}

// RunDiagnostic writes d as its JSON record, as the newest bpftrace does:
// {"type": "helper_error", "msg": "Bad address", "helper": "probe_read",
// "retcode": -14, "filename": "stdin", "line": 1, "col": 38}. Text output
// prints diagnostics on stderr as warnings instead; this is JSON only.
func (p *Printer) RunDiagnostic(d RunDiagnostic) error {
	p.buf = fmt.Appendf(p.buf, `{"type": "%s"`, d.Type)
	if !d.Legacy {
		p.buf = append(p.buf, `, "msg": `...)
		p.buf = appendJSONString(p.buf, []byte(d.Msg))
	}
	if d.Helper != "" {
		p.buf = append(p.buf, `, "helper": `...)
		p.buf = appendJSONString(p.buf, []byte(d.Helper))
		p.buf = fmt.Appendf(p.buf, `, "retcode": %d`, d.Retcode)
	}
	if !d.Legacy {
		p.buf = append(p.buf, `, "filename": `...)
		p.buf = appendJSONString(p.buf, []byte(d.File))
	}
	p.buf = fmt.Appendf(p.buf, `, "line": %d, "col": %d}`+"\n", d.Line, d.Col)
	return p.flush()
}

// RetcodeText is the C library's text for a helper's negative errno
// return, as bpftrace prints it: -14 is "Bad address", 0 "Success".
func RetcodeText(rc int64) string {
	if rc == 0 {
		return "Success"
	}
	if rc < 0 {
		rc = -rc
	}
	return ErrnoText(syscall.Errno(rc))
}
