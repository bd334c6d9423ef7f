package kernel

import (
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/sym"
	"github.com/gbt-dev/gbt/runtime/usdt"
)

// USDTSites implements probe.Env from the file's .note.stapsdt section.
func (e *Env) USDTSites(path string) ([]probe.USDTSite, error) { return usdt.Sites(path) }

// UserFunctions implements probe.Env from the file's symbol tables.
func (e *Env) UserFunctions(path string) ([]string, error) { return sym.ELFFunctions(path) }
