package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gbt-dev/gbt/internal/spell"
	"github.com/gbt-dev/gbt/internal/toolfile"
	"github.com/gbt-dev/gbt/lang/compat"
	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/output"
	"github.com/spf13/pflag"
)

// Exit codes, as bpftrace uses them.
const (
	exitOK    = 0
	exitError = 1 // script, compile, load or attach error
	exitUsage = 2 // bad command line
	// exitInterrupted is the status of a run aborted by a third signal
	// (128 + SIGINT, as a shell reports it).
	exitInterrupted = 130
	// exitBrokenPipe is the status after the output's reader went away
	// (128 + SIGPIPE), gbt having stopped its run first.
	exitBrokenPipe = 141
)

// options is the parsed command line.
type options struct {
	program string            // -e
	file    string            // script file ("-" for stdin)
	args    []string          // positional parameters $1..$N
	named   map[string]string // named program options: -- --name=value
	list    bool              // -l
	listPat string
	pid     int    // -p
	cmd     string // -c
	output  string // -o
	format  string // -f text|json|folded|pprof
	buffer  string // -B none|line|full
	quiet   bool   // -q
	verbose bool   // -v
	debug   int    // -d, -dd (bpftrace 0.17's: print, run nothing)
	// debugStages are the newest bpftrace's -d STAGE: print, then run.
	debugStages []string
	unsafe      bool // --unsafe
	dryRun      bool // --dry-run
	fmt         bool // --fmt: print the script formatted
	version     bool // -V, --version
	info        bool // --info
	help        bool // -h, --help
	noWarn      bool // --no-warnings
	// helperErrors is -k (1: warn of failed map lookups, probe reads and
	// deletes) or bpftrace 0.17's -kk (2: the same in 0.17's words).
	helperErrors int
	mode         probe.Mode     // --test, --bench, --mode: run the test: or bench: probes
	metrics      string         // --metrics ADDR: serve the maps as Prometheus metrics
	traceable    string         // --traceable-functions FILE
	debugDirs    []string       // --debuginfo DIR[:DIR]
	probeFilter  *regexp.Regexp // --probe-filter REGEX
	includes     []string       // -I: include directories (accepted, gbt reads no headers)
	headers      []string       // --include: headers included before the script
	compat       compat.Version // --compat, GBT_COMPAT: the bpftrace release whose output to reproduce
	// cgroup (--cgroup PATH) and container (--container ID|NAME) keep
	// the probes to the tasks of a cgroup v2 directory.
	cgroup, container string
	flamegraph        string        // --flamegraph FILE.svg: draw the stack-keyed maps at exit
	percentiles       bool          // --percentiles: p50/p90/p99/max under hist and lhist values
	order             output.Order  // --sort key|value, --reverse
	top               int           // --top N: the N largest values of each map
	interval          time.Duration // --interval DUR: print and clear the aggregations every DUR
	strict            bool          // --strict: exit 1 when events were lost or map updates failed
	// dwarfPIDs are --dwarf-pid's processes, whose stacks dw_ustack
	// unwinds besides -p's and -c's.
	dwarfPIDs []int
	// noFeatures are the kernel features not to use (--no-feature
	// kprobe_multi,uprobe_multi): one link per function instead.
	noFeatures []string
}

