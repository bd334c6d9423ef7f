package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/gbt-dev/gbt/runtime/output/flamegraph"
)

// flameGraphWriter opens --flamegraph's file now, so that a path that
// cannot be written fails before the trace starts, and returns the
// runtime's exit hook that draws the stack-keyed maps into it and closes
// it. subtitle names the script.
func (a *app) flameGraphWriter(subtitle string) (write func(runtime.StackMaps) error, closeFile func(), err error) {
	f, err := os.OpenFile(a.opts.flamegraph, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("--flamegraph: %w", err)
	}
	write = func(st runtime.StackMaps) error {
		if len(st.Names) == 0 {
			fmt.Fprintf(a.stderr, "WARNING: --flamegraph: no map is keyed by kstack or ustack (with integer values): %s has no frames\n", a.opts.flamegraph)
		}
		title := "Flame Graph"
		if len(st.Names) > 0 {
			title = "Flame Graph: " + strings.Join(st.Names, ", ")
		}
		if err := flamegraph.Write(f, toFlame(st.Stacks), flamegraph.Options{Title: title, Subtitle: subtitle}); err != nil {
			return fmt.Errorf("--flamegraph: write %s: %w", a.opts.flamegraph, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("--flamegraph: write %s: %w", a.opts.flamegraph, err)
		}
		return nil
	}
	return write, func() { f.Close() }, nil
}

// writePprof writes the stack-keyed maps as a pprof profile on the
// output (-f pprof).
func (a *app) writePprof(st runtime.StackMaps) error {
	if len(st.Names) == 0 {
		fmt.Fprintln(a.stderr, "WARNING: -f pprof: no map is keyed by kstack or ustack (with integer values): the profile has no samples")
	}
	return output.WritePprof(a.stdout, st.Stacks, "samples")
}

// toFlame converts folded stacks to the drawing's.
func toFlame(in []output.FoldedStack) []flamegraph.Stack {
	out := make([]flamegraph.Stack, len(in))
	for i, s := range in {
		out[i] = flamegraph.Stack{Frames: s.Frames, Count: s.Count}
	}
	return out
}

// scriptSubtitle is the graph's subtitle: the -e program, shortened to a
// line, or the script file's name.
func scriptSubtitle(o *options) string {
	if o.program == "" {
		return "gbt " + o.file
	}
	p := strings.Join(strings.Fields(o.program), " ")
	if r := []rune(p); len(r) > 120 {
		p = string(r[:117]) + "..."
	}
	return "gbt -e '" + p + "'"
}
