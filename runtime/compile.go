package runtime

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/config"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/imports"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime/cgroup"
	"github.com/gbt-dev/gbt/runtime/kernel"
	"github.com/gbt-dev/gbt/stdlib"
)

// CompileOptions tune Compile. The zero value compiles as the gbt command
// does with no flags and no BPFTRACE_* variables: the gbt command, Go
// programs and the tests all compile through Compile with these defaults.
type CompileOptions struct {
	Params []string // positional parameters $1..$N
	// Files is what the script's root imports read: the machine's files
	// when nil.
	Files imports.FS
	// Named are the named program options (`-- --name=value`; "" for a
	// bare `--name`), which getopt reads.
	Named map[string]string
	// ProbeFilter, when set, keeps the event probes whose name it accepts
	// (--probe-filter).
	ProbeFilter func(name string) bool
	Unsafe      bool      // allow system(), signal() and the other unsafe builtins (--unsafe)
	Strlen      int       // bytes per str(), BPFTRACE_STRLEN (0: 64, bpftrace's default)
	Env         probe.Env // tracepoints, formats, BTF, ELF symbols (nil: this machine's)
	// NoWarnings drops the warnings of a script that compiles
	// (--no-warnings); a CompileError still shows them beside the errors.
	NoWarnings bool
	// Includes are headers included before the script (--include), as
	// if it began with #include <FILE> lines.
	Includes []string
	// HelperErrors is the -k level: codegen.HelperErrorsOff, On (-k) or
	// Legacy (-kk, bpftrace 0.17's words).
	HelperErrors int
	// DwarfPIDs are the processes of --dwarf-pid, whose stacks dw_ustack
	// copies besides those of PID and ChildPID.
	DwarfPIDs []int

	// Cgroup keeps the probes that fire in a task (probe.Kind.FiresInTask)
	// to the tasks of this cgroup v2 directory and those below it
	// (--cgroup): absolute, or relative to the cgroup v2 mount.
	Cgroup string

	NumCPUs  int // value of numcpus and size of per-CPU data (0: the machine's possible CPUs)
	ChildPID int // value of cpid: the pid of the -c command (0: none)
	// Child says there is a -c command, started or not (a dry run): cpid
	// is then not warned of.
	Child     bool
	PID       int // -p: probes keep to this process (see probe.PIDFilter)
	KeysMax   int // max entries of keyed maps, BPFTRACE_MAP_KEYS_MAX (0: 4096)
	RBPages   int // ring buffer pages per CPU, BPFTRACE_PERF_RB_PAGES (0: 64)
	MaxProbes int // most attach points a script may have, BPFTRACE_MAX_PROBES (0: 1024)
	// NoFeatures are the kernel features the run will not use
	// (--no-feature, Options.NoFeatures): a block attached with one
	// multi link counts as one probe against MaxProbes, as one program
	// against the newest bpftrace's BPFTRACE_MAX_BPF_PROGS.
	NoFeatures []string
	// Helpers reports whether programs of a type may call a helper, for
	// code that uses one only where it may (comm read in the task with
	// bpf_get_current_task_btf); nil asks the kernel
	// (features.HaveProgramHelper).
	Helpers func(ebpf.ProgramType, asm.BuiltinFunc) bool
	// SyscallRawTP reports whether system call tracepoints may run as
	// tp_btf programs on sys_enter and sys_exit, and the offset of
	// thread_info.status in struct task_struct (codegen.Options); nil
	// asks the kernel, unless NoFeatures has syscall_tp_btf.
	SyscallRawTP func() (int, bool)
	// Getenv looks up the BPFTRACE_* variables, which take precedence
	// over the script's config block (nil: no environment). The fields
	// above, when set, come before the config block.
	Getenv func(string) string
	// Compat is the bpftrace release whose words and sizes the checker
	// follows where releases differ (zero: the newest; --compat).
	Compat compat.Version
}

// maxStrlen is the largest string gbt makes: values too big for the
// 512-byte BPF stack live in per-CPU scratch memory, of at most 32 KiB.
const maxStrlen = 16384

// OptionsHelp is what `-- --help` asks for: the named program options
// the script reads, as bpftrace lists them.
type OptionsHelp string

func (h OptionsHelp) Error() string { return string(h) }

// CheckEnv reports a BPFTRACE_* variable gbt cannot follow (a bad value,
// or a string size over gbt's limit), before any script is read.
func CheckEnv(getenv func(string) string) error {
	_, _, err := settings(&ast.Program{}, CompileOptions{Getenv: getenv})
	return err
}

