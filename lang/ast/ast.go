// Package ast declares the syntax tree of a gbt (bpftrace-compatible) script.
//
// Every node records the span of source it came from, so that every later stage
// (checker, code generator, verifier-error mapping) can point at the script.
// The tree is built once by the parser and never mutated afterwards: the
// checker records what it learns in side tables keyed by node pointers.
package ast

import "fmt"

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes, with a tab counting as one column (as bpftrace does).
type Pos struct {
	Offset int // byte offset, 0-based
	Line   int
	Col    int
}

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Span is a half-open range of source [Start, End).
type Span struct {
	Start Pos
	End   Pos
	// Origin is where Start and End are when not in the script's own
	// text (a macro expansion, a library file); nil for the script's nodes.
	Origin *Origin
}

// Pos returns the first position of the span.
func (s Span) Pos() Pos { return s.Start }

// EndPos returns the position just past the span.
func (s Span) EndPos() Pos { return s.End }

// NodeSpan returns the span itself: a node's whole span, with its Origin.
func (s Span) NodeSpan() Span { return s }

// Join returns the smallest span covering both s and t.
func (s Span) Join(t Span) Span {
	r := s
	if !r.Start.IsValid() || (t.Start.IsValid() && t.Start.Offset < r.Start.Offset) {
		r.Start = t.Start
	}
	if !r.End.IsValid() || t.End.Offset > r.End.Offset {
		r.End = t.End
	}
	return r
}