const usageText = `USAGE:
    gbt [options] filename [args...]
    gbt [options] - <stdin input>
    gbt [options] -e 'program' [args...]
    gbt                         (on a terminal: interactive prompt)
    gbt build [-o tool] filename [args...]  (write a single-file tool; gbt build --help)

OPTIONS:
    -B MODE        output buffering mode ('none', 'line', 'full')
    -f FORMAT      output format ('text', 'json', 'folded': maps keyed by kstack/ustack as
                   folded stacks for flame graph tools, the rest as text on stderr; 'pprof':
                   those maps as one pprof profile at exit, give -o FILE)
    -o file        redirect gbt output to file
    -e 'program'   execute this program
    -I DIR         add DIR to the search path of #include (before /usr/local/include, /usr/include/<multiarch>, /usr/include)
    -h, --help     show this help message
    -l [search|filename]  list probes (those of a script file, or of -e 'program')
    -p PID         trace only this process (and enable its uprobes)
    -c 'CMD'       run CMD, trace it, exit when it exits
    --dwarf-pid PID  also unwind this process's stacks with dw_ustack (besides -p's and -c's)
    --cgroup PATH  trace only the tasks of this cgroup v2 directory and those below it
                   (absolute, or relative to the cgroup v2 mount, e.g. system.slice/cron.service)
    --container ID|NAME  trace only this container (its cgroup, found from its id or a unique
                   prefix of it as containerd, CRI-O, Docker and podman name it; a name is looked
                   up with podman or docker)
    --unsafe       allow unsafe builtin functions (system, signal, ...)
    -q             keep messages quiet
    -v             verbose messages (verifier logs, program sizes, attach details)
    -d             (dry run) print the checked AST with types and the BPF disassembly
    -d, --debug STAGE  print what a stage made on stderr, then run: 'ast' ('types', 'parse'):
                   the checked AST with types; 'codegen' ('codegen-opt', 'dis'): the BPF
                   instructions; 'verifier' ('libbpf'): as -v; 'all'
    --dry-run      compile and load through the verifier, attach nothing
    --fmt          format the input script and print it
    --flamegraph FILE.svg  at exit, draw the maps keyed by kstack/ustack as an interactive
                   flame graph (one self-contained SVG: click to zoom, Search, FILE.svg?s=REGEX)
    --metrics ADDR serve the maps as Prometheus metrics on http://ADDR/metrics while tracing
    -V, --version  gbt version
    --info         print build information and what this kernel supports (and why not)
    --no-warnings  disable all warning messages
    --no-feature FEATURE[,FEATURE]  do not use these kernel features though the kernel has them
                   ('kprobe_multi', 'uprobe_multi': one link per function; 'kprobe_session';
                   'syscall_tp_btf'; 'strnstr': strstr/strcontains search without bpf_strnstr)
    --mode MODE    'test', 'bench' or 'format' (the same as --test, --bench, --fmt)
    --test         run each test:NAME probe once, report which failed (exit 1 if one did)
    --bench        run each bench:NAME probe many times and print its average time
    -k, --warnings warn when a map lookup finds nothing or a probe read or delete fails
                   (-kk: the same in bpftrace 0.17's words)
    --include FILE add an #include <FILE> before the script (gbt knows the constants of common headers)
    --probe-filter REGEX  attach only the probes whose name REGEX matches (begin and end always run)
    --debuginfo DIR[:DIR]  add directories to the debug info search path (separate debug files of
                   stripped binaries, by build id or .gnu_debuglink; /usr/lib/debug is searched last)
    --traceable-functions FILE  read the kernel functions kprobes and fentry can trace from FILE
                   (default: tracefs available_filter_functions)
    --usdt-file-activation  accepted: USDT semaphores are always activated in every process of the file
    --percentiles  print p50, p90, p99 and max (estimated from the buckets) under each hist/lhist
                   (JSON: a "percentiles" field; --metrics: gbt_<map>_quantile gauges;
                   also config print_percentiles, BPFTRACE_PRINT_PERCENTILES=1)
    --sort ORDER   print map entries by 'value' (default, as bpftrace) or by 'key'
    --reverse      print map entries in descending order
    --top N        print only the N largest values of each map (where print() gives no top)
    --interval DUR print and clear every aggregation each DUR ('1s', '500ms'; a bare number is seconds)
    --strict       exit 1, saying why, when events were lost or map updates failed (a full ring
                   buffer or map); exit(), print() and clear() are never lost
    --compat VERSION  print as bpftrace VERSION does where releases differ: 'newest' (default,
                   0.27.1) or '0.17' (pointers in decimal, 0.17's stats, struct keys, JSON
                   spacing and messages, SIGUSR1 prints the maps; see README "Output compatibility")

ENVIRONMENT (override the script's config block; GBT_* spellings are read too):
    BPFTRACE_MAX_STRLEN         [default: 64, at most 16384] bytes per str() (0.17: BPFTRACE_STRLEN)
    BPFTRACE_MAX_MAP_KEYS       [default: 4096] max keys in a map (0.17: BPFTRACE_MAP_KEYS_MAX)
    BPFTRACE_MAX_PROBES         [default: 1024] max number of attach points (0.17: 512)
    BPFTRACE_PERF_RB_PAGES      [default: 64] pages per CPU for the ring buffer (1 MiB at least)
    BPFTRACE_MAX_CAT_BYTES      [default: 10k] maximum bytes read by cat() (0.17: BPFTRACE_CAT_BYTES_MAX)
    BPFTRACE_STACK_MODE         [default: bpftrace] how kstack/ustack print: bpftrace, perf, raw or build_id (ustack)
    BPFTRACE_PRINT_MAPS_ON_EXIT [default: 1] print the maps at exit
    GBT_COMPAT                  [default: newest] as --compat, when the flag is not given
    (every config variable of bpftrace is read: BPFTRACE_<NAME>)

EXAMPLES:
gbt -e 'BEGIN { printf("hello\n"); exit(); }'
gbt -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
gbt -l 'tracepoint:syscalls:*open*'
`