// settings layers the configuration: defaults, the options, the script's
// config block, then the environment. Errors in the block are diagnostics.
func settings(prog *ast.Program, opts CompileOptions) (config.Settings, diag.List, error) {
	set := config.Default()
	for _, o := range []struct {
		v   int
		dst *int
	}{{opts.Strlen, &set.MaxStrlen}, {opts.KeysMax, &set.MaxMapKeys}, {opts.RBPages, &set.PerfRBPages}, {opts.MaxProbes, &set.MaxProbes}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	diags := set.Block(prog.Config)
	if opts.Getenv != nil {
		if err := set.Env(opts.Getenv); err != nil {
			return set, diags, err
		}
	}
	if set.MaxStrlen < 1 {
		return set, diags, fmt.Errorf("max_strlen (BPFTRACE_MAX_STRLEN) is %d: it must be at least 1", set.MaxStrlen)
	}
	// A larger size is taken as gbt's largest.
	set.MaxStrlen = min(set.MaxStrlen, maxStrlen)
	return set, diags, nil
}

// Defaults of CompileOptions, bpftrace's.
const (
	DefaultKeysMax   = 4096
	DefaultRBPages   = 64
	DefaultMaxProbes = config.DefaultMaxProbes
	minRingbuf       = 1 << 20 // bytes
)

// CompileError is the diagnostics of a script that does not compile.
// Its Error is the whole rendered text, as gbt prints it: position, source
// line, ~~~ under the span, and hints.
type CompileError struct {
	Source diag.Source
	Diags  diag.List // the stage that failed: its errors and warnings
}

func (e *CompileError) Error() string {
	var b strings.Builder
	diag.RenderAll(&b, e.Source, e.Diags)
	return strings.TrimSuffix(b.String(), "\n")
}

// Warnings are the warnings of a compile and the source they point into.
type Warnings struct {
	Source diag.Source
	List   diag.List
}

// Render writes the warnings as gbt prints them, each ending in a newline.
func (w Warnings) Render(out io.Writer) { diag.RenderAll(out, w.Source, w.List) }

// String returns the rendered warnings ("" when there are none).
func (w Warnings) String() string {
	var b strings.Builder
	w.Render(&b)
	return b.String()
}

// Compile parses, checks and compiles a script (named name in messages)
// for Run. It needs no privileges. Errors in the script come back as a
// *CompileError holding the diagnostics of the stage that failed.
// Warnings are those of the stages that passed, so that on success they
// are all of them, and a CompileError and the Warnings never repeat one.
// The checked program is the Object's Info.
func Compile(name, src string, opts CompileOptions) (*codegen.Object, Warnings, error) {
	warns := Warnings{Source: diag.Source{Name: name, Text: src}}
	fail := func(diags diag.List) (*codegen.Object, Warnings, error) {
		return nil, warns, &CompileError{warns.Source, diags}
	}
	prog, diags := parse.Parse(name, src)
	if diags.HasErrors() {
		return fail(diags)
	}
	files := opts.Files
	if files == nil {
		files = osFiles{}
	}
	idiags := imports.Resolve(prog, files)
	if idiags.HasErrors() {
		return fail(idiags)
	}
	set, cdiags, err := settings(prog, opts)
	if cdiags.HasErrors() {
		return fail(cdiags)
	}
	if err != nil {
		return nil, warns, err
	}
	for _, h := range opts.Includes {
		prog.Includes = append(prog.Includes, &ast.Include{Path: h, System: true})
	}
	env := opts.Env
	if env == nil {
		env = kernel.NewEnv()
	}
	env = withoutKfuncs(env, opts.NoFeatures)
	table := stdlib.New()
	prog, mdiags := table.ExpandMacros(prog)
	if mdiags.HasErrors() {
		return fail(mdiags)
	}
	info, diags := check.Check(prog, check.Config{Compat: opts.Compat, Env: env, Builtins: table, Params: opts.Params, Named: opts.Named, Unsafe: opts.Unsafe, MissingProbes: set.MissingProbes, ProbeFilter: opts.ProbeFilter,
		Strlen: set.MaxStrlen, StackMode: set.StackMode, Includes: opts.Includes, Settings: set.Items(), Child: opts.Child || opts.ChildPID != 0})
	diags = append(append(idiags, cdiags...), diags...)
	if diags.HasErrors() {
		return fail(diags)
	}
	if !opts.NoWarnings {
		warns.List = diags
	}
	if _, help := opts.Named["help"]; help && !slices.ContainsFunc(info.Options, func(o *check.Option) bool { return o.Name == "help" }) {
		return nil, warns, OptionsHelp(info.OptionHelp())
	}
	if err := info.UnexpectedOptions(opts.Named); err != nil {
		return nil, warns, err
	}
	// Counted before code is made for them: k:* has tens of thousands.
	maxProbes := set.MaxProbes
	if maxProbes <= 0 {
		maxProbes = DefaultMaxProbes
	}
	npoints := 0
	for _, p := range info.Probes {
		if multiLinkerOn(p.Points, opts.NoFeatures) != nil {
			npoints++
			continue
		}
		npoints += len(p.Points)
	}
	if npoints > maxProbes {
		return nil, warns, fmt.Errorf("the program has %d probes, more than BPFTRACE_MAX_PROBES=%d allows (bpftrace counts its BPF programs against BPFTRACE_MAX_BPF_PROGS)", npoints, maxProbes)
	}
	ncpu := opts.NumCPUs
	if ncpu <= 0 {
		var err error
		if ncpu, err = ebpf.PossibleCPU(); err != nil {
			ncpu = 1
		}
	}
	if set.PerfRBPages > maxRBPages {
		return nil, warns, fmt.Errorf("BPFTRACE_PERF_RB_PAGES=%d is too large: at most %d pages (1 GiB of ring buffer, shared by every CPU)", set.PerfRBPages, maxRBPages)
	}
	keysMax := set.MaxMapKeys
	if keysMax <= 0 {
		keysMax = DefaultKeysMax
	}
	cgroupDir := ""
	if opts.Cgroup != "" {
		root, err := cgroup.Root(cgroup.DefaultMounts)
		if err != nil {
			return nil, warns, fmt.Errorf("--cgroup %s: %w", opts.Cgroup, err)
		}
		if cgroupDir, err = cgroup.Dir(root, opts.Cgroup); err != nil {
			return nil, warns, err
		}
	}
	nsDev, nsIno := pidNamespace()
	obj, diags := codegen.Compile(info, table, codegen.Options{
		NumCPUs: ncpu, ChildPID: opts.ChildPID, PID: opts.PID, HelperErrors: min(opts.HelperErrors, codegen.HelperErrorsLegacy), KeysMax: keysMax, RingbufSize: ringbufSize(set.PerfRBPages, ncpu),
		ClockMap: clockMap(opts.Getenv), DwarfPIDs: opts.DwarfPIDs,
		PidNSDev: nsDev, PidNSIno: nsIno, Cgroup: cgroupDir,
		TaskField:    (&taskFields{env: env, helpers: opts.Helpers}).field,
		SyscallRawTP: syscallRawTPOf(opts),
	})
	if diags.HasErrors() {
		return fail(diags)
	}
	obj.Config = &set
	if maxProgs := set.MaxBPFProgs; maxProgs > 0 && len(obj.Programs) > maxProgs {
		// Each program is loaded through the verifier: thousands of
		// them take minutes before anything runs.
		p := obj.Programs[maxProgs]
		d := &diag.Diagnostic{Severity: diag.Error, Msg: fmt.Sprintf(
			"Your program is trying to generate more than %d BPF programs, which exceeds the current limit of %d", len(obj.Programs), maxProgs),
			Hint: "You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable."}
		if len(p.Points) > 0 {
			d.Span = p.Points[0].Span
		}
		return fail(diag.List{d})
	}
	return obj, warns, nil
}

// maxRBPages bounds BPFTRACE_PERF_RB_PAGES (1 GiB per CPU); gbt's one
// ring buffer, which holds every CPU's pages, is at most 1 GiB.
const maxRBPages = 1 << 18

// ringbufSize turns BPFTRACE_PERF_RB_PAGES (pages per CPU, for bpftrace's
// per-CPU perf buffers; bpftrace's default is 64) into one shared ring
// buffer of the same total size, at least 1 MiB and rounded up to a
// power of two as the kernel requires. The whole ring counts in gbt's RSS
// (the kernel maps its pages twice, populated), so it is not made larger
// than the reader needs: it drains every 10 ms and whenever the ring is half
// full, which keeps 600k events/s of 64-byte records without loss in 1 MiB.
func ringbufSize(pagesPerCPU, ncpu int) int {
	if pagesPerCPU <= 0 {
		pagesPerCPU = DefaultRBPages
	}
	want := min(max(pagesPerCPU*ncpu*os.Getpagesize(), minRingbuf), 1<<30)
	size := os.Getpagesize()
	for size < want {
		size <<= 1
	}
	return size
}

// clockMap is BPFTRACE_DUMMY_TS_MAP: the keyless map bpftrace's tests
// make tseries() read the time from.
func clockMap(getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	return getenv("BPFTRACE_DUMMY_TS_MAP")
}

// osFiles is the machine's file system, as imports reads it.
type osFiles struct{}

func (osFiles) Stat(path string) (fs.FileInfo, error)      { return os.Stat(path) }
func (osFiles) ReadFile(path string) ([]byte, error)       { return os.ReadFile(path) }
func (osFiles) ReadDir(path string) ([]fs.DirEntry, error) { return os.ReadDir(path) }
