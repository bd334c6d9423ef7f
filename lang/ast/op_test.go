package ast

import (
	"strings"
	"testing"
)

// TestOpTable checks the operator table row by row: every operator is
// spelled, its spelling looks it up, and the derived properties agree with
// the spelling (a compound assignment is its base operator followed by =).
func TestOpTable(t *testing.T) {
	seen := map[string]Op{}
	for op := OpInvalid + 1; op < numOps; op++ {
		s := op.String()
		if s == "" {
			t.Fatalf("operator %d has no spelling", op)
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("%q spells both %d and %d", s, prev, op)
		}
		seen[s] = op
		if got := LookupOp(s); got != op {
			t.Errorf("LookupOp(%q) = %d, want %d", s, got, op)
		}
		if op.Class() == ClassNone {
			t.Errorf("%s has no class", op)
		}
		if op.IsBinary() != (op.Precedence() > 0) || op.Precedence() > MaxPrec {
			t.Errorf("%s: precedence %d out of range", op, op.Precedence())
		}
		if op.IsCompound() {
			if want := op.Base().String() + "="; s != want {
				t.Errorf("%s: base %s, want the operator spelled %q", op, op.Base(), want)
			}
			if !op.Base().IsBinary() {
				t.Errorf("%s: base %s is not binary", op, op.Base())
			}
		}
		if op.IsAssign() && (op.IsBinary() || op.IsPrefix()) {
			t.Errorf("%s is both an assignment and an expression operator", op)
		}
	}
	if len(seen) != int(numOps)-1 {
		t.Errorf("%d spellings for %d operators", len(seen), numOps-1)
	}
	for _, s := range []string{"", "(", "->", ".", "?", "===", "<<<"} {
		if op := LookupOp(s); op != OpInvalid {
			t.Errorf("LookupOp(%q) = %s, want OpInvalid", s, op)
		}
	}
	if OpInvalid.String() != "" || Op(200).String() != "" || Op(200).IsBinary() {
		t.Error("an operator outside the table must have no properties")
	}
}

// TestOpPrecedence checks C's order of binary precedence, loosest first,
// operators on one line binding equally.
func TestOpPrecedence(t *testing.T) {
	levels := []string{"||", "&&", "|", "^", "&", "== !=", "< <= > >=", "<< >>", "+ -", "* / %"}
	for i, level := range levels {
		for _, s := range strings.Fields(level) {
			if got := LookupOp(s).Precedence(); got != i+1 {
				t.Errorf("precedence of %s = %d, want %d", s, got, i+1)
			}
		}
	}
	if len(levels) != MaxPrec {
		t.Errorf("%d levels, MaxPrec %d", len(levels), MaxPrec)
	}
}

// TestOpForms checks which operators can be written before or after an
// operand, and which yield 0 or 1.
func TestOpForms(t *testing.T) {
	var prefix, postfix, bools []string
	for op := OpInvalid + 1; op < numOps; op++ {
		if op.IsPrefix() {
			prefix = append(prefix, op.String())
		}
		if op.IsPostfix() {
			postfix = append(postfix, op.String())
		}
		if op.YieldsBool() {
			bools = append(bools, op.String())
		}
	}
	for _, c := range []struct {
		what string
		got  []string
		want string
	}{
		{"prefix", prefix, "& + - * ! ~ ++ --"},
		{"postfix", postfix, "++ --"},
		{"boolean", bools, "|| && == != < <= > >="},
	} {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("%s operators: %s, want %s", c.what, got, c.want)
		}
	}
	if !OpSubAssign.MovesPointer() || !OpInc.MovesPointer() || OpMulAssign.MovesPointer() || OpShl.MovesPointer() {
		t.Error("MovesPointer: only + and - (and their compound and ++/-- forms) move a pointer")
	}
}
