package codegen_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/internal/compiletest"
	"github.com/gbt-dev/gbt/internal/golden"
	"github.com/gbt-dev/gbt/internal/testenv"

	"github.com/gbt-dev/gbt/codegen"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/diag"
	"github.com/gbt-dev/gbt/lang/parse"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/stdlib"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dwarfPID is the process whose stacks the scripts' dw_ustack copies
// (--dwarf-pid: dw_ustack needs one).
const dwarfPID = 4242

func compile(t *testing.T, src string) *codegen.Object {
	t.Helper()
	return compiletest.CompileWith(t, "stdin", src, runtime.CompileOptions{Env: probetest.New(), Unsafe: true, DwarfPIDs: []int{dwarfPID}})
}

func disasm(obj *codegen.Object) string {
	var b strings.Builder
	for _, p := range obj.Programs {
		fmt.Fprintf(&b, "%s (%v, %d instructions):\n%v\n", p.Name, p.Type, len(p.Insns), p.Insns)
	}
	for _, m := range obj.Maps {
		fmt.Fprintf(&b, "map %s: %v key %d value %d max %d\n", m.Spec.Name, m.Spec.Type, m.Spec.KeySize, m.Spec.ValueSize, m.Spec.MaxEntries)
	}
	return b.String()
}

func scripts(t *testing.T) []string {
	files, _ := filepath.Glob("testdata/disasm/*.bt")
	if len(files) < 20 {
		t.Fatalf("want at least 20 disassembly scripts, have %d", len(files))
	}
	return files
}

// TestDisasm compares the generated code of small scripts with golden files.
func TestDisasm(t *testing.T) {
	for _, file := range scripts(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".bt")
		t.Run(name, func(t *testing.T) {
			src, _ := os.ReadFile(file)
			got := disasm(compile(t, string(src)))
			golden.Check(t, strings.TrimSuffix(file, ".bt")+".golden", got, *update)
		})
	}
}

