package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestE2ECountCache: keyed counts that only user space reads go through
// per-CPU slots in front of the map (codegen's count cache). With 701
// keys on every CPU, more than a CPU's slots, some keys count in slots,
// some in the map and some in both (a slot on one CPU, the map on the
// other); each must print the same as a sum() of 1 keyed alike, which
// has no cache, and the counts must add up to the keyless count. zero()
// keeps the keys the slots held, clear() empties them, and counting after
// a clear starts from nothing, in a slot an earlier generation held.
func TestE2ECountCache(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `tracepoint:syscalls:sys_enter_openat /pid == @PID@/ {
	$k = nsecs % 701; @c[$k] = count(); @s[$k] = sum(1); @n = count(); @comm[comm] = count();
}
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ {
	print(@c); print(@s); zero(@comm); print(@comm); clear(@c); print(@c); exit();
}
END { @c[99999] = count(); @c[99999] = count(); @comm["x"] = count(); }`
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"open-each-cpu", "3000", "/dev/null"}, work: work, timeout: 60 * time.Second})
	if res.exitCode != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
	}
	line := regexp.MustCompile(`^(@\w+)(?:\[(.*)\])?: (\d+)$`)
	type elem struct{ key, val string }
	var order []string
	printed := map[string][][]elem{} // each map's prints, in order
	last := ""
	for _, l := range strings.Split(res.stdout, "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			last = ""
			continue
		}
		if m[1] != last {
			printed[m[1]] = append(printed[m[1]], nil)
			order = append(order, m[1])
			last = m[1]
		}
		ps := printed[m[1]]
		ps[len(ps)-1] = append(ps[len(ps)-1], elem{m[2], m[3]})
	}
	if len(printed["@c"]) != 2 || len(printed["@s"]) != 2 || len(printed["@comm"]) != 2 || len(printed["@n"]) != 1 {
		t.Fatalf("want @c, @s and @comm printed twice (the empty print prints nothing), @n once; got %v\nstdout:\n%s", order, clip(res.stdout))
	}
	counts := map[string]string{}
	total := 0
	for _, e := range printed["@c"][0] {
		counts[e.key] = e.val
		n, _ := strconv.Atoi(e.val)
		total += n
	}
	sums := map[string]string{}
	for _, e := range printed["@s"][0] {
		sums[e.key] = e.val
	}
	if len(counts) < 600 || len(counts) != len(sums) {
		t.Errorf("@c has %d keys, @s %d: want the same, over 600", len(counts), len(sums))
	}
	for k, v := range sums {
		if counts[k] != v {
			t.Errorf("@c[%s] = %q, @s[%s] = %s", k, counts[k], k, v)
		}
	}
	if n := printed["@n"][0][0].val; strconv.Itoa(total) != n {
		t.Errorf("the counts of @c add up to %d, @n is %s", total, n)
	}
	if got := printed["@comm"][0]; len(got) != 1 || got[0] != (elem{"gbtwork", "0"}) {
		t.Errorf("@comm after zero(): %v, want [{gbtwork 0}]", got)
	}
	if got := printed["@c"][1]; len(got) != 1 || got[0] != (elem{"99999", "2"}) {
		t.Errorf("@c at exit: %v, want [{99999 2}] (END's counts after clear())", got)
	}
	if got := printed["@comm"][1]; len(got) != 2 || got[0] != (elem{"gbtwork", "0"}) || got[1] != (elem{"x", "1"}) {
		t.Errorf("@comm at exit: %v, want [{gbtwork 0} {x 1}]", got)
	}
}
