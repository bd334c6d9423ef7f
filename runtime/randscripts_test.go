package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gbt-dev/gbt/runtime"
	"github.com/gbt-dev/gbt/runtime/kernel"
)

// TestKernelRandomScripts compiles random scripts, every one of which
// checks, and loads them through the kernel's verifier: each must compile
// and load. The scripts nest expressions (arithmetic, casts, ternaries,
// string functions, map reads) in every statement the language has (map
// updates of every aggregation, tuples, loops, printf), in several probe
// kinds at once. Scripts like these found programs the verifier refused
// (callbacks only dead code refers to, a for loop of no iteration, a
// callback storing through R9 before loading the scratch base, frames
// over 512 bytes together) and expressions gbt refused as out of
// registers; the seeds are fixed, so a failure is repeatable: its
// script is in the message. GBT_RANDOM_SCRIPTS=N runs N of them (1000),
// from seed GBT_RANDOM_FIRST (0);
// GBT_RANDOM_PROBES=kernel writes kprobes, kretprobes, fentry and fexit
// probes instead, which internal/vmtest runs in its guest kernels.
func TestKernelRandomScripts(t *testing.T) {
	requireRoot(t)
	env := kernel.NewEnv()
	if _, err := env.EnsureTracefs(); err != nil {
		t.Fatal(err)
	}
	n := 1000
	if v := os.Getenv("GBT_RANDOM_SCRIPTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("GBT_RANDOM_SCRIPTS: %v", err)
		}
	}
	first := uint64(0)
	if v := os.Getenv("GBT_RANDOM_FIRST"); v != "" {
		var err error
		if first, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("GBT_RANDOM_FIRST: %v", err)
		}
	}
	probes := randomProbes
	if os.Getenv("GBT_RANDOM_PROBES") == "kernel" {
		probes = randomKernelProbes
	}
	for seed := first; seed < first+uint64(n); seed++ {
		src := randomScript(seed, probes)
		name := fmt.Sprintf("random-%d.bt", seed)
		obj, _, err := runtime.Compile(name, src, runtime.CompileOptions{Env: env, Unsafe: true})
		if err != nil {
			t.Errorf("seed %d does not compile: %v\n%s", seed, err, src)
			continue
		}
		err = runtime.Run(context.Background(), obj, runtime.Options{Stdout: io.Discard, Stderr: io.Discard, DryRun: true})
		if err != nil && !errors.Is(err, runtime.ErrNoTrampolines) {
			t.Errorf("seed %d does not load: %v\n%s", seed, err, src)
		}
	}
}

// A randomProbe is a probe of the random scripts with what its block may
// read besides the builtins.
type randomProbe struct {
	name       string
	ints, strs []string
}

var randomProbes = []randomProbe{
	{name: "BEGIN"},
	{name: "END"},
	{name: "tracepoint:syscalls:sys_enter_openat", ints: []string{"args->flags", "args->dfd", "args->mode"}, strs: []string{"str(args->filename)", "str(args->filename, 8)"}},
	{name: "tracepoint:sched:sched_switch", ints: []string{"args->prev_pid", "args->next_pid", "args->prev_prio", "args->prev_state"}, strs: []string{"args->prev_comm", "args->next_comm"}},
	{name: "tracepoint:raw_syscalls:sys_enter", ints: []string{"args->id", "args->args[0]", "args->args[1]"}},
	{name: "tp_btf:sched_switch", ints: []string{"args->prev->pid", "args->next->tgid", "args->preempt", "args->prev->se.vruntime"}, strs: []string{"args->prev->comm", "args->next->comm"}},
	{name: "rawtracepoint:sched_switch", ints: []string{"arg0", "arg1"}},
	{name: "profile:hz:99", ints: []string{"cpu"}},
	{name: "interval:ms:100"},
	{name: "uprobe:/bin/bash:readline", ints: []string{"arg0", "arg1"}, strs: []string{"str(arg0)"}},
	{name: "uretprobe:/bin/bash:readline", ints: []string{"retval"}, strs: []string{"str(retval)"}},
}

