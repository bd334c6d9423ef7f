package check

import (
	"errors"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/probe"
)

// kernelHeaderDirs are the top directories of the kernel's include tree.
// gbt reads kernel types and enums from BTF, so a header under them is
// never needed (bpftrace's tools include <net/sock.h>, which only a
// kernel source tree has); any other header must exist.
var kernelHeaderDirs = map[string]bool{
	"linux": true, "asm": true, "asm-generic": true, "uapi": true, "net": true,
	"trace": true, "crypto": true, "keys": true, "acpi": true, "drm": true,
	"media": true, "scsi": true, "sound": true, "video": true, "xen": true,
	"rdma": true, "soc": true, "kvm": true, "vdso": true, "clocksource": true,
	"misc": true, "pcmcia": true, "ras": true, "target": true, "math-emu": true,
	"dt-bindings": true, "generated": true,
}

// includes reports an #include whose header the Env finds nowhere, as
// clang fails for bpftrace, with clang's line for it as bpftrace prints
// it. Headers of the kernel's include tree are not looked up, and an Env
// that cannot answer lets every header pass.
func (c *checker) includes(prog *ast.Program) {
	if c.cfg.Env == nil {
		return
	}
	for _, inc := range prog.Includes {
		if dir, _, ok := strings.Cut(inc.Path, "/"); ok && kernelHeaderDirs[dir] {
			continue
		}
		err := c.cfg.Env.Header(inc.Path, inc.System)
		if err == nil || errors.Is(err, probe.ErrUnavailable) {
			continue
		}
		d := c.errorf(inc.Span, "%v", err)
		if errors.Is(err, probe.ErrNoHeader) {
			if inc.Origin == nil {
				d.C, d.CFatal = err.Error(), true
				d.CAt = definitionsPos(prog, inc)
			}
			d.Hint = "gbt takes kernel types from BTF and needs no kernel headers; other headers are searched for in the -I directories, /usr/local/include, /usr/include/<multiarch triple> and /usr/include"
		}
	}
}

// definitionsPos is where bpftrace's clang sees the script's #include
// inc: in definitions.h, a line of bpftrace's own, then the script's C
// statements in order (its preprocessor lines and type definitions,
// without the lines between them), each from its first non-blank byte;
// the column is that of the header name's delimiter.
func definitionsPos(prog *ast.Program, inc *ast.Include) *diag.CPos {
	lines := strings.Split(prog.Text, "\n")
	inDef := map[int]bool{}
	for _, d := range prog.CDefs {
		for l := d.Start.Line; l <= d.End.Line; l++ {
			inDef[l] = true
		}
	}
	line := 2 // after bpftrace's own line
	for l := 1; l < inc.Start.Line && l <= len(lines); l++ {
		t := strings.TrimSpace(lines[l-1])
		directive := strings.HasPrefix(t, "#") && !(l == 1 && strings.HasPrefix(t, "#!"))
		if directive || inDef[l] {
			line++
		}
	}
	col := 1
	if l := inc.Start.Line; l <= len(lines) && inc.Start.Col-1 <= len(lines[l-1]) {
		from := inc.Start.Col - 1 // the '#'
		if i := strings.IndexAny(lines[l-1][from:], "<\""); i >= 0 {
			col = i + 1
		}
	}
	return &diag.CPos{File: "definitions.h", Line: line, Col: col}
}