var errUsage = errors.New("usage")

// cliError is a command-line mistake bpftrace reports as "ERROR: msg"
// lines (exit 1) rather than with the usage text.
type cliError struct{ msg string }

func (e *cliError) Error() string { return e.msg }

// maxPID is the kernel's PID_MAX_LIMIT on 64-bit systems.
const maxPID = 4194304

// parsePID validates -p in the words of release v (the newest
// bpftrace's, or 0.17's).
func parsePID(s string, v compat.Version) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err == nil:
	case errors.Is(err, strconv.ErrRange):
		return 0, &cliError{v.Sprintf(compat.PidOutOfRange, s)}
	case len(s) > 0 && s[0] >= '0' && s[0] <= '9':
		return 0, &cliError{v.Sprintf(compat.PidTrailingBytes, s)}
	default:
		return 0, &cliError{v.Sprintf(compat.PidNotInteger, s)}
	}
	if n < 1 || n > maxPID {
		return 0, &cliError{v.Sprintf(compat.PidOutOfRange, s)}
	}
	return int(n), nil
}

// compatVersion is the release --compat names, else GBT_COMPAT, else the
// newest.
func compatVersion(flag string, set bool, getenv func(string) string) (compat.Version, error) {
	if !set {
		flag = getenv(compat.EnvVar)
	}
	v, err := compat.Parse(flag)
	if err != nil && !set {
		return v, &cliError{fmt.Sprintf("%s: %v", compat.EnvVar, err)}
	}
	if err != nil {
		return v, &cliError{fmt.Sprintf("--compat: %v", err)}
	}
	return v, nil
}

// parseFlags parses argv (without the program name). Flags may follow the
// script and are separated from script arguments by "--" as with getopt.
func parseFlags(argv []string, stderr io.Writer) (*options, error) {
	return parseCommandLine(argv, stderr, nil)
}

// flagText holds the flags parseCommandLine checks and converts after
// parsing.
type flagText struct {
	pid, mode, probeFilter, compatName string
	sortBy, interval                   string
	dwarfPIDs                          []string
	noFeatures                         []string
	test, bench                        bool
}

// runMode sets the run mode from --mode, --test and --bench; --test and
// --bench conflict with another mode, in the newest bpftrace's words.
func (o *options) runMode(mode string, test, bench bool) error {
	switch mode {
	case "":
	case "test":
		o.mode = probe.ModeTest
	case "bench":
		o.mode = probe.ModeBench
	case "format":
		o.fmt = true
	default:
		return &cliError{fmt.Sprintf("--mode %s is not supported by gbt yet (test, bench and format are)", mode)}
	}
	for _, f := range []struct {
		on   bool
		name string
		mode probe.Mode
	}{{test, "test", probe.ModeTest}, {bench, "bench", probe.ModeBench}} {
		if !f.on {
			continue
		}
		if mode != "" || o.mode != probe.ModeTrace {
			return &cliError{fmt.Sprintf("USAGE: --%s conflicts with existing --mode", f.name)}
		}
		o.mode = f.mode
	}
	return nil
}