// randomKernelProbes are the probes of the random scripts for a kernel
// with kprobes and trampolines (internal/vmtest's guests).
var randomKernelProbes = []randomProbe{
	{name: "BEGIN"},
	{name: "tracepoint:syscalls:sys_enter_openat", ints: []string{"args->flags", "args->dfd"}, strs: []string{"str(args->filename)"}},
	{name: "kprobe:do_nanosleep", ints: []string{"arg0", "arg1", `reg("ip")`}},
	{name: "kretprobe:do_nanosleep", ints: []string{"retval"}},
	{name: "kprobe:vfs_rea*", ints: []string{"arg0", "arg2"}},
	{name: "fentry:vfs_read", ints: []string{"args->count", "args->file->f_flags", "(uint64)args->buf", "*args->pos"}, strs: []string{"str(args->file->f_path.dentry->d_name.name)"}},
	{name: "fexit:vfs_read", ints: []string{"retval", "args->count"}, strs: []string{"str(args->file->f_path.dentry->d_name.name)"}},
	{name: "kfunc:vmlinux:do_sys_openat2", ints: []string{"args->dfd", "args->how->flags"}, strs: []string{"str(args->filename)"}},
	{name: "kretfunc:do_sys_openat2", ints: []string{"retval", "args->dfd"}, strs: []string{"str(args->filename)"}},
}

var (
	randomInts = []string{"pid", "tid", "cpu", "nsecs", "uid", "gid", "rand", "cgroup", "elapsed", "jiffies", "numaid",
		"curtask->pid", "curtask->real_parent->pid", "curtask->se.vruntime", "curtask->mm->total_vm",
		"1", "0", "-1", "7", "255", "4096", "0x7fffffff", "123456789012", "$a", "$a", "@v", "@v"}
	randomStrs  = []string{"comm", `"lit"`, `""`, "$b", "$b", "curtask->comm", "@str[1]", `"a longer literal string here"`}
	randomOps   = []string{"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", "<=", ">", ">=", "&&", "||"}
	randomCasts = []string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64"}
)

// randomScript returns the script of seed: a BEGIN that gives every map its
// type, then one to three blocks of probes.
func randomScript(seed uint64, probes []randomProbe) string {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var b strings.Builder
	b.WriteString("config = { unstable_tseries = enable }\n")
	b.WriteString(`BEGIN { @v = 1; @c[0] = 1; @n[0] = count(); @avg[0, "x"] = avg(1); @str[0] = "x"; @sum["x"] = sum(1); @mm[0] = max(1); @h["x"] = hist(1); }` + "\n")
	perm := r.Perm(len(probes))
	for _, i := range perm[:1+r.IntN(3)] {
		g := &scriptGen{r: r, p: probes[i], noVars: true}
		pred := ""
		if r.Float64() < 0.3 {
			pred = " / " + g.int(2) + " /" // not "/*": a comment
		}
		stmts := []string{"$a = " + g.int(2) + ";", "$b = " + g.str(2) + ";",
			fmt.Sprintf("$t = (%s, %s, %s);", g.int(2), g.str(2), g.int(2))}
		g.noVars = false
		for range 1 + r.IntN(6) {
			stmts = append(stmts, g.stmt(0))
		}
		fmt.Fprintf(&b, "%s%s {\n\t%s\n}\n", g.p.name, pred, strings.Join(stmts, "\n\t"))
	}
	return b.String()
}

// scriptGen writes the expressions and statements of one block.
type scriptGen struct {
	r        *rand.Rand
	p        randomProbe
	noVars   bool // before $a, $b and $t are assigned
	loopVars []string
}

func (g *scriptGen) pick(xs ...[]string) string {
	var pool []string
	for _, x := range xs {
		for _, s := range x {
			if !g.noVars || !strings.HasPrefix(s, "$") {
				pool = append(pool, s)
			}
		}
	}
	return pool[g.r.IntN(len(pool))]
}

