package main

import (
	"fmt"
	"slices"
	"strings"
)

// The newest bpftrace's -d STAGE (--debug STAGE) prints what one stage of
// compiling made and then runs the script; bpftrace 0.17's bare -d (and
// -dd) prints and runs nothing. gbt takes both: -d followed by a stage's
// name is the newest form, anything else the old one. gbt's stages are
// its own: the checked AST with its types, and the BPF instructions.
var debugStages = []string{"all", "ast", "types", "parse", "codegen", "codegen-opt", "dis", "libbpf", "verifier"}

// takeDebugStages removes -d STAGE, --debug STAGE and --debug=STAGE from
// argv (up to a "--") and returns the stages they name.
func takeDebugStages(argv []string) (rest, stages []string, err error) {
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			return append(rest, argv[i:]...), stages, nil
		}
		if v, ok := strings.CutPrefix(a, "--debug="); ok {
			if !slices.Contains(debugStages, v) {
				return nil, nil, &cliError{fmt.Sprintf("USAGE: invalid option for -d: %s (the stages: %s)", v, strings.Join(debugStages, ", "))}
			}
			stages = append(stages, v)
			continue
		}
		if (a == "-d" || a == "--debug") && i+1 < len(argv) && slices.Contains(debugStages, argv[i+1]) {
			stages = append(stages, argv[i+1])
			i++
			continue
		}
		if a == "--debug" {
			return nil, nil, &cliError{fmt.Sprintf("USAGE: --debug needs a stage: %s", strings.Join(debugStages, ", "))}
		}
		rest = append(rest, a)
	}
	return rest, stages, nil
}

// debugWants reports whether the stages of -d STAGE ask for what one of
// names prints.
func (o *options) debugWants(names ...string) bool {
	for _, s := range o.debugStages {
		if s == "all" || slices.Contains(names, s) {
			return true
		}
	}
	return false
}