// newFlagSet defines gbt's flags, which set o and raw.
func newFlagSet(o *options, raw *flagText) *pflag.FlagSet {
	fs := pflag.NewFlagSet("gbt", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// As getopt permutes bpftrace's argv, flags may follow the script
	// (`gbt script.bt -c cmd`); after "--" everything is a script argument.
	fs.SetInterspersed(true)
	fs.StringVarP(&o.program, "e", "e", "", "program")
	fs.BoolVarP(&o.list, "list", "l", false, "list probes")
	fs.StringVarP(&raw.pid, "pid", "p", "", "pid")
	fs.StringVarP(&o.cmd, "cmd", "c", "", "command")
	fs.StringArrayVar(&raw.dwarfPIDs, "dwarf-pid", nil, "process whose stacks dw_ustack unwinds")
	fs.StringVar(&o.cgroup, "cgroup", "", "cgroup v2 directory")
	fs.StringVar(&o.container, "container", "", "container id or name")
	fs.StringVarP(&o.output, "output", "o", "", "output file")
	fs.StringVarP(&o.format, "f", "f", "text", "format")
	fs.StringVarP(&o.buffer, "B", "B", "", "buffering")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "quiet")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "verbose")
	fs.CountVarP(&o.debug, "d", "d", "debug")
	fs.BoolVar(&o.unsafe, "unsafe", false, "unsafe")
	fs.BoolVar(&o.dryRun, "dry-run", false, "dry run")
	fs.BoolVar(&o.fmt, "fmt", false, "format the input script and print it")
	fs.BoolVarP(&o.version, "version", "V", false, "version")
	fs.BoolVar(&o.info, "info", false, "kernel and build information")
	fs.BoolVarP(&o.help, "help", "h", false, "help")
	fs.BoolVar(&o.noWarn, "no-warnings", false, "no warnings")
	fs.CountVarP(&o.helperErrors, "warnings", "k", "warn of helper errors")
	fs.StringVar(&raw.mode, "mode", "", "run mode")
	fs.BoolVar(&raw.bench, "bench", false, "run the bench probes")
	fs.BoolVar(&raw.test, "test", false, "run the test probes")
	fs.StringVar(&o.metrics, "metrics", "", "metrics address")
	fs.StringVar(&o.flamegraph, "flamegraph", "", "flame graph SVG file")
	fs.StringVar(&o.traceable, "traceable-functions", "", "traceable functions file")
	fs.Func("debuginfo", "debug info directories", func(v string) error {
		o.debugDirs = append(o.debugDirs, filepath.SplitList(v)...)
		return nil
	})
	fs.StringVar(&raw.probeFilter, "probe-filter", "", "keep the probes whose name matches")
	fs.StringVar(&raw.compatName, "compat", "", "bpftrace release whose output to reproduce")
	fs.BoolVar(&o.percentiles, "percentiles", false, "print percentiles of histograms")
	fs.StringVar(&raw.sortBy, "sort", "value", "map print order")
	fs.BoolVar(&o.order.Reverse, "reverse", false, "descending map print order")
	fs.IntVar(&o.top, "top", 0, "print the N largest values of each map")
	fs.StringVar(&raw.interval, "interval", "", "print and clear the aggregations every DUR")
	fs.BoolVar(&o.strict, "strict", false, "fail on lost events and failed map updates")
	fs.StringArrayVar(&raw.noFeatures, "no-feature", nil, "kernel features not to use")
	fs.StringArrayVarP(&o.includes, "I", "I", nil, "include dir")
	fs.StringArrayVar(&o.headers, "include", nil, "header to include")
	// USDT semaphores are counted up by the kernel in every process that
	// maps the file (uprobes with a reference counter), which is what
	// bpftrace's --usdt-file-activation asks for: gbt accepts the flag.
	fs.BoolVar(new(bool), "usdt-file-activation", false, "activate USDT semaphores by file")
	return fs
}

