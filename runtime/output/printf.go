package output

import (
	"fmt"
	"time"

	"github.com/gbt-dev/gbt/internal/cfmt"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/types"
)

// Printf formats the event records of one printf() call site. It keeps a
// scratch buffer, so one Printf must not be used by two goroutines at once.
type Printf struct {
	pieces []cfmt.Piece
	args   []printfArg
	size   int // minimum record length
	vals   values
}

type printfArg struct {
	t    types.Type
	off  int
	size int
}

// CompilePrintf prepares format for records whose arguments have the given
// types at the given byte offsets. It checks that every verb gets an
// argument of a kind it prints.
func CompilePrintf(format string, args []types.Type, offsets []int) (*Printf, error) {
	if len(args) != len(offsets) {
		return nil, fmt.Errorf("printf: %d argument types but %d offsets", len(args), len(offsets))
	}
	pieces, err := cfmt.Parse(format)
	if err != nil {
		return nil, fmt.Errorf("printf: %w", err)
	}
	p := &Printf{pieces: pieces}
	for _, piece := range pieces {
		v := piece.Verb
		if v == nil {
			continue
		}
		i := len(p.args)
		if i >= len(args) {
			return nil, fmt.Errorf("printf: Not enough arguments for format string (%d supplied, %d expected)", len(args), verbs(pieces))
		}
		t := args[i]
		if err := argFits(v, t); err != nil {
			return nil, fmt.Errorf("printf: argument %d: %w", i+1, err)
		}
		a := printfArg{t: t, off: offsets[i], size: t.ByteSize()}
		p.args = append(p.args, a)
		p.size = max(p.size, a.off+a.size)
	}
	if len(p.args) < len(args) {
		return nil, fmt.Errorf("printf: Too many arguments for format string (%d supplied, %d expected)", len(args), len(p.args))
	}
	return p, nil
}

func verbs(pieces []cfmt.Piece) int {
	n := 0
	for _, p := range pieces {
		if p.Verb != nil {
			n++
		}
	}
	return n
}

// argFits reports whether verb v can print a value of type t.
func argFits(v *cfmt.Verb, t types.Type) error {
	switch v.Arg() {
	case cfmt.IntArg:
		if t.IsInt() || t.Kind == types.Pointer {
			return nil
		}
	case cfmt.BufferArg:
		if t.Kind == types.Buffer {
			return nil
		}
	case cfmt.StringArg:
		if t.Kind == types.Int && t.Enum == nil || t.Kind == types.Pointer {
			return nil // the number, as the newest bpftrace prints it (the checker refuses it for 0.17)
		}
		return supported(t) // %s of a bool: true or false; of an enum: its variant
	}
	return fmt.Errorf("%%%s cannot print a value of type %s", v.Spec(), t)
}

// SetCompat makes the format print values as bpftrace release v does.
func (p *Printf) SetCompat(v compat.Version) { p.vals.compat = v }

// SetProbeNames gives the names the `probe` builtin's ids stand for.
func (p *Printf) SetProbeNames(names []string) { p.vals.probeNames = names }

// SetStacks gives the resolver of kstack ids.
func (p *Printf) SetStacks(r StackResolver) { p.vals.stacks = r }

// SetClock gives the wall time at which the nsecs clock read zero, for
// strftime() values.
func (p *Printf) SetClock(zero time.Time) { p.vals.clock = zero }

// SetStrTrailer gives the text that ends a string cut to its size
// (str_trunc_trailer).
func (p *Printf) SetStrTrailer(s string) { p.vals.trailer = s }

// Size returns the least record length Append reads; shorter records read
// as if padded with zeros.
func (p *Printf) Size() int { return p.size }

// Append formats one record and appends the text to dst. It does not
// allocate once dst and its scratch buffer have grown to fit.
func (p *Printf) Append(dst, rec []byte) []byte {
	i := 0
	for _, piece := range p.pieces {
		v := piece.Verb
		if v == nil {
			dst = append(dst, piece.Lit...)
			continue
		}
		a := p.args[i]
		i++
		b := field(rec, a.off, a.size)
		switch {
		case a.t.Kind == types.Buffer:
			dst = v.AppendBuffer(dst, bufferBytes(a.t, b))
		case a.t.Kind == types.String:
			p.vals.tmp = p.vals.appendString(p.vals.tmp[:0], a.t, b)
			dst = v.AppendString(dst, p.vals.tmp)
		case a.t.Enum != nil && v.Arg() == cfmt.StringArg:
			dst = v.AppendString(dst, appendEnum(p.vals.tmp[:0], a.t, b))
		case v.Arg() == cfmt.StringArg:
			p.vals.tmp, _ = p.vals.appendScalar(p.vals.tmp[:0], a.t, b)
			switch a.t.Kind {
			case types.Tuple, types.Record, types.Array, types.Int, types.Pointer:
				p.vals.tmp = p.vals.appendValue(p.vals.tmp[:0], a.t, b, false)
			}
			dst = v.AppendString(dst, p.vals.tmp)
		default:
			dst = v.AppendInt(dst, intArg(a.t, b))
		}
	}
	return dst
}
