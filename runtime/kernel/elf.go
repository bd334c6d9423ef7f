package kernel

import (
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/sym"
	"github.com/gbt-dev/gbt/runtime/usdt"
)

// USDTSites implements probe.Env from the file's .note.stapsdt section.
func (e *Env) USDTSites(path string) ([]probe.USDTSite, error) { return usdt.Sites(path) }

// UserFunctions implements probe.Env from the file's symbol tables.
func (e *Env) UserFunctions(path string) ([]probe.UserFunc, error) {
	funcs, err := sym.ELFFunctions(path)
	if err != nil {
		return nil, err
	}
	out := make([]probe.UserFunc, len(funcs))
	for i, f := range funcs {
		out[i] = probe.UserFunc{Name: f.Name, Addr: f.Addr, Size: f.Size}
	}
	return out, nil
}
