package probe

import (
	"errors"
	"fmt"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/compat"
)

// USDTSite is one location of a USDT (SystemTap SDT) probe in an ELF file,
// as its .note.stapsdt section describes it (runtime/usdt reads them).
type USDTSite struct {
	Provider, Name string
	// Offset is the file offset of the probed instruction (what a uprobe
	// attaches to); Semaphore the file offset of the probe's semaphore (0:
	// none), which the kernel counts up while the probe is attached.
	Offset, Semaphore uint64
	Args              []USDTArg
}

// USDTArgKind says where a USDT argument lives.
type USDTArgKind uint8

// USDT argument kinds.
const (
	USDTConst USDTArgKind = iota // $imm
	USDTReg                      // %reg
	USDTMem                      // off(%reg[,%index,scale]): memory at a register plus an offset (and a scaled index)
)

// USDTArg is one argument of a USDT probe, as its note describes it
// (`-4@%eax`, `8@-16(%rbp)`, `4@$5`).
type USDTArg struct {
	Size   int  // bytes: 1, 2, 4 or 8
	Signed bool // a negative size in the note
	Kind   USDTArgKind
	Reg    string // pt_regs name: "ax", "di", "r8", "ip"
	Value  int64  // the constant, or the memory offset
	// Index and Scale are the index register and its factor of a memory
	// operand off(%base,%index,scale); Index is "" for none.
	Index string
	Scale int
}

// expandUSDT resolves usdt:FILE:[PROVIDER:]NAME to one point per probe
// location: wildcards are allowed in all three, an empty provider matches
// any, and an empty file (with -p) means every file the process maps.
func expandUSDT(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	file := ap.Parts[0]
	provider, name := "*", ap.Parts[len(ap.Parts)-1]
	if len(ap.Parts) == 3 && ap.Parts[1] != "" {
		provider = ap.Parts[1]
	}
	if env == nil {
		return dst, &Error{Msg: "cannot read USDT probes without a probe environment"}
	}
	bins, err := userBinaries(env, "usdt", file)
	if err != nil {
		return dst, err
	}
	n := len(dst)
	for _, bin := range bins {
		sites, err := env.USDTSites(bin.Path)
		if errors.Is(err, ErrUnavailable) {
			return dst[:n], &Error{Msg: "cannot read USDT probes without a probe environment"}
		}
		if err != nil {
			if len(bins) > 1 {
				continue // a wildcard or a process's maps can name non-ELF files
			}
			return dst[:n], &Error{Msg: err.Error()}
		}
		for i := range sites {
			s := &sites[i]
			if !Match(provider, s.Provider) || !Match(name, s.Name) {
				continue
			}
			p := base
			p.Path, p.Func, p.USDT = bin.Path, s.Name, s
			p.Name = "usdt:" + bin.Name + ":" + s.Provider + ":" + s.Name
			dst = append(dst, p)
		}
	}
	if len(dst) == n {
		// The newest bpftrace's words: "No matches for usdt FILE:NAME."
		// when a provider is named, else its generic refusal; 0.17's "No
		// probes to attach", which gbt completes with the point.
		msg := "Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'."
		if len(ap.Parts) == 3 {
			msg = fmt.Sprintf("No matches for usdt %s:%s.", file, name)
		}
		old := fmt.Sprintf("No probes to attach for %s", ap.Raw)
		return dst, &Error{Missing: true, Msg: msg, Say: func(v compat.Version) string {
			if v.Has(compat.NewestWords) {
				return msg
			}
			return old
		}, Hint: "list the file's USDT probes with gbt -l 'usdt:" + file + "'"}
	}
	return dst, nil
}
