package runtime

import (
	"strings"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// ErrNoKernelFunc is in the error of loading a program that calls a
// kernel function (kfunc, codegen.KernelFuncName) this kernel's BTF does
// not have.
var ErrNoKernelFunc = kernel.ErrNoKernelFunc

// kfuncRefused is how the verifier refuses a kernel function the
// program's type may not call: "calling kernel function NAME is not
// allowed".
const kfuncRefused = "calling kernel function "

// refusedKfunc returns the kernel function the verifier's conclusion msg
// says p may not call, and the index of p's call of it, or "" and -1.
func refusedKfunc(p *codegen.Program, msg string) (string, int) {
	rest, ok := strings.CutPrefix(msg, kfuncRefused)
	if !ok || !strings.HasSuffix(rest, " is not allowed") {
		return "", -1
	}
	name := strings.TrimSuffix(rest, " is not allowed")
	for i, ins := range p.Insns {
		if n, ok := codegen.KernelFuncName(ins); ok && n == name {
			return name, i
		}
	}
	return name, -1
}
