package ast

// Op is an operator of the language: binary, unary (prefix or postfix) or
// assignment. As in go/token, one Op stands for one spelling, whatever the
// position it is written in: OpSub is both `a - b` and `-a`, OpMul both
// `a * b` and the dereference `*p`, OpAnd both `a & b` and `&x`.
//
// Everything the parser, the printer, the checker and the code generator
// need to know about an operator that is not its meaning lives in one
// table, ops, below; they compare Ops, never spellings.
type Op uint8

// The operators, binary ones first in C's order of precedence (loosest
// first).
const (
	OpInvalid Op = iota

	OpLOr  // ||
	OpLAnd // &&
	OpOr   // |
	OpXor  // ^
	OpAnd  // & (binary and, address-of)
	OpEql  // ==
	OpNeq  // !=
	OpLss  // <
	OpLeq  // <=
	OpGtr  // >
	OpGeq  // >=
	OpShl  // <<
	OpShr  // >>
	OpAdd  // + (binary plus, unary plus)
	OpSub  // - (binary minus, negation)
	OpMul  // * (multiplication, dereference)
	OpQuo  // /
	OpRem  // %

	OpNot   // !
	OpCompl // ~
	OpInc   // ++
	OpDec   // --

	OpAssign    // =
	OpAddAssign // +=
	OpSubAssign // -=
	OpMulAssign // *=
	OpQuoAssign // /=
	OpRemAssign // %=
	OpAndAssign // &=
	OpOrAssign  // |=
	OpXorAssign // ^=
	OpShlAssign // <<=
	OpShrAssign // >>=

	numOps
)

// OpClass groups operators by what they do to their operands. A binary
// operator's class is that of its binary form; the unary ! and ~ belong to
// the logical and bitwise classes.
type OpClass uint8

// The operator classes.
const (
	ClassNone       OpClass = iota
	ClassArithmetic         // + - * / %
	ClassBitwise            // & | ^ ~
	ClassShift              // << >>
	ClassComparison         // == != < <= > >=
	ClassLogical            // && || !
	ClassIncDec             // ++ -- (on a variable or map)
	ClassAssign             // = and the compound assignments
)

// opForm says in which positions an operator can be written.
type opForm uint8

const (
	formPrefix  opForm = 1 << iota // -x
	formPostfix                    // x++
)

// opInfo is one row of the operator table.
type opInfo struct {
	spelling string
	prec     int8 // binary precedence, 1 (||) to 10 (* / %); 0 if not binary
	class    OpClass
	form     opForm
	base     Op // the binary operator of a compound assignment, + for ++ and - for --
}

// ops is the one table of operators.
var ops = [numOps]opInfo{
	OpLOr:  {spelling: "||", prec: 1, class: ClassLogical},
	OpLAnd: {spelling: "&&", prec: 2, class: ClassLogical},
	OpOr:   {spelling: "|", prec: 3, class: ClassBitwise},
	OpXor:  {spelling: "^", prec: 4, class: ClassBitwise},
	OpAnd:  {spelling: "&", prec: 5, class: ClassBitwise, form: formPrefix},
	OpEql:  {spelling: "==", prec: 6, class: ClassComparison},
	OpNeq:  {spelling: "!=", prec: 6, class: ClassComparison},
	OpLss:  {spelling: "<", prec: 7, class: ClassComparison},
	OpLeq:  {spelling: "<=", prec: 7, class: ClassComparison},
	OpGtr:  {spelling: ">", prec: 7, class: ClassComparison},
	OpGeq:  {spelling: ">=", prec: 7, class: ClassComparison},
	OpShl:  {spelling: "<<", prec: 8, class: ClassShift},
	OpShr:  {spelling: ">>", prec: 8, class: ClassShift},
	OpAdd:  {spelling: "+", prec: 9, class: ClassArithmetic, form: formPrefix},
	OpSub:  {spelling: "-", prec: 9, class: ClassArithmetic, form: formPrefix},
	OpMul:  {spelling: "*", prec: 10, class: ClassArithmetic, form: formPrefix},
	OpQuo:  {spelling: "/", prec: 10, class: ClassArithmetic},
	OpRem:  {spelling: "%", prec: 10, class: ClassArithmetic},

	OpNot:   {spelling: "!", class: ClassLogical, form: formPrefix},
	OpCompl: {spelling: "~", class: ClassBitwise, form: formPrefix},
	OpInc:   {spelling: "++", class: ClassIncDec, form: formPrefix | formPostfix, base: OpAdd},
	OpDec:   {spelling: "--", class: ClassIncDec, form: formPrefix | formPostfix, base: OpSub},

	OpAssign:    {spelling: "=", class: ClassAssign},
	OpAddAssign: {spelling: "+=", class: ClassAssign, base: OpAdd},
	OpSubAssign: {spelling: "-=", class: ClassAssign, base: OpSub},
	OpMulAssign: {spelling: "*=", class: ClassAssign, base: OpMul},
	OpQuoAssign: {spelling: "/=", class: ClassAssign, base: OpQuo},
	OpRemAssign: {spelling: "%=", class: ClassAssign, base: OpRem},
	OpAndAssign: {spelling: "&=", class: ClassAssign, base: OpAnd},
	OpOrAssign:  {spelling: "|=", class: ClassAssign, base: OpOr},
	OpXorAssign: {spelling: "^=", class: ClassAssign, base: OpXor},
	OpShlAssign: {spelling: "<<=", class: ClassAssign, base: OpShl},
	OpShrAssign: {spelling: ">>=", class: ClassAssign, base: OpShr},
}