// TestKernelVerifier loads every program of the scripts, and one using every
// aggregation and function gbt compiles, through the kernel's verifier.
func TestKernelVerifier(t *testing.T) {
	testenv.RequireRoot(t)
	for _, file := range scripts(t) {
		src, _ := os.ReadFile(file)
		obj := compile(t, string(src))
		err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
		var le *runtime.LoadError
		refusedHelper := errors.As(err, &le) && (le.Helper == "bpf_override_return" || le.Helper == "bpf_probe_write_user")
		if errors.Is(err, runtime.ErrNoTrampolines) || refusedHelper || errors.Is(err, runtime.ErrNoKernelVarAddr) {
			// This kernel refuses fentry/fexit programs before verifying
			// them, override() (no CONFIG_BPF_KPROBE_OVERRIDE),
			// write_user() (lockdown) and percpu_kaddr() (no
			// CONFIG_KALLSYMS_ALL: the kernel guests of internal/vmtest
			// load it); their disassembly golden is what is checked here.
			t.Logf("%s: %v", file, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// TestEveryEmitterCompiles makes sure each stdlib entry with an emitter is
// used by at least one disassembly script, so each one is verifier-tested,
// and that every event a script sends is one its builtins declare.
func TestEveryEmitterCompiles(t *testing.T) {
	used := map[string]bool{}
	for _, file := range scripts(t) {
		src, _ := os.ReadFile(file)
		obj := compile(t, string(src))
		// Codegen sends runtime warnings and errors itself (an index
		// outside an array, a division by zero, a failed helper with -k).
		declared := map[*stdlib.Codec]bool{stdlib.RuntimeWarning(): true, stdlib.RuntimeError(): true, stdlib.HelperError(): true}
		for _, b := range obj.Info.Builtins {
			e := b.(*stdlib.Entry)
			used[e.Name] = true
			for _, c := range e.Events {
				declared[c] = true
			}
		}
		for _, ev := range obj.Events {
			if !declared[ev.Codec] {
				t.Errorf("%s: event %d (%s) is not declared by any builtin the script uses", file, ev.ID, ev.Codec.Name)
			}
		}
	}
	for _, e := range stdlib.New().Entries() {
		if e.Emit != nil && !used[e.Name] {
			t.Errorf("builtin %s has an emitter but no script in testdata/disasm uses it", e.Name)
		}
	}
}

// TestNoCrash: scripts that use records, structs, arrays, pointers and
// args in every place a value can go compile or are reported at their
// source; neither the checker nor codegen panics.
func TestNoCrash(t *testing.T) {
	srcs := []string{
		// args, the probe's context, as a value.
		`tracepoint:syscalls:sys_enter_openat { print(args); }`,
		`tracepoint:syscalls:sys_enter_openat { $a = args; printf("%s %d %d\n", str($a->filename), $a->flags, $a.mode); }`,
		`tracepoint:syscalls:sys_enter_openat { @x = args; @m[args] = 1; @t = (args, 1); }`,
		`tracepoint:syscalls:sys_enter_openat /args/ { printf("%d %d\n", args, args == 0); if (args) { } }`,
		`tracepoint:syscalls:sys_enter_openat { $x = (uint64)args; $y = str(args); $z = buf(args, 8); $k = ksym(args); }`,
		`tracepoint:syscalls:sys_enter_openat { $x = 1 ? args : args; $t = (args, 1); print($t); }`,
		`tracepoint:syscalls:sys_enter_openat { $x = args + 1; printf("%d\n", $x->flags); $y = args[0]; }`,
		`tracepoint:syscalls:sys_enter_openat { $x = *args; print($x); print(*args); printf("%d\n", $x.flags); print((*args).flags); }`,
		`tracepoint:sched:sched_process_exec { $x = *args; $a = args; printf("%s\n", str($a->filename)); }`,
		`tp_btf:sys_enter { $a = args; print(*args); printf("%d %d\n", $a->id, (*args).id); print(args->regs[0]); }`,
		`BEGIN { $y = ctx; print(ctx); @x = ctx; $z = ctx[0]; }`,
		// Structs as values and in place.
		`tracepoint:syscalls:sys_enter_clock_nanosleep { $t = *args->rqtp; $u = $t; print($u); printf("%d\n", $t.tv_sec); @m[*args->rqtp] = 1; @v = *args->rqtp; }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { $t = (*args->rqtp, 1); print($t); @t = (*args->rqtp, 1); $c = 1 ? *args->rqtp : *args->rqtp; }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { if (*args->rqtp) { } $x = -(*args->rqtp); $y = *args->rqtp + 1; $z = str(*args->rqtp); }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { @h = hist(*args->rqtp); $b = buf(*args->rqtp, 8); join(args->rqtp); }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { $x = args->rqtp[0]; $i = 1; print(args->rqtp[$i]); print(args->rqtp[$i].tv_sec); print(args->rqtp[-1].tv_nsec); }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { $p = args->rqtp; $p++; $p += 2; $p -= 1; print(*$p); @p = args->rqtp; @p++; @p += 2; }`,
		`tracepoint:syscalls:sys_enter_clock_nanosleep { $x = *args; print($x.rqtp); print(*$x.rqtp); $y = sizeof(*args->rqtp); }`,
		`BEGIN { $x = curtask[0]; $y = curtask[0].pid; $z = (*curtask).pid; $s = sizeof(*curtask); }`,
		`BEGIN { $x = curtask->se; print($x); print($x.vruntime); print((curtask->se).on_rq); print(curtask->se.on_rq); }`,
		`BEGIN { $t = (struct task_struct *)0; print($t[1].sched_reset_on_fork); $u = *curtask->mm; print($u.map_count); }`,
		// Arrays and char arrays.
		`tracepoint:raw_syscalls:sys_enter { $a = args->args; $i = 3; printf("%d %d %d\n", $a[0], $a[$i], args->args[$i]); @a[1] = args->args; print(@a[1][$i]); }`,
		`tracepoint:raw_syscalls:sys_enter { print(args->args); @k[args->args] = 1; $t = (args->args, 1); print($t.0[1]); $x = args->args[args->id]; }`,
		`tracepoint:raw_syscalls:sys_enter { $x = args->args[6]; $y = args->args + 1; $z = *args->args; $w = args->args[100000000000]; }`,
		`tracepoint:raw_syscalls:sys_enter { $x = ((uint64 *)args->args[1])[100000000000]; $y = (uint64 *)args->args[1] + 100000000000; }`,
		`tracepoint:sched:sched_switch { $s = args->prev_comm; $i = 2; printf("%c %c %c\n", $s[3], args->prev_comm[$i], args->next_comm[15]); }`,
		`tracepoint:sched:sched_process_exec { $i = 2; printf("%c %c\n", args->filename[0], args->filename[$i]); $x = args->filename[64]; }`,
		`BEGIN { $i = 1; printf("%c %c %c %c\n", comm[$i], curtask->comm[$i], "abc"[$i], str(curtask->comm)[$i]); $t = (1, "ab"); $y = $t.1[$i]; @x[1] = "abc"; $z = @x[1][$i]; }`,
		`BEGIN { $y = kstack[0]; $z = probe[0]; $n = ntop(1)[0]; $b = buf("abc", 2)[0]; $u = username[0]; }`,
		// Pointers.
		`tracepoint:syscalls:sys_enter_execve { printf("%c %c %c\n", args->argv[0][1], (*args->argv)[1], *args->argv[0]); $i = 1; printf("%s %c\n", str(args->argv[$i]), args->argv[$i][$i]); }`,
		`tracepoint:syscalls:sys_enter_execve { $p = args->argv; $p++; printf("%s %s %s\n", str(*$p), str($p[0]), str(1 + args->argv[0])); @k[args->argv[1]] = count(); }`,
		`BEGIN { $p = (uint8 **)1000; $q = (struct task_struct **)0; printf("%d %d %d\n", $p + 1, $p[1][2], $q + 1); $r = $p - $p; $s = $p * 2; }`,
		`BEGIN { $p = (int16 *)0; $i = 1; @x[$p[2]] = count(); @y = hist($p[$i]); $z = 0; $w = $z[0]; }`,
		`uprobe:/bin/sh:main { $p = (uint64 *)arg0; printf("%d %d %s\n", *$p, $p[1], str(((uint8 **)arg1)[0])); }`,
		`kprobe:vfs_read { $f = (struct file *)arg0; printf("%d\n", $f[0].f_flags); }`,
		// Folded string literals where a builtin takes a literal.
		`BEGIN { printf("ab" + "cd\n"); printf("abc\n" + 1); time("%H" + ":%M\n"); cat("/etc/host" + "name"); }`,
		`BEGIN { $x = pton("127.0.0" + ".1"); $s = strftime("%H" + ":%M", nsecs); $k = kaddr("jiff" + "ies"); }`,
		`uprobe:/bin/sh:main { $r = reg("r" + "ip"); system("echo " + "x"); }`,
	}
	env, table := probetest.New(), stdlib.New()
	for _, src := range srcs {
		compileOrReport(t, env, table, src)
	}
}

// TestValuesEverywhere puts each kind of value (structs, struct pointers,
// arrays, char arrays, pointers, args, ctx) in each place a value can go.
// Every script must compile or be reported at its source, and (as root)
// every compiled one must pass the kernel's verifier.
func TestValuesEverywhere(t *testing.T) {
	values := map[string][]string{
		"tracepoint:syscalls:sys_enter_clock_nanosleep": {"args", "*args", "args->rqtp", "*args->rqtp", "args->rqtp[0]", "args->rqtp[$i]", "$v", "$s"},
		"tracepoint:raw_syscalls:sys_enter":             {"args->args", "args->args[1]", "args->args[$i]", "$a", "args"},
		"tracepoint:sched:sched_process_exec":           {"args->filename", "args->filename[1]", "args->filename[$i]", "args"},
		"tracepoint:sched:sched_switch":                 {"args->prev_comm", "args->prev_comm[$i]", "*args", "args->prev_comm[0]"},
		"tracepoint:syscalls:sys_enter_execve":          {"args->argv", "args->argv[0]", "args->argv[$i]", "*args->argv", "args->argv + 1", "args->argv[0][$i]"},
		"BEGIN": {"curtask", "*curtask", "curtask->se", "curtask->se.vruntime", "curtask->comm", "curtask->comm[$i]", "comm[$i]",
			"(uint64 *)0", "((uint64 *)0)[$i]", "curtask[0]", "curtask->mm", "*curtask->mm", "(1, comm)", "ctx"},
		"tp_btf:sys_enter": {"args", "*args", "args->regs", "*args->regs", "args->regs[$i]", "args->regs[0].si"},
	}
	places := []string{
		"$x = E;", "@m = E;", "@k[E] = 1;", "@c[E, 1] = count();", "print(E);", `printf("%d\n", E);`, `printf("%s\n", E);`,
		"if (E) {}", "$t = (E, 1); print($t);", "E;", "$y = str(E);", "@h = hist(E);", "@s = sum(E);", "$y = 1 ? E : E;",
		"$y = E[0];", "$y = E[$i];", "$y = E[0][0];", "$y = E[1].x;", "$y = *E;", "$y = E.0;", "$y = sizeof(E);",
		"$y = E.tv_sec;", "$y = E->tv_sec;", "$y = E.si;", "$y = E->si;", "$y = E.vruntime;", "$y = E.pid;", "$y = E->pid;", "$y = (*E).pid;",
		"$y = E + 1;", "$y = 1 + E;", "$y = E - $i;", "$y = -E;", "$y = !E;", "$y = E == E;", "$y = E < E;", "$y = E & 1;",
		"$y = (uint64)E;", "$y = (uint8 *)E;", "$z = E; $z++;", "$z = E; $z += 2;", "@z = E; @z++;",
		"$y = buf(E, 4);", "$y = ntop(E);", "$y = ksym(E);", "$y = macaddr(E);", "join(E);", `$y = strncmp(E, "a", 1);`,
	}
	env, table := probetest.New(), stdlib.New()
	compiled := map[string]*codegen.Object{}
	for probe, exprs := range values {
		for _, e := range exprs {
			for _, place := range places {
				src := fmt.Sprintf("%s { $i = 1; $v = (uint64 *)8; $s = comm; %s }", probe, strings.ReplaceAll(place, "E", e))
				if strings.HasPrefix(probe, "tracepoint:raw_syscalls") {
					src = strings.Replace(src, "$s = comm;", "$a = args->args;", 1)
				}
				if obj, ok := compileOrReport(t, env, table, src); ok {
					compiled[src] = obj
				}
			}
		}
	}
	t.Run("verifier", func(t *testing.T) {
		testenv.RequireRoot(t)
		for src, obj := range compiled {
			err := runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
			if err != nil && !errors.Is(err, runtime.ErrNoTrampolines) {
				t.Errorf("%s: %v", src, err)
			}
		}
	})
}

// compileOrReport compiles src, requiring that neither the checker nor
// codegen panics and that each error has a position; ok says whether it
// compiled.
func compileOrReport(t *testing.T, env *probetest.Env, table *stdlib.Table, src string) (obj *codegen.Object, ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", src, r)
			ok = false
		}
	}()
	obj, diags, parsed := checkAndCompile(env, table, src)
	if !parsed {
		t.Errorf("%s: %v", src, diags.Err())
		return nil, false
	}
	for _, d := range diags {
		if d.Span.Start.Line == 0 {
			t.Errorf("%s: diagnostic without a position: %s", src, d.Msg)
		}
	}
	return obj, !diags.HasErrors()
}

// checkAndCompile parses src, expands its macros, checks it and compiles
// it; parsed is false (with the parser's diagnostics) when it does not
// parse.
func checkAndCompile(env *probetest.Env, table *stdlib.Table, src string) (obj *codegen.Object, diags diag.List, parsed bool) {
	prog, diags := parse.Parse("stdin", src)
	if !diags.HasErrors() {
		prog, diags = table.ExpandMacros(prog)
	}
	if diags.HasErrors() {
		return nil, diags, false
	}
	info, diags := check.Check(prog, check.Config{Env: env, Builtins: table})
	if !diags.HasErrors() {
		obj, diags = codegen.Compile(info, table, codegen.Options{})
	}
	return obj, diags, true
}

// BenchmarkCompile measures codegen alone (the checked tree to programs,
// maps and event descriptors) for every disassembly script at once.
func BenchmarkCompile(b *testing.B) {
	files, _ := filepath.Glob("testdata/disasm/*.bt")
	table := stdlib.New()
	infos := make([]*check.Info, 0, len(files))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		prog, diags := parse.Parse(file, string(src))
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		// The standard library's macros (assert), as runtime.Compile.
		if prog, diags = table.ExpandMacros(prog); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		info, diags := check.Check(prog, check.Config{Env: probetest.New(), Builtins: table, Unsafe: true})
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		infos = append(infos, info)
	}
	b.ReportAllocs()
	insns := 0
	for b.Loop() {
		insns = 0
		for _, info := range infos {
			obj, diags := codegen.Compile(info, table, codegen.Options{NumCPUs: 2, DwarfPIDs: []int{dwarfPID}})
			if diags.HasErrors() {
				b.Fatal(diags.Err())
			}
			for _, p := range obj.Programs {
				insns += len(p.Insns)
			}
		}
	}
	b.ReportMetric(float64(len(infos)), "scripts")
	b.ReportMetric(float64(insns), "insns")
}
