package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode"

	"github.com/chzyer/readline"

	"github.com/gbt-dev/gbt/runtime"
)

// The REPL reads one program at a time (continuing over lines until braces
// balance), runs it until exit() or Ctrl-C, prints its maps and prompts
// again. Nothing kernel-side survives between entries.

const (
	promptMain = "gbt> "
	promptMore = "...> "
)

// replEnv is what the REPL needs from the rest of gbt.
type replEnv struct {
	// run compiles and runs one program; ctx is cancelled by Ctrl-C.
	run func(ctx context.Context, name, src string) error
	// listProbes prints the probes matching a pattern (like -l).
	listProbes func(w io.Writer, pattern string) error
	// words returns completion candidates: probe kinds, builtins, functions.
	words func() []string
	// tracepoints returns "category:name" for completion; called lazily.
	tracepoints func() []string
	stdout      io.Writer
	stderr      io.Writer
}

type repl struct {
	env      replEnv
	rl       *readline.Instance
	last     string          // last program run, for .last
	maps     map[string]bool // @maps seen in this session, for completion
	tpCache  []string
	tpLoaded bool
}

func historyPath() string {
	if dir, err := os.UserHomeDir(); err == nil {
		return filepath.Join(dir, ".gbt_history")
	}
	return ""
}

// runREPL runs the interactive loop until ^D, .quit or a second ^C at an
// empty prompt.
func runREPL(env replEnv, stdin io.ReadCloser) error {
	r := &repl{env: env, maps: map[string]bool{}}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          promptMain,
		HistoryFile:     historyPath(),
		AutoComplete:    r,
		InterruptPrompt: "^C",
		EOFPrompt:       "",
		Stdin:           stdin,
		Stdout:          env.stdout,
		Stderr:          env.stderr,
	})
	if err != nil {
		return fmt.Errorf("start prompt: %w", err)
	}
	defer rl.Close()
	r.rl = rl
	fmt.Fprintln(env.stdout, `gbt interactive: type a program (e.g. BEGIN { printf("hi\n"); exit(); }), .help for help, ^D to quit.`)
	interrupted := false
	for {
		src, err := r.readProgram()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if interrupted {
				return nil
			}
			interrupted = true
			fmt.Fprintln(env.stdout, "(^C again to quit)")
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		interrupted = false
		if strings.TrimSpace(src) == "" {
			continue
		}
		if quit := r.handle(src); quit {
			return nil
		}
	}
}

// readProgram reads lines until the braces, brackets and parentheses of the
// text balance (outside strings and comments).
func (r *repl) readProgram() (string, error) {
	var b strings.Builder
	r.rl.SetPrompt(promptMain)
	for {
		line, err := r.rl.Readline()
		if err != nil {
			if errors.Is(err, readline.ErrInterrupt) && b.Len() > 0 {
				// ^C while continuing a program abandons it.
				b.Reset()
				r.rl.SetPrompt(promptMain)
				continue
			}
			return "", err
		}
		b.WriteString(line)
		b.WriteByte('\n')
		if strings.HasPrefix(strings.TrimSpace(b.String()), ".") || balanced(b.String()) {
			return b.String(), nil
		}
		r.rl.SetPrompt(promptMore)
	}
}

// handle runs a dot-command or a program. It reports whether to quit.
func (r *repl) handle(src string) bool {
	trimmed := strings.TrimSpace(src)
	if strings.HasPrefix(trimmed, ".") {
		cmd, arg, _ := strings.Cut(trimmed, " ")
		arg = strings.TrimSpace(arg)
		switch cmd {
		case ".quit", ".exit", ".q":
			return true
		case ".help":
			fmt.Fprint(r.env.stdout, replHelp)
		case ".probes":
			if err := r.env.listProbes(r.env.stdout, arg); err != nil {
				fmt.Fprintln(r.env.stderr, "gbt:", err)
			}
		case ".load":
			if arg == "" {
				fmt.Fprintln(r.env.stderr, "gbt: .load needs a file name")
				break
			}
			b, err := os.ReadFile(arg)
			if err != nil {
				fmt.Fprintln(r.env.stderr, "gbt:", err)
				break
			}
			r.runProgram(arg, string(b))
		case ".last":
			if r.last == "" {
				fmt.Fprintln(r.env.stderr, "gbt: no program has run yet")
				break
			}
			r.runProgram("stdin", r.last)
		default:
			fmt.Fprintf(r.env.stderr, "gbt: unknown command %s (try .help)\n", cmd)
		}
		return false
	}
	r.runProgram("stdin", src)
	return false
}

func (r *repl) runProgram(name, src string) {
	r.last = src
	for _, m := range mapNames(src) {
		r.maps[m] = true
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r.env.run(ctx, name, src); err != nil {
		// Diagnostics were already rendered; other errors get one line.
		// exit(code) ends a program of the session, not the session.
		var shown shownError
		var status runtime.ExitCode
		if !errors.As(err, &shown) && !errors.As(err, &status) {
			fmt.Fprintln(r.env.stderr, "gbt:", err)
		}
	}
}

// shownError marks an error whose diagnostics were already printed.
type shownError struct{ err error }

func (e shownError) Error() string { return e.err.Error() }
func (e shownError) Unwrap() error { return e.err }

const replHelp = `Enter a gbt (bpftrace) program; it runs until exit() or ^C, then its maps print.
A program may span lines: input continues until its braces balance.
  .help            this text
  .probes PATTERN  list probes (like gbt -l PATTERN)
  .load FILE       run a script file
  .last            run the last program again
  .quit            leave (also ^D, or ^C twice at an empty prompt)
`

// balanced reports whether every (, [ and { in src is closed, ignoring
// strings, character literals and comments.
func balanced(src string) bool {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			for i++; i < len(src) && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if i+1 < len(src) && src[i+1] == '*' {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return false
				}
				i += end + 3
			}
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		}
	}
	return depth <= 0
}

// mapNames returns the @names a program mentions (for completion).
func mapNames(src string) []string {
	var names []string
	for i := 0; i < len(src); i++ {
		if src[i] != '@' {
			continue
		}
		j := i + 1
		for j < len(src) && (src[j] == '_' || unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j]))) {
			j++
		}
		if j > i+1 {
			names = append(names, src[i:j])
		}
		i = j - 1
	}
	return names
}

// Do implements readline.AutoCompleter: it completes the word before the
// cursor from probe kinds, tracepoints, builtins and the session's maps.
func (r *repl) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	if word == "" {
		return nil, 0
	}
	var cands []string
	switch {
	case strings.HasPrefix(word, "@"):
		for m := range r.maps {
			cands = append(cands, m)
		}
	case strings.Contains(word, ":"):
		kind, rest, _ := strings.Cut(word, ":")
		if kind == "tracepoint" || kind == "t" {
			if !r.tpLoaded {
				r.tpCache, r.tpLoaded = r.env.tracepoints(), true
			}
			for _, tp := range r.tpCache {
				if strings.HasPrefix(tp, rest) {
					cands = append(cands, kind+":"+tp)
				}
			}
		}
	default:
		cands = r.env.words()
	}
	sort.Strings(cands)
	var out [][]rune
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, word) && c != word && !seen[c] {
			seen[c] = true
			out = append(out, []rune(c[len(word):]))
		}
	}
	return out, len([]rune(word))
}

func isWordRune(r rune) bool {
	return r == '_' || r == '@' || r == ':' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
