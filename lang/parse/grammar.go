package parse

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. It is private: Parse lowers it into lang/ast.
//
// participle parses what comes before the probes: shebang, #include lines,
// C definitions and the config block, up to the first probe's first attach
// point. The probes, which are the script's last items and its bulk, are
// parsed by hand (stmt.go, expr.go) from the scanned tokens, straight into
// ast nodes: participle's reflective descent and its copy of every token
// cost most of the parse time and allocations. Expressions inside the
// participle part (config values) are a Parseable (gExpr) that calls the
// same hand-written parser.
//
// Every production records the tokens it matched (Tokens), which gives
// exact source spans. Lookahead is 0: once an alternative has consumed a
// token it is committed, so errors are reported where they occur rather than
// at the start of the enclosing construct.

type gProgram struct {
	Tokens  []lexer.Token
	Shebang string   `parser:"@Shebang?"`
	Defs    []*gDef  `parser:"@@*"`
	Heads   []*gHead `parser:"@@*"`
	// FirstProbe is the first probe's first attach point, where participle's
	// part ends.
	FirstProbe string `parser:"@Attach?"`
}

// gDef is a top-level #include or C definition.
type gDef struct {
	Tokens  []lexer.Token
	Include string `parser:"(  @Include"`
	Kind    string `parser:" | @('struct' | 'union' | 'enum')"`
	Name    string `parser:"   ( @Ident"`
	Body    string `parser:"     @CBody | @CBody ) ';'? )"` // the lexer lets only an enum be anonymous
}

// gHead is a config block or a root import; they follow the C
// definitions, in any order (bpftrace 0.24).
type gHead struct {
	Tokens []lexer.Token
	Config *gConfig `parser:"  @@"`
	Import string   `parser:"| 'import' @String ';'?"`
}

type gConfig struct {
	Tokens []lexer.Token
	Items  []*gConfigItem `parser:"'config' '=' '{' ( ';' | @@ (?= ';' | '}') ';'? )* '}'"`
}

type gConfigItem struct {
	Tokens []lexer.Token
	Key    string `parser:"@Ident '='"`
	Value  *gExpr `parser:"@@"`
}

// C definition members, parsed from a CDef body with their own parser.
type gMembers struct {
	Members []*gMember `parser:"'{' @@* '}'"`
}

type gMember struct {
	Tokens []lexer.Token
	Words  []string `parser:"@(Ident | Type | 'struct' | 'union' | 'enum')+"`
	Stars  []string `parser:"@'*'*"`
	Name   string   `parser:"@Ident?"`
	Len    string   `parser:"( '[' @Int ']' )?"`
	Bits   string   `parser:"( ':' @Int )?"`
	Value  *gExpr   `parser:"( '=' @@ )?"`
	End    string   `parser:"@(';' | ',')?"`
}

// grammars are the parsers built from the grammar above.
type grammars struct {
	program *participle.Parser[gProgram]
	members *participle.Parser[gMembers]
}

// parsers returns the grammar's parsers, built once on first use.
var parsers = sync.OnceValue(func() grammars {
	opts := []participle.Option{participle.Lexer(definition{}), participle.UseLookahead(0)}
	return grammars{
		program: participle.MustBuild[gProgram](opts...),
		members: participle.MustBuild[gMembers](opts...),
	}
})