// MaxPrec is the highest binary precedence (that of * / %).
const MaxPrec = 10

func (op Op) info() *opInfo {
	if op >= numOps {
		return &ops[OpInvalid]
	}
	return &ops[op]
}

// String returns the operator as written ("+", "<<=", ...), or "" for
// OpInvalid.
func (op Op) String() string { return op.info().spelling }

// Class returns the operator's class.
func (op Op) Class() OpClass { return op.info().class }

// Precedence returns the binding strength of the binary operator, from 1
// (||) to MaxPrec (* / %), higher binding tighter; 0 if op is not binary.
// All binary operators are left associative.
func (op Op) Precedence() int { return int(op.info().prec) }

// IsBinary reports whether op can be written between two operands.
func (op Op) IsBinary() bool { return op.info().prec > 0 }

// IsPrefix reports whether op can be written before an operand.
func (op Op) IsPrefix() bool { return op.info().form&formPrefix != 0 }

// IsPostfix reports whether op can be written after an operand (++, --).
func (op Op) IsPostfix() bool { return op.info().form&formPostfix != 0 }

// IsAssign reports whether op is = or a compound assignment.
func (op Op) IsAssign() bool { return op.info().class == ClassAssign }

// IsCompound reports whether op is a compound assignment such as += or <<=.
func (op Op) IsCompound() bool { return op.IsAssign() && op != OpAssign }

// IsComparison reports whether op compares its operands (== != < <= > >=).
func (op Op) IsComparison() bool { return op.info().class == ClassComparison }

// IsLogical reports whether op is && or || (or the unary !).
func (op Op) IsLogical() bool { return op.info().class == ClassLogical }

// YieldsBool reports whether the binary operator yields 0 or 1 whatever its
// operands: the comparisons, && and ||.
func (op Op) YieldsBool() bool {
	c := op.info().class
	return op.IsBinary() && (c == ClassComparison || c == ClassLogical)
}

// MovesPointer reports whether the binary operator, or the base of the
// compound assignment, applies to a pointer and an integer, moving the
// pointer by whole elements as in C: + and -.
func (op Op) MovesPointer() bool {
	if b := op.Base(); b != OpInvalid {
		op = b
	}
	return op == OpAdd || op == OpSub
}

// DividesUnsigned reports whether the binary operator divides (/ and %):
// BPF divides unsigned, so signed operands change the result.
func (op Op) DividesUnsigned() bool { return op == OpQuo || op == OpRem }

// Base returns the binary operator a compound assignment applies (+ for
// +=), + for ++ and - for --; OpInvalid for any other operator.
func (op Op) Base() Op { return op.info().base }

// opSlot places a spelling in opBySpelling: its first byte, and which of
// the shapes it has, x, x=, xx or xx= (every operator has one of them).
func opSlot(s string) (first byte, shape int, ok bool) {
	if len(s) == 0 || s[0] >= 0x80 {
		return 0, 0, false
	}
	switch {
	case len(s) == 1:
		return s[0], 0, true
	case len(s) == 2 && s[1] == '=':
		return s[0], 1, true
	case len(s) == 2 && s[1] == s[0]:
		return s[0], 2, true
	case len(s) == 3 && s[1] == s[0] && s[2] == '=':
		return s[0], 3, true
	}
	return 0, 0, false
}

// opBySpelling finds an operator from its spelling without hashing (the
// parser looks up every punctuation token): it is indexed by opSlot, and
// filled from the table.
var opBySpelling = func() (m [0x80][4]Op) {
	for op := OpInvalid + 1; op < numOps; op++ {
		first, shape, ok := opSlot(ops[op].spelling)
		if !ok || m[first][shape] != OpInvalid {
			panic("ast: operator " + ops[op].spelling + " does not fit opBySpelling")
		}
		m[first][shape] = op
	}
	return m
}()

// LookupOp returns the operator spelled s, or OpInvalid if s is not one.
func LookupOp(s string) Op {
	first, shape, ok := opSlot(s)
	if !ok {
		return OpInvalid
	}
	return opBySpelling[first][shape]
}
