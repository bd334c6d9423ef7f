package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestE2EAggCache: keyed counts, sums, averages, extremes and histograms
// that only user space reads go through per-CPU slots in front of the map
// (codegen's aggregation cache). With 701 keys on every CPU, more than a
// CPU's slots, some keys count in slots, some in the map and some in both
// (a slot on one CPU, the map on the other); each must print what a count
// keyed alike in a declared map (which has no cache) prints, the sums and
// averages must agree with it, the extremes and histograms print as a
// declared map's, and the counts must add up to the keyless count. zero()
// keeps the keys the slots held, clear() empties them, and counting after
// a clear starts from nothing, in a slot an earlier generation held.
func TestE2EAggCache(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	prog := `let @ref = percpuhash(4096); let @href = percpuhash(4096); let @mxref = percpuhash(64); let @mnref = percpuhash(64);
tracepoint:syscalls:sys_enter_openat /pid == @PID@/ {
	$k = nsecs % 701; @c[$k] = count(); @ref[$k] = count(); @s[$k] = sum(2); @a[$k] = avg($k);
	@n = count(); @comm[comm] = count(); @h[$k % 3, comm] = hist($k); @href[$k % 3, comm] = hist($k);
	@mx[$k % 7] = max($k); @mxref[$k % 7] = max($k); @mn[$k % 7] = min($k); @mnref[$k % 7] = min($k);
}
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ {
	print(@c); print(@ref); print(@s); print(@a); print(@mx); print(@mxref); print(@mn); print(@mnref); zero(@comm); print(@comm); clear(@c); print(@c);
	printf("hist\n"); print(@h); printf("href\n"); print(@href); printf("end\n"); exit();
}
END {
	@c[99999] = count(); @c[99999] = count(); @comm["x"] = count();
	clear(@ref); clear(@s); clear(@a); clear(@h); clear(@href); clear(@mx); clear(@mxref); clear(@mn); clear(@mnref);
}`
	res := runTracer(t, traceRun{argv: []string{gbt, "-e", prog}, workload: []string{"open-each-cpu", "3000", "/dev/null"}, work: work, timeout: 60 * time.Second})
	if res.exitCode != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
	}
	hist, href, ok := strings.Cut(res.stdout, "\nhref\n")
	_, hist, _ = strings.Cut(hist, "\nhist\n")
	href, _, _ = strings.Cut(href, "\nend\n")
	if !ok || strings.Count(hist, "@h[") != 3 || strings.ReplaceAll(href, "@href[", "@h[") != hist {
		t.Errorf("the cached histograms print otherwise than the declared map's:\n%s\nwant:\n%s", hist, href)
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
	if len(printed["@c"]) != 2 || len(printed["@ref"]) != 1 || len(printed["@s"]) != 1 || len(printed["@a"]) != 1 ||
		len(printed["@comm"]) != 2 || len(printed["@n"]) != 1 {
		t.Fatalf("want @c and @comm printed twice (the empty print prints nothing), @ref, @s, @a and @n once; got %v\nstdout:\n%s", order, clip(res.stdout))
	}
	values := func(name string) map[string]int {
		m := map[string]int{}
		for _, e := range printed[name][0] {
			m[e.key], _ = strconv.Atoi(e.val)
		}
		return m
	}
	counts, refs, sums, avgs := values("@c"), values("@ref"), values("@s"), values("@a")
	if len(counts) < 600 || len(counts) != len(refs) || len(sums) != len(refs) || len(avgs) != len(refs) {
		t.Errorf("@c has %d keys, @ref %d, @s %d, @a %d: want the same, over 600", len(counts), len(refs), len(sums), len(avgs))
	}
	total := 0
	for k, ref := range refs {
		total += counts[k]
		if counts[k] != ref || sums[k] != 2*ref || strconv.Itoa(avgs[k]) != k {
			t.Errorf("key %s: @c %d, @ref %d, @s %d (want twice @ref), @a %d (want the key)", k, counts[k], ref, sums[k], avgs[k])
		}
	}
	for _, m := range []string{"@mx", "@mn"} {
		if len(printed[m]) != 1 || len(printed[m+"ref"]) != 1 {
			t.Fatalf("want %s and %sref printed once; got %v\nstderr:\n%s", m, m, order, clip(res.stderr))
		}
		got, want := values(m), values(m+"ref")
		if len(got) != 7 || len(got) != len(want) {
			t.Errorf("%s has %d keys, %sref %d: want 7", m, len(got), m, len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s[%s] = %d, %sref[%s] = %d", m, k, got[k], m, k, v)
			}
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
