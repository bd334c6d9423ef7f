package probetest

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gbt-dev/gbt/lang/probe"
)

// cannedUSDT are the USDT probes of canned programs: python's function
// entry and return probes (code object pointers and a line number as
// arguments, a semaphore each) and its gc__start; bpftrace's
// usdt_multi_args test program's probe of 12 arguments on the stack.
var cannedUSDT = map[string][]probe.USDTSite{
	"/usr/lib/libpython3.so": {
		{Provider: "python", Name: "function__entry", Offset: 0x1b2f40, Semaphore: 0x5c4a50, Args: []probe.USDTArg{
			{Size: 8, Kind: probe.USDTReg, Reg: "r14"}, {Size: 8, Kind: probe.USDTReg, Reg: "r15"}, {Size: 4, Signed: true, Kind: probe.USDTReg, Reg: "ax"},
		}},
		{Provider: "python", Name: "function__return", Offset: 0x1b3c10, Semaphore: 0x5c4a52, Args: []probe.USDTArg{
			{Size: 8, Kind: probe.USDTReg, Reg: "r14"}, {Size: 8, Kind: probe.USDTReg, Reg: "r15"}, {Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -20},
		}},
		{Provider: "python", Name: "gc__start", Offset: 0x2a1e30, Semaphore: 0x5c4a54, Args: []probe.USDTArg{
			{Size: 4, Signed: true, Kind: probe.USDTReg, Reg: "bx"},
		}},
	},
	"/srv/testprogs/usdt_multi_args": {
		{Provider: "usdt_multi_args", Name: "probe1", Offset: 0x117c, Args: []probe.USDTArg{
			{Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -4}, {Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -8}, {Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -16},
			{Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -20}, {Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -24}, {Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -28},
			{Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -40}, {Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -48}, {Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -56},
			{Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -64}, {Size: 4, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -68}, {Size: 8, Signed: true, Kind: probe.USDTMem, Reg: "bp", Value: -80},
		}},
	},
}

// USDTSites implements probe.Env over the canned programs.
func (e *Env) USDTSites(path string) ([]probe.USDTSite, error) {
	sites, ok := cannedUSDT[path]
	if !ok {
		return nil, fmt.Errorf("read USDT probes of %s: no such canned program", path)
	}
	return sites, nil
}

// cannedUserFuncs are the function symbols of the canned programs.
var cannedUserFuncs = map[string][]probe.UserFunc{
	"/bin/bash": {
		{Name: "echo_builtin", Addr: 0x4b9a0, Size: 0x2f5},
		{Name: "main", Addr: 0x31ee0, Size: 0x1c8},
		{Name: "readline", Addr: 0xcd7b0, Size: 0xd2},
	},
	"/usr/lib/x86_64-linux-gnu/libc.so.6": {
		{Name: "free", Addr: 0xa58d0, Size: 0xc6},
		{Name: "malloc", Addr: 0xa5040, Size: 0x2c2},
	},
	"/usr/lib/libpython3.so": {
		{Name: "PyEval_EvalCode", Addr: 0x1b2e00, Size: 0x120},
	},
	"/srv/testprogs/uprobe_test": {
		{Name: "_init", Addr: 0x1000, Size: 0}, // crti.o's, of no size
		{Name: "main", Addr: 0x1196, Size: 0x220},
		{Name: "uprobeFunction1", Addr: 0x1139, Size: 0x15},
		{Name: "uprobeFunction2", Addr: 0x114e, Size: 0x12},
		{Name: "uprobeFunctionBar", Addr: 0x1188, Size: 0xe},
	},
}

// cannedLibraries are what library names resolve to.
var cannedLibraries = map[string]string{
	"libc": "/usr/lib/x86_64-linux-gnu/libc.so.6",
	"bash": "/bin/bash",
}

// UserFunctions implements probe.Env over the canned programs.
func (e *Env) UserFunctions(path string) ([]probe.UserFunc, error) {
	funcs, ok := cannedUserFuncs[path]
	if !ok {
		return nil, fmt.Errorf("read symbols of %s: no such canned program", path)
	}
	return funcs, nil
}

// TracedProgram implements probe.Env: e.Program.
func (e *Env) TracedProgram() (string, error) {
	if e.Program == "" {
		return "", fmt.Errorf("no traced process: %w", probe.ErrUnavailable)
	}
	return e.Program, nil
}

// UserBinaries implements probe.Env over the canned programs: a path is
// itself, a glob matches the canned paths, a name without a slash is a
// canned library (else itself), and "" or "*" are the files of e.Process.
func (e *Env) UserBinaries(pattern string) ([]probe.UserBinary, error) {
	var out []probe.UserBinary
	add := func(p string) { out = append(out, probe.UserBinary{Name: p, Path: p}) }
	switch {
	case pattern == "" || pattern == "*" && len(e.Process) > 0:
		for _, p := range e.Process {
			add(p)
		}
	case strings.ContainsAny(pattern, "*?["):
		var all []string
		for p := range cannedUserFuncs {
			all = append(all, p)
		}
		for p := range cannedUSDT {
			all = append(all, p)
		}
		slices.Sort(all)
		for _, p := range slices.Compact(all) {
			if ok, _ := path.Match(pattern, p); ok {
				add(p)
			}
		}
	case !strings.Contains(pattern, "/"):
		if p, ok := cannedLibraries[pattern]; ok {
			add(p)
		} else {
			add(pattern) // the host's answer for a name it cannot find
		}
	default:
		add(pattern)
	}
	return out, nil
}
