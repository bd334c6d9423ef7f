package parse

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. It is private: Parse lowers it into lang/ast.
//
// The grammar covers the script's structure: shebang, #include lines, C
// definitions, the config block, probes with their attach point lists and
// predicates, blocks and compound statements. Expressions (gExpr, expr.go)
// and simple statements (gSimple, stmt.go) are participle Parseables that
// parse by hand, with precedence climbing, straight into ast nodes.
//
// Every production records the tokens it matched (Tokens), which gives
// exact source spans. Lookahead is 0: once an alternative has consumed a
// token it is committed, so errors are reported where they occur rather than
// at the start of the enclosing construct. if/else-if chains are flat here
// and nested when lowering, so a long chain does not recurse.

type gProgram struct {
	Tokens  []lexer.Token
	Shebang string    `parser:"@Shebang?"`
	Defs    []*gDef   `parser:"@@*"`
	Config  *gConfig  `parser:"@@?"`
	Probes  []*gProbe `parser:"@@*"`
}

// gDef is a top-level #include or C definition.
type gDef struct {
	Tokens  []lexer.Token
	Include string `parser:"(  @Include"`
	Kind    string `parser:" | @('struct' | 'union' | 'enum')"`
	Name    string `parser:"   @Ident"`
	Body    string `parser:"   @CBody ';'? )"`
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

type gProbe struct {
	Tokens []lexer.Token
	Points []*gAttach `parser:"@@ ( ',' @@ )*"`
	Pred   *gExpr     `parser:"( '/' @@ PredEnd )?"`
	Body   *gBlock    `parser:"@@"`
}

type gAttach struct {
	Tokens []lexer.Token
	Raw    string `parser:"@Attach"`
}

type gBlock struct {
	Tokens []lexer.Token
	Stmts  []*gStmt `parser:"'{' @@* '}'"`
}

// gStmt is one statement. Compound statements need no ';'; simple ones end
// at ';' or before the closing '}'.
type gStmt struct {
	Tokens []lexer.Token
	Simple *gSimple `parser:"(  @@"`
	If     *gIf     `parser:" | @@"`
	Unroll *gUnroll `parser:" | @@"`
	While  *gWhile  `parser:" | @@"`
	For    *gFor    `parser:" | @@"`
	Block  *gBlock  `parser:" | @@"`
	Empty  bool     `parser:" | @';' )"`
}

type gIf struct {
	Tokens []lexer.Token
	Cond   *gExpr   `parser:"'if' '(' @@ ')'"`
	Then   *gBlock  `parser:"@@"`
	Elses  []*gElse `parser:"@@*"`
}

// gElse is one else clause: `else if (cond) {...}` or a final `else {...}`.
// The chain is flat here and nested when lowering.
type gElse struct {
	Tokens []lexer.Token
	Cond   *gExpr  `parser:"'else' ( 'if' '(' @@ ')' )?"`
	Then   *gBlock `parser:"@@"`
}

type gUnroll struct {
	Tokens []lexer.Token
	Count  *gExpr  `parser:"'unroll' '(' @@ ')'"`
	Body   *gBlock `parser:"@@"`
}

type gWhile struct {
	Tokens []lexer.Token
	Cond   *gExpr  `parser:"'while' '(' @@ ')'"`
	Body   *gBlock `parser:"@@"`
}

type gFor struct {
	Tokens []lexer.Token
	Var    *gTok   `parser:"'for' '(' @@"`
	Map    *gTok   `parser:"':' @@ ')'"`
	Body   *gBlock `parser:"@@"`
}

// gTok captures one token with its position.
type gTok struct {
	Tokens []lexer.Token
	Text   string `parser:"@(Var | Map)"`
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