// int is an integer expression; d is its depth.
func (g *scriptGen) int(d int) string {
	c := g.r.Float64()
	if g.noVars && c >= 0.82 {
		c = 0.1
	}
	switch {
	case d > 3 || c < 0.35:
		return g.pick(randomInts, g.p.ints, g.loopVars)
	case c < 0.6:
		// No operation of two literals: the checker folds them, and
		// refuses a fold that overflows or divides by zero, as bpftrace.
		op := randomOps[g.r.IntN(len(randomOps))]
		x, y := g.int(d+1), g.int(d+1)
		switch {
		case op == "<<" || op == ">>":
			y = []string{"1", "3", "8"}[g.r.IntN(3)]
		case op == "/" || op == "%":
			y = []string{"3", "7", "(pid + 1)"}[g.r.IntN(3)]
		case literalOnly(x) && literalOnly(y):
			y = "pid"
		}
		return fmt.Sprintf("(%s %s %s)", x, op, y)
	case c < 0.68:
		return fmt.Sprintf("(%s)%s", randomCasts[g.r.IntN(len(randomCasts))], g.int(d+1))
	case c < 0.74:
		return fmt.Sprintf("(%s ? %s : %s)", g.int(d+1), g.int(d+1), g.int(d+1))
	case c < 0.78:
		op, x := []string{"-", "!", "~"}[g.r.IntN(3)], g.int(d+1)
		if op != "!" && literalOnly(x) {
			// -(~0x7fffffff) is a fold that underflows; ~(7) is a uint64
			// past MaxInt64, which no signed variable or map holds (both
			// refused, as bpftrace refuses them).
			op = "!"
		}
		return fmt.Sprintf("%s(%s)", op, x)
	case c < 0.82:
		return fmt.Sprintf("strlen(%s)", g.str(d+1))
	case c < 0.85:
		return fmt.Sprintf("strncmp(%s, %s, %d)", g.str(d+1), g.str(d+1), g.r.IntN(21))
	case c < 0.88:
		return fmt.Sprintf("@c[%s]", g.int(d+1))
	case c < 0.90:
		return fmt.Sprintf("has_key(@c, %s)", g.int(d+1))
	case c < 0.92:
		return "len(@c)"
	case c < 0.94:
		return []string{"$t.0", "$t.2"}[g.r.IntN(2)]
	case c < 0.96:
		return "sizeof(" + []string{"struct task_struct", "$a", "comm", "$t"}[g.r.IntN(4)] + ")"
	case c < 0.98:
		return fmt.Sprintf("strcontains(%s, %s)", g.str(d+1), g.str(d+1))
	}
	return fmt.Sprintf("bswap((uint32)%s)", g.int(d+1))
}

// literalOnly reports whether the expression x is made of literals alone
// (hexadecimal digits, x, operators), casts aside: a constant the checker
// folds.
func literalOnly(x string) bool {
	for _, c := range []string{"uint", "int"} {
		x = strings.ReplaceAll(x, c, "")
	}
	return !strings.ContainsFunc(x, func(r rune) bool { return r >= 'g' && r <= 'z' && r != 'x' || r == '$' || r == '@' || r == '_' })
}

// str is a string expression.
func (g *scriptGen) str(d int) string {
	c := g.r.Float64()
	if g.noVars && c >= 0.7 {
		c = 0.1
	}
	switch {
	case d > 3 || c < 0.7:
		return g.pick(randomStrs, g.p.strs)
	case c < 0.8:
		return fmt.Sprintf("(%s ? %s : %s)", g.int(d+1), g.str(d+1), g.str(d+1))
	case c < 0.9:
		return "$t.1"
	}
	return "$b"
}

