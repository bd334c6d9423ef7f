package runtime

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
)

// LoadError is a program the kernel refused, mapped back to the script.
type LoadError struct {
	Probe string   // probe name
	Span  ast.Span // source of the failing instruction (zero if unknown)
	Msg   string   // the verifier's conclusion
	Tail  []string // the verifier's last lines
	Log   []string // the whole log (-v)
	// Helper names the helper the kernel does not allow in this program
	// ("bpf_d_path": the kernel has it, but not for this probe's type or
	// attach target); Span is then the call's.
	Helper string
	// Missing names the helper this kernel lacks for the program's type,
	// found by probing each helper the program calls (cilium/ebpf's
	// features), when the verifier did not know one.
	Missing string
	// Unchecked names the helper whose result, NULL for some arguments,
	// the program read through without testing it ("bpf_per_cpu_ptr":
	// percpu_kaddr(name, cpu)).
	Unchecked string
	// Kfunc names the kernel function (kfunc) the kernel does not allow
	// in this program's type ("bpf_task_from_pid"); Span is then the
	// call's.
	Kfunc string
	Err   error
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("the kernel refused the program of %s: %s", e.Probe, e.Msg)
}

func (e *LoadError) Unwrap() error { return e.Err }

var insnLine = regexp.MustCompile(`^(\d+): \(`)

// loadError maps a load failure of p to the source span of the last
// instruction the verifier processed.
func (s *Session) loadError(p *codegen.Program, err error) error {
	le := &LoadError{Probe: p.Name, Err: err, Msg: err.Error()}
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		return le
	}
	le.Log = ve.Log
	le.Tail = ve.Log
	if len(le.Tail) > 6 {
		le.Tail = le.Tail[len(le.Tail)-6:]
	}
	for i := len(ve.Log) - 1; i >= 0; i-- {
		line := strings.TrimSpace(ve.Log[i])
		if le.Msg == err.Error() && line != "" && !isStateLine(line) && !insnLine.MatchString(line) {
			le.Msg = line
			if m := atInsn.FindStringSubmatch(line); m != nil {
				// "infinite loop detected at insn 23": the span of that one.
				raw, _ := strconv.Atoi(m[1])
				le.Span = spanAt(p, raw)
				break
			}
		}
		if m := insnLine.FindStringSubmatch(line); m != nil {
			raw, _ := strconv.Atoi(m[1])
			le.Span = spanAt(p, raw)
			break
		}
	}
	switch {
	case le.Msg == "helper call is not allowed in probe", strings.HasPrefix(le.Msg, "program of this type cannot use helper"):
		le.Helper = calledHelper(ve.Log)
	case strings.HasPrefix(le.Msg, "unknown func "), strings.HasPrefix(le.Msg, "invalid func unknown#"):
		// The kernel has no such helper for this type of program: probe
		// which, and name it.
		le.Missing = missingHelper(p)
	}
	if strings.HasSuffix(le.Msg, "on ptr_or_null_ prohibited, null-check it first") && calls(p, asm.FnPerCpuPtr) {
		le.Unchecked = helperName(asm.FnPerCpuPtr)
	}
	if name, i := refusedKfunc(p, le.Msg); name != "" {
		le.Kfunc = name
		if i >= 0 && i < len(p.Spans) {
			le.Span = p.Spans[i]
		}
	}
	if i := kernelVarLoad(p, le.Msg); i >= 0 {
		// No address for a per-CPU variable: at its percpu_kaddr.
		le.Err = fmt.Errorf("%w: %w", ErrNoKernelVarAddr, err)
		if i < len(p.Spans) {
			le.Span = p.Spans[i]
		}
	}
	return le
}

var atInsn = regexp.MustCompile(`at insn (\d+)`)

// helperCall is a verifier log line of a helper call: "37: (85) call
// bpf_d_path#147".
var helperCall = regexp.MustCompile(`^\d+: \(85\) call ([a-z_0-9]+)#\d+`)

// missingHelper probes, for each helper p calls, whether this kernel has
// it for p's program type, and names the first it lacks ("bpf_d_path"),
// or returns "".
func missingHelper(p *codegen.Program) string {
	seen := map[asm.BuiltinFunc]bool{}
	for _, ins := range p.Insns {
		if !ins.IsBuiltinCall() {
			continue
		}
		fn := asm.BuiltinFunc(ins.Constant)
		if seen[fn] {
			continue
		}
		seen[fn] = true
		if err := features.HaveProgramHelper(p.Type, fn); errors.Is(err, ebpf.ErrNotSupported) {
			return helperName(fn)
		}
	}
	return ""
}

// helperName is the kernel's name of a helper: asm.FnDPath is bpf_d_path.
func helperName(fn asm.BuiltinFunc) string {
	var b strings.Builder
	b.WriteString("bpf")
	for _, r := range strings.TrimPrefix(fn.String(), "Fn") {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// calledHelper is the helper of the last call the log shows (the call the
// verifier refused when its verdict follows it), or "" if none.
func calledHelper(log []string) string {
	for i := len(log) - 1; i >= 0; i-- {
		if m := helperCall.FindStringSubmatch(strings.TrimSpace(log[i])); m != nil {
			return m[1]
		}
	}
	return ""
}

// isStateLine reports whether a verifier log line is bookkeeping rather than
// its verdict: statistics and register state dumps.
func isStateLine(line string) bool {
	for _, p := range []string{"processed ", "cur state:", "old state:", "verification time", "stack depth", "from "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// spanAt is the source span of the instruction at raw offset raw of p.
func spanAt(p *codegen.Program, raw int) ast.Span {
	if idx := insnIndex(p.Insns, raw); idx >= 0 && idx < len(p.Spans) {
		return p.Spans[idx]
	}
	return ast.Span{}
}

// insnIndex converts a raw instruction offset (wide loads take two slots)
// to an index in insns.
func insnIndex(insns asm.Instructions, raw int) int {
	iter := insns.Iterate()
	for iter.Next() {
		if int(iter.Offset) >= raw {
			return iter.Index
		}
	}
	return -1
}
