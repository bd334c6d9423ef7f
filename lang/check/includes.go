package check

import (
	"errors"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
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
// clang fails for bpftrace. Headers of the kernel's include tree are not
// looked up, and an Env that cannot answer lets every header pass.
func (c *checker) includes(incs []*ast.Include) {
	if c.cfg.Env == nil {
		return
	}
	for _, inc := range incs {
		if dir, _, ok := strings.Cut(inc.Path, "/"); ok && kernelHeaderDirs[dir] {
			continue
		}
		err := c.cfg.Env.Header(inc.Path, inc.System)
		if err == nil || errors.Is(err, probe.ErrUnavailable) {
			continue
		}
		d := c.errorf(inc.Span, "%v", err)
		if errors.Is(err, probe.ErrNoHeader) {
			d.Hint = "gbt takes kernel types from BTF and needs no kernel headers; other headers are searched for in the -I directories, /usr/local/include and /usr/include"
		}
	}
}