// stmt is a statement; d is its depth in blocks.
func (g *scriptGen) stmt(d int) string {
	i, s := g.int, g.str
	stmts := []func() string{
		func() string { return "$a = " + i(0) + ";" },
		func() string { return "$b = " + s(0) + ";" },
		func() string { return "@v = " + i(0) + ";" },
		func() string { return fmt.Sprintf("@n[%s] = count();", i(0)) },
		func() string { return fmt.Sprintf("@c[%s] = %s;", i(0), i(0)) },
		func() string { return fmt.Sprintf("@sum[%s] = sum(%s);", s(0), i(0)) },
		func() string { return fmt.Sprintf("@avg[%s, %s] = avg(%s);", i(0), s(0), i(0)) },
		func() string { return fmt.Sprintf("@mm[%s] = max(%s);", i(0), i(0)) },
		func() string { return fmt.Sprintf("@st = stats(%s);", i(0)) },
		func() string { return fmt.Sprintf("@h[%s] = hist(%s);", s(0), i(0)) },
		func() string { return fmt.Sprintf("@lh = lhist(%s, 0, 1000, 100);", i(0)) },
		func() string { return fmt.Sprintf("@ts[%s] = tseries(%s, 1s, 5);", i(0), i(0)) },
		func() string { return fmt.Sprintf("@str[%s] = %s;", i(0), s(0)) },
		func() string { return fmt.Sprintf("@tup[%s] = (%s, %s);", i(0), i(0), s(0)) },
		func() string { return fmt.Sprintf("$t = (%s, %s, %s);", i(0), s(0), i(0)) },
		func() string { return fmt.Sprintf(`printf("%%d %%s %%x\n", %s, %s, %s);`, i(0), s(0), i(0)) },
		func() string {
			return fmt.Sprintf("print(%s);", []string{i(0), s(0), "$t", "@c", "@h", "(1, " + s(0) + ")"}[g.r.IntN(6)])
		},
		func() string { return fmt.Sprintf("delete(@c[%s]);", i(0)) },
		func() string { return fmt.Sprintf("delete(@str, %s);", i(0)) },
		func() string { return fmt.Sprintf("if (%s) { %s } else { %s }", i(0), g.block(d+1), g.block(d+1)) },
		func() string { return fmt.Sprintf("unroll(%d) { %s }", 1+g.r.IntN(4), g.block(d+1)) },
		func() string { return g.forRange(d) },
		func() string {
			if d >= 1 {
				return "$a++;"
			}
			return "for ($kv : @c) { $a = $kv.0 + $kv.1; " + g.block(d+2) + " }"
		},
		func() string { return "$a++;" },
		func() string { return "$a += " + i(0) + ";" },
		func() string { return fmt.Sprintf("@c[%s]++;", i(0)) },
		func() string {
			if d >= 1 {
				return "$a--;"
			}
			return fmt.Sprintf("$i = 0; while ($i < %d) { $i++; %s }", g.r.IntN(9), g.block(d+2))
		},
		func() string { return "@stk[kstack] = count();" },
		func() string { return fmt.Sprintf("@bk[buf(%s, 8)] = count();", s(0)) },
		func() string { return "zero(@mm);" },
		func() string { return "clear(@sum);" },
		func() string { return "print(@avg, 3);" },
		func() string { return fmt.Sprintf("$p = curtask; $a = $p->pid + %s;", i(0)) },
		func() string { return fmt.Sprintf("@pp[(uint64)curtask] = %s;", i(0)) },
		func() string { return fmt.Sprintf(`printf("%%s\n", strerror(%s));`, i(0)) },
		func() string {
			return fmt.Sprintf("$s1 = %s; $s2 = %s; $t2 = ($s1, $s2, %s, $s1); @tt[$s1, %s] = $t2; print($t2);", s(0), s(0), i(0), i(0))
		},
		func() string {
			return fmt.Sprintf(`if (%s == %s || strcontains(%s, "ba")) { printf("%%s %%s\n", %s, %s); }`, s(0), s(0), s(0), s(0), s(0))
		},
		func() string {
			if d >= 1 {
				return "$a = 2;"
			}
			return fmt.Sprintf(`for ($kv : @str) { if (strcontains($kv.1, "a")) { printf("%%d %%s %%s\n", $kv.0, $kv.1, %s); } }`, s(0))
		},
		func() string {
			return fmt.Sprintf(`printf("%%s %%s %%s %%s %%d\n", comm, $b, %s, $t.1, %s);`, s(0), i(0))
		},
		func() string {
			return fmt.Sprintf("unroll(%d) { $s3 = %s; @str[%s] = $s3; }", 1+g.r.IntN(5), s(0), i(0))
		},
		func() string {
			if d >= 1 {
				return "$a = 3;"
			}
			return fmt.Sprintf("for ($q : 0..%d) { $s4 = %s; @str[$q] = $s4; $t = (%s, $s4, $q); }", g.r.IntN(5), s(0), i(0))
		},
		func() string {
			return fmt.Sprintf("@big[%s, %s, %s] = (%s, %s, %s, %s);", s(0), s(0), i(0), s(0), s(0), i(0), s(0))
		},
	}
	return stmts[g.r.IntN(len(stmts))]()
}

func (g *scriptGen) forRange(d int) string {
	if d >= 2 {
		return "$a = 1;"
	}
	v := fmt.Sprintf("$j%d", d)
	g.loopVars = append(g.loopVars, v)
	body := g.block(d + 2)
	g.loopVars = g.loopVars[:len(g.loopVars)-1]
	return fmt.Sprintf("for (%s : 0..%d) { %s }", v, g.r.IntN(7), body)
}

func (g *scriptGen) block(d int) string {
	n := g.r.IntN(4)
	if d >= 2 {
		n = g.r.IntN(2)
	}
	var stmts []string
	for range n {
		stmts = append(stmts, g.stmt(d))
	}
	return strings.Join(stmts, " ")
}