// parseCommandLine parses gbt's command line, or, when tool is set, the
// command line of that built tool: its named options are flags too, and
// every argument is a positional parameter.
func parseCommandLine(argv []string, stderr io.Writer, tool *toolfile.Tool) (*options, error) {
	o := &options{format: "text"}
	var raw flagText
	fs := newFlagSet(o, &raw)
	if tool != nil {
		defineToolOptions(fs, o, tool)
	}
	argv, stages, err := takeDebugStages(argv)
	if err != nil {
		return nil, err
	}
	o.debugStages = stages
	if err := fs.Parse(argv); err != nil {
		fmt.Fprintf(stderr, "gbt: %v%s\n", err, flagSuggestion(fs, err))
		return nil, errUsage
	}
	pid, mode, probeFilter, compatName := raw.pid, raw.mode, raw.probeFilter, raw.compatName
	rest := fs.Args()
	if err := o.parseNoFeatures(raw.noFeatures); err != nil {
		return nil, err
	}
	if o.help || o.version || o.info {
		return o, nil
	}
	if fs.Changed("probe-filter") {
		re, err := regexp.Compile(probeFilter)
		if err != nil {
			return nil, &cliError{fmt.Sprintf("Invalid --probe-filter regex: %v", err)}
		}
		o.probeFilter = re
	}
	if err := o.printControls(raw.sortBy, raw.interval, fs.Changed("interval")); err != nil {
		return nil, err
	}
	if err := o.runMode(mode, raw.test, raw.bench); err != nil {
		return nil, err
	}
	switch {
	case fs.Changed("cgroup") && fs.Changed("container"):
		return nil, &cliError{"give either --cgroup or --container, not both"}
	case fs.Changed("cgroup") && o.cgroup == "":
		return nil, &cliError{"--cgroup needs a cgroup v2 directory"}
	case fs.Changed("container") && o.container == "":
		return nil, &cliError{"--container needs a container's id or name"}
	}
	if fs.Changed("cmd") && strings.TrimSpace(o.cmd) == "" {
		return nil, &cliError{"-c needs a command to run"}
	}
	v, err := compatVersion(compatName, fs.Changed("compat"), os.Getenv)
	if err != nil {
		return nil, err
	}
	o.compat = v
	if fs.Changed("pid") {
		n, err := parsePID(pid, o.compat)
		if err != nil {
			return nil, err
		}
		o.pid = n
	}
	for _, s := range raw.dwarfPIDs {
		n, err := parsePID(s, o.compat)
		if err != nil {
			return nil, err
		}
		o.dwarfPIDs = append(o.dwarfPIDs, n)
	}
	switch {
	case o.list:
		if len(rest) > 0 {
			o.listPat = rest[0]
			rest = rest[1:]
		}
	case o.program == "" && len(rest) > 0 && tool == nil:
		o.file = rest[0]
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	// After the script's name, --name and --name=value are named program
	// options (getopt); the rest are positional parameters.
	for _, a := range rest {
		if name, ok := strings.CutPrefix(a, "--"); ok && name != "" {
			if o.named == nil {
				o.named = map[string]string{}
			}
			name, value, _ := strings.Cut(name, "=")
			o.named[name] = value
			continue
		}
		o.args = append(o.args, a)
	}
	if tool != nil {
		if err := toolArgs(o, tool); err != nil {
			return nil, err
		}
	}
	switch o.format {
	case "text", "json", "folded", "pprof":
	default:
		return nil, &cliError{fmt.Sprintf("Invalid output format %q\nValid formats: 'text', 'json', 'folded', 'pprof'", o.format)}
	}
	switch o.buffer {
	case "", "none", "line", "full":
	default:
		fmt.Fprintf(stderr, "gbt: invalid buffering mode %q: want none, line or full\n", o.buffer)
		return nil, errUsage
	}
	if o.program != "" && o.file != "" {
		fmt.Fprintln(stderr, "gbt: give either -e 'program' or a script file, not both")
		return nil, errUsage
	}
	return o, nil
}

// parseNoFeatures checks the comma-separated feature names of each
// --no-feature, in bpftrace's words.
func (o *options) parseNoFeatures(flags []string) error {
	for _, f := range flags {
		for _, name := range strings.Split(f, ",") {
			if !slices.Contains(runtime.NoFeatureNames, name) {
				return &cliError{fmt.Sprintf("USAGE: --no-feature can only have values '%s'.", strings.Join(runtime.NoFeatureNames, ","))}
			}
			o.noFeatures = append(o.noFeatures, name)
		}
	}
	return nil
}

// printControls checks --sort, --top and --interval.
func (o *options) printControls(sortBy, interval string, intervalSet bool) error {
	switch sortBy {
	case "value":
	case "key":
		o.order.ByKey = true
	default:
		return &cliError{fmt.Sprintf("--sort %q: want 'key' or 'value'", sortBy)}
	}
	if o.top < 0 {
		return &cliError{fmt.Sprintf("--top %d: want a number of entries above 0", o.top)}
	}
	if !intervalSet {
		return nil
	}
	d, err := time.ParseDuration(interval)
	if n, nerr := strconv.ParseUint(interval, 10, 32); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < time.Millisecond {
		return &cliError{fmt.Sprintf("--interval %q: want a period of 1ms or more, such as 1s, 500ms or 2m (a bare number is seconds)", interval)}
	}
	o.interval = d
	return nil
}

func readScript(o *options) (name, src string, err error) {
	switch {
	case o.program != "":
		return "stdin", o.program, nil
	case o.file == "-":
		b, err := io.ReadAll(os.Stdin)
		return "stdin", string(b), err
	default:
		b, err := os.ReadFile(o.file)
		if err != nil {
			return "", "", fmt.Errorf("failed to open file '%s': %s", o.file, output.ErrnoText(err))
		}
		return o.file, string(b), nil
	}
}

// flagSuggestion is " (did you mean --NAME?)" for an unknown long flag
// near a known one, else "".
func flagSuggestion(fs *pflag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if len(f.Name) > 1 {
			names = append(names, f.Name)
		}
	})
	if s := spell.Nearest(name, names); s != "" {
		return " (did you mean --" + s + "?)"
	}
	return ""
}