// Node is implemented by every syntax tree node.
type Node interface {
	Pos() Pos       // first byte of the node
	EndPos() Pos    // one past the last byte of the node
	NodeSpan() Span // the node's span, with its Origin
	node()
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// ---------------------------------------------------------------------------
// Top level

// Program is a whole script.
type Program struct {
	Span
	File     string     // file name used in diagnostics ("stdin" for -e)
	Shebang  string     // first line without "#!", "" if none
	Includes []*Include // #include lines, in order
	Macros   []*Macro   // #define lines (active ones), in order
	CDefs    []*CDef    // C struct/union/enum definitions, in order
	Config   *Config    // config = { ... } block or nil
	Imports  []*Import  // root `import "path";` statements, in order
	MapDecls []*MapDecl // let @m = hash(N); declarations, in order
	Probes   []*Probe   // probe blocks, in order
	Comments []*Comment // all comments, in order (kept for tooling)
	// MacroDefs are the script's `macro name(...) { }` definitions, in
	// order; lang/macro expands their uses before checking.
	MacroDefs []*MacroDef
	// Text is the script's source, which spans of macro expansions refer
	// back to.
	Text string
}

// Include is an `#include <file>` or `#include "file"` line.
type Include struct {
	Span
	Path   string // as written, without the delimiters
	System bool   // true for <...>
}

// Import is a root `import "path";` statement (bpftrace 0.24): a .bt
// script, a C header or a directory of them, resolved by lang/imports.
type Import struct {
	Span
	Path string // as written, unquoted
}

// Macro is a `#define NAME VALUE` line; integer values act as constants.
type Macro struct {
	Span
	Name  string
	Value string // the rest of the line, trimmed
}

// CDef is a C type definition at the top level (struct, union or enum).
// Its body is kept as written; the checker parses members from it.
type CDef struct {
	Span
	Kind   string // "struct", "union" or "enum"
	Name   string
	Body   string // text between the braces, verbatim
	Fields []*CField
	// Attrs is what follows the closing brace, verbatim:
	// `__attribute__((packed))`, or "".
	Attrs string
}

// CField is one member of a struct or union definition, or one enumerator.
type CField struct {
	Span
	Type   *TypeExpr // nil for enumerators
	Name   string
	ArrayN int  // >0 for arrays: char name[16]
	Value  Expr // enumerator value, or nil
	Bits   int  // bit-field width, 0 if none
}

// Config is a `config = { key = value; ... }` block.
type Config struct {
	Span
	Items []*ConfigItem
}

// ConfigItem is one `key = value` entry of a config block.
type ConfigItem struct {
	Span
	Key   string
	Value Expr
}

// MapDecl is a map declaration `let @name = kind(max_entries);`: the BPF
// map kind (hash, lruhash, percpuhash, percpulruhash) and size of @name.
type MapDecl struct {
	Span
	Name       string // with its '@'
	NameSpan   Span
	Kind       string
	MaxEntries uint64
}

// Comment is a // or /* */ comment.
type Comment struct {
	Span
	Text string // including the delimiters
}

// Probe is one probe block: attach points, an optional predicate and a body.
type Probe struct {
	Span
	Points    []*AttachPoint
	Predicate Expr // nil if none
	Body      *Block
}

// AttachPoint is one attach point as written, e.g. `tracepoint:syscalls:sys_enter_*`.
// Provider is the probe kind exactly as written (possibly an alias such as
// "t"); Parts are the colon-separated pieces after it. A provider written
// alone (BEGIN, END) has no parts. Wildcards and {a,b} alternations are kept
// verbatim; expansion is done by the checker against a probe environment.
type AttachPoint struct {
	Span
	Raw      string
	Provider string
	Parts    []string
}

// ---------------------------------------------------------------------------
// Statements

// Block is a braced list of statements.
type Block struct {
	Span
	Stmts []Stmt
}

// ExprStmt is an expression evaluated for its effect: a call, `@x++`.
type ExprStmt struct {
	Span
	X Expr
}

// AssignStmt assigns to a scratch variable or a map element. Op is OpAssign
// or a compound assignment such as OpAddAssign (+=) or OpShlAssign (<<=).
type AssignStmt struct {
	Span
	LHS Expr // *Variable or *MapRef
	Op  Op
	RHS Expr
	// Decl marks `let $x;`, a declaration with neither type nor value:
	// RHS is a 0 that stands for the zero value of the type the
	// variable's first assigned value gives it.
	Decl bool
	// Let marks every `let` statement, which declares a new variable.
	Let bool
}

// IfStmt is `if (cond) { ... } else ...`. Else is nil, a *BlockStmt or an *IfStmt.
type IfStmt struct {
	Span
	Cond Expr
	Then *Block
	Else Stmt
}

// UnrollStmt is `unroll(N) { ... }`.
type UnrollStmt struct {
	Span
	Count Expr
	Body  *Block
}

// WhileStmt is `while (cond) { ... }`.
type WhileStmt struct {
	Span
	Cond Expr
	Body *Block
}

// ForStmt is `for ($kv : @map) { ... }`, or, with Map nil,
// `for ($i : From..To) { ... }` (bpftrace 0.24).
type ForStmt struct {
	Span
	Var      *Variable
	Map      *MapRef
	From, To Expr
	Body     *Block
}

// JumpStmt is break, continue or return.
type JumpStmt struct {
	Span
	Keyword string // "break", "continue" or "return"
	Value   Expr   // return value or nil
}

// BlockStmt is a nested bare block `{ ... }` used as a statement.
type BlockStmt struct {
	Span
	Body *Block
}

// ---------------------------------------------------------------------------
// Expressions

// IntLit is an integer or character literal. Raw is the text as written
// ("0x10", "1_000", "10ul", "1e6", "'a'"); Value is its value.
type IntLit struct {
	Span
	Raw   string
	Value uint64
}

// StrLit is a string literal; Value has escapes decoded.
type StrLit struct {
	Span
	Raw   string // as written, with quotes
	Value string
}

// BoolLit is true or false.
type BoolLit struct {
	Span
	Value bool
}

// Ident is a bare identifier: a builtin variable (pid, comm), an enum
// constant, or a name the checker will reject.
type Ident struct {
	Span
	Name string
}

// Variable is a scratch variable such as $x.
type Variable struct {
	Span
	Name string // including the leading '$'
}

// Positional is a positional parameter $1..$N, or $# when Count is set.
type Positional struct {
	Span
	Index int
	Count bool
}

// MapRef is a map, optionally indexed: @, @name, @name[k], @name[k1, k2].
// Keys is nil when the map is used without brackets.
type MapRef struct {
	Span
	Name string // including the leading '@' ("@" for the anonymous map)
	Keys []Expr
}

// Call is a function call such as printf("%d", pid) or count().
type Call struct {
	Span
	Name    string
	NameEnd Pos // end of the callee name (for errors that point at it)
	Args    []Expr
}

// Unary is a prefix or postfix operator: ! ~ - * & ++ --.
type Unary struct {
	Span
	Op      Op
	X       Expr
	Postfix bool // x++ / x--
}

// Binary is a binary operator.
type Binary struct {
	Span
	Op    Op
	OpPos Pos // position of the operator token
	X     Expr
	Y     Expr
}

// Ternary is `cond ? a : b`.
type Ternary struct {
	Span
	Cond Expr
	Then Expr
	Else Expr
}

// Cast is `(type)x`.
type Cast struct {
	Span
	Type *TypeExpr
	X    Expr
}

// TypeExpr names a type in a cast, sizeof or struct definition:
// "uint32", "struct task_struct", "int8", with Ptr levels of '*' and an
// optional array length ("uint8[4]").
type TypeExpr struct {
	Span
	Name   string // "uint32", "struct task_struct", "union u", "enum e", "char"...
	Ptr    int
	ArrayN int // >0 for array casts such as (uint8[4]); -1 for (uint8[]), sized by the value
	// ArrayPtr counts the pointers after the array: (uint32[4]*)p points
	// at an array of 4 (C's uint32_t (*p)[4]).
	ArrayPtr int
	// Of is the expression of typeof(expr) (bpftrace 0.22), whose type
	// this is (Name is then empty); the expression is never evaluated.
	Of Expr
}

// Field is `x.name` or `x->name`.
type Field struct {
	Span
	X     Expr
	Name  string
	Arrow bool
	// Open is the '(' before X when X is written in parentheses
	// (`((struct foo *)0)->a`), where bpftrace 0.17's position of the
	// field starts; the Span starts at X, as the newest bpftrace's does.
	// Zero without parentheses.
	Open Pos
}

// TupleIndex is `t.0`.
type TupleIndex struct {
	Span
	X     Expr
	Index int
}

// Index is `x[i]` on a non-map value (arrays, pointers).
type Index struct {
	Span
	X     Expr
	Index Expr
}

// Tuple is `(a, b, ...)` with at least two elements.
type Tuple struct {
	Span
	Elems []Expr
}

// Sizeof is sizeof(type) or sizeof(expr); exactly one of Type and X is set.
type Sizeof struct {
	Span
	Type *TypeExpr
	X    Expr
}

// Offsetof is offsetof(type, field[.field...]).
type Offsetof struct {
	Span
	Type  *TypeExpr
	Field []string
}

// ---------------------------------------------------------------------------
// Interface assertions.

func (*Program) node()     {}
func (*Include) node()     {}
func (*Macro) node()       {}
func (*CDef) node()        {}
func (*CField) node()      {}
func (*Config) node()      {}
func (*ConfigItem) node()  {}
func (*MapDecl) node()     {}
func (*Comment) node()     {}
func (*Probe) node()       {}
func (*AttachPoint) node() {}
func (*Block) node()       {}
func (*TypeExpr) node()    {}

func (*ExprStmt) node()   {}
func (*AssignStmt) node() {}
func (*IfStmt) node()     {}
func (*UnrollStmt) node() {}
func (*WhileStmt) node()  {}
func (*ForStmt) node()    {}
func (*JumpStmt) node()   {}
func (*BlockStmt) node()  {}

func (*ExprStmt) stmtNode()   {}
func (*AssignStmt) stmtNode() {}
func (*IfStmt) stmtNode()     {}
func (*UnrollStmt) stmtNode() {}
func (*WhileStmt) stmtNode()  {}
func (*ForStmt) stmtNode()    {}
func (*JumpStmt) stmtNode()   {}
func (*BlockStmt) stmtNode()  {}

func (*IntLit) node()     {}
func (*StrLit) node()     {}
func (*BoolLit) node()    {}
func (*Ident) node()      {}
func (*Variable) node()   {}
func (*Positional) node() {}
func (*MapRef) node()     {}
func (*Call) node()       {}
func (*Unary) node()      {}
func (*Binary) node()     {}
func (*Ternary) node()    {}
func (*Cast) node()       {}
func (*Field) node()      {}
func (*TupleIndex) node() {}
func (*Index) node()      {}
func (*Tuple) node()      {}
func (*Sizeof) node()     {}
func (*Offsetof) node()   {}

func (*IntLit) exprNode()     {}
func (*StrLit) exprNode()     {}
func (*BoolLit) exprNode()    {}
func (*Ident) exprNode()      {}
func (*Variable) exprNode()   {}
func (*Positional) exprNode() {}
func (*MapRef) exprNode()     {}
func (*Call) exprNode()       {}
func (*Unary) exprNode()      {}
func (*Binary) exprNode()     {}
func (*Ternary) exprNode()    {}
func (*Cast) exprNode()       {}
func (*Field) exprNode()      {}
func (*TupleIndex) exprNode() {}
func (*Index) exprNode()      {}
func (*Tuple) exprNode()      {}
func (*Sizeof) exprNode()     {}
func (*Offsetof) exprNode()   {}
