package probetest

import (
	"fmt"

	"github.com/gbt-dev/gbt/lang/probe"
)

// cannedUSDT are the USDT probes of canned programs: python's function
// entry and return probes (code object pointers and a line number as
// arguments, a semaphore each) and its gc__start.
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
}

// USDTSites implements probe.Env over the canned programs.
func (e *Env) USDTSites(path string) ([]probe.USDTSite, error) {
	sites, ok := cannedUSDT[path]
	if !ok {
		return nil, fmt.Errorf("read USDT probes of %s: no such canned program", path)
	}
	return sites, nil
}

// UserFunctions implements probe.Env; tests list no user functions.
func (e *Env) UserFunctions(path string) ([]string, error) {
	return nil, fmt.Errorf("no symbols in %s (probetest lists none)", path)
}
