package check_test

import (
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/stdlib"
)

// noMachine is an Env that can answer nothing but the tracepoints of
// probetest's: it has no BTF, no symbols, no cgroups, no ELF files.
type noMachine struct{ *probetest.Env }

func (noMachine) Struct(string) (types.Type, error) { return types.Type{}, probe.ErrUnavailable }
func (noMachine) FuncArgs(probe.Tracing, string) (types.Type, types.Type, error) {
	return types.Type{}, types.Type{}, probe.ErrUnavailable
}
func (noMachine) EnumValue(string) (int64, bool)       { return 0, false }
func (noMachine) EnumOf(string) (*types.Enum, bool)    { return nil, false }
func (noMachine) EnumNamed(string) (*types.Enum, bool) { return nil, false }
func (noMachine) KernelAddr(string) (uint64, error)    { return 0, probe.ErrUnavailable }
func (noMachine) KernelVar(string) error               { return probe.ErrUnavailable }
func (noMachine) UserAddr(string, string) (probe.UserSym, error) {
	return probe.UserSym{}, probe.ErrUnavailable
}
func (noMachine) CgroupID(string) (uint64, error)            { return 0, probe.ErrUnavailable }
func (noMachine) Header(string, bool) error                  { return probe.ErrUnavailable }
func (noMachine) HeaderMacros() map[string]int64             { return nil }
func (noMachine) USDTSites(string) ([]probe.USDTSite, error) { return nil, probe.ErrUnavailable }
func (noMachine) UserFunctions(string) ([]probe.UserFunc, error) {
	return nil, probe.ErrUnavailable
}
func (noMachine) UserBinaries(string) ([]probe.UserBinary, error) {
	return nil, probe.ErrUnavailable
}
func (noMachine) TraceableFunctions() ([]string, error) { return nil, probe.ErrUnavailable }
func (noMachine) BTFFunctions() ([]string, error)       { return nil, probe.ErrUnavailable }
func (noMachine) RawTracepoints() ([]string, error)     { return nil, probe.ErrUnavailable }
func (noMachine) KfuncAllowed(string, *probe.Kind, string) (bool, error) {
	return false, probe.ErrUnavailable
}

// checkWith checks src against env and renders its diagnostics.
func checkWith(env probe.Env, src string) string {
	prog, diags := parse.Parse("stdin", src)
	if !diags.HasErrors() {
		_, diags = check.Check(prog, check.Config{Env: env, Builtins: stdlib.New()})
	}
	var b strings.Builder
	diag.RenderAll(&b, diag.Source{Name: "stdin", Text: src}, diags)
	return b.String()
}

// TestEnvUnavailable: what a script needs that its Env cannot answer is
// reported as when there is no Env at all.
func TestEnvUnavailable(t *testing.T) {
	tests := []struct{ src, want string }{
		{`kfunc:vfs_read { @ = args->count; }`, "ERROR: kfunc probes need the kernel's BTF, which gbt has no access to here"},
		{`tp_btf:sched_switch { @ = args->prev_state; }`, "ERROR: tp_btf probes need the kernel's BTF, which gbt has no access to here"},
		{`BEGIN { @ = curtask->pid; }`, "ERROR: Struct/union of type 'struct task_struct' is not known to gbt: reading kernel structs needs the kernel's BTF, which gbt has no access to here"},
		{`BEGIN { @ = kaddr("vfs_read"); }`, `ERROR: kaddr() needs the running system to resolve "vfs_read"`},
		{`BEGIN { @ = cgroupid("/sys/fs/cgroup"); }`, `ERROR: cgroupid() needs the running system to resolve "/sys/fs/cgroup"`},
		{`uprobe:/bin/sh:main { @ = uaddr("main"); }`, `ERROR: uaddr() needs the running system to resolve "main"`},
		{`usdt:/usr/lib/libpython3.so:gc__start { }`, `ERROR: cannot read USDT probes without a probe environment`},
	}
	for _, tt := range tests {
		got := checkWith(noMachine{probetest.New()}, tt.src)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s:\n%s\nwant %s", tt.src, got, tt.want)
		}
		if none := checkWith(nil, tt.src); none != got {
			t.Errorf("%s: without an Env:\n%s\nwith an Env that cannot answer:\n%s", tt.src, none, got)
		}
		if full := checkWith(probetest.New(), tt.src); strings.Contains(full, tt.want) {
			t.Errorf("%s: with the canned machine:\n%s", tt.src, full)
		}
	}
}

// TestUSDT: usdt probes expand to the sites of the file's notes, with
// their arguments.
func TestUSDT(t *testing.T) {
	info, out := checkSource(`usdt:/usr/lib/libpython3.so:python:function__* { @[str(arg1)] = count(); }
usdt:/usr/lib/libpython3.so:gc__start { @gc = count(); }`)
	if info == nil {
		t.Fatal(out)
	}
	var got []string
	for _, pi := range info.Probes {
		for _, pt := range pi.Points {
			got = append(got, pt.Name)
			if pt.USDT == nil || pt.Path != "/usr/lib/libpython3.so" || pt.Func != pt.USDT.Name {
				t.Errorf("%s: point %+v", pt.Name, pt)
			}
		}
	}
	want := "usdt:/usr/lib/libpython3.so:python:function__entry usdt:/usr/lib/libpython3.so:python:function__return usdt:/usr/lib/libpython3.so:python:gc__start"
	if strings.Join(got, " ") != want {
		t.Errorf("points %v, want %s", got, want)
	}
	for src, want := range map[string]string{
		`usdt:/usr/lib/libpython3.so:nosuch { }`:        "ERROR: Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.",
		`usdt:/usr/lib/libpython3.so:python:nosuch { }`: "ERROR: No matches for usdt /usr/lib/libpython3.so:nosuch.",
		`usdt:/nonexistent:python:gc__start { }`:        "ERROR: read USDT probes of /nonexistent",
		`usdt:/usr/lib/libpython3.so:gc__start { }`:     "",
	} {
		if _, out := checkSource(src); !strings.Contains(out, want) || (want == "" && out != "") {
			t.Errorf("%s:\n%s\nwant %q", src, out, want)
		}
	}
}
func (noMachine) UserProto(string, string) (*probe.UserProto, error) {
	return nil, probe.ErrUnavailable
}
func (noMachine) UserStruct(string, string) (types.Type, error) {
	return types.Type{}, probe.ErrUnavailable
}
func (noMachine) UserLineAddrs(string, probe.SourceLine) ([]uint64, error) {
	return nil, probe.ErrUnavailable
}
