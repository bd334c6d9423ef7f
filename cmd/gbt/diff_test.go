package main

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gbt-dev/gbt/internal/testenv"
)

// TestDiffBpftrace runs every script in testdata/diff with bpftrace 0.17 and
// with gbt against the same deterministic workload, and requires the same
// output after normalization (order of equal-valued map lines, which follows
// hash order; timing-dependent numbers where a script says so).
//
// Script header directives:
//
//	// workload: open 100 /dev/null   gbtwork arguments: started held, released once the tool attached
//	// args: 7 word                    positional parameters (@WORK@ and @USDT@ too)
//	// flags: --unsafe                 command-line flags for both tools
//	// normalize: hist-counts          drop hist bucket lines (timings vary)
//	// normalize: json                 compare -f json records as JSON values, without
//	//                                  attached_probes and blank lines, whose shape gbt
//	//                                  takes from the newest bpftrace (README)
//	// compat: 0.17                    run gbt with --compat=0.17 and require bpftrace's
//	//                                  stdout byte for byte (no normalization)
//	// todo: reason                    gbt does not support the script yet: reported as a skip
//
// @PID@ in a script stands for the pid of its workload (scripts select the
// workload's events with pid == @PID@, those of the programs it runs with
// curtask->real_parent->tgid == @PID@); @WORK@ for the path of the
// gbtwork binary (uprobes);
// @USDT@ and @USDT0@, in scripts, flags and workloads, for internal/usdtwork
// built with -O2 and -O0, and @WATCHED@ for the address of its watched
// variable in the -O0 build.
func TestDiffBpftrace(t *testing.T) {
	requireRoot(t)
	bpftrace := testenv.RequireCommand(t, "bpftrace", "apt-get install bpftrace; .ci/run does")
	gbt, work := binaries(t)
	files, err := filepath.Glob("testdata/diff/*.bt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/diff: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".bt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := parseDirectives(string(src))
			if why, ok := dir["todo"]; ok {
				t.Skipf("not supported by gbt yet: %s", why)
			}
			subst := strings.NewReplacer("@WORK@", work)
			if strings.Contains(string(src), "@USDT") {
				o2, o0 := usdtWorkloads(t)
				subst = strings.NewReplacer("@WORK@", work, "@USDT@", o2, "@USDT0@", o0, "@WATCHED@", symbolAddr(t, o0, "watched"))
			}
			var workload []string
			if w := dir["workload"]; w != "" {
				workload = strings.Fields(subst.Replace(w))
			}
			args := strings.Fields(subst.Replace(dir["args"]))
			flags := strings.Fields(subst.Replace(dir["flags"]))
			version := dir["compat"]
			run := func(tool string) (traceResult, error) {
				argv := append([]string{tool}, flags...)
				if tool == gbt && version != "" {
					argv = append(argv, "--compat="+version)
				}
				argv = append(argv, "@SCRIPT@")
				argv = append(argv, args...)
				return tryTracer(t, traceRun{argv: argv, script: subst.Replace(string(src)), scriptName: filepath.Base(file),
					workload: workload, work: work, timeout: 30 * time.Second})
			}
			// bpftrace 0.17 now and then fails to start on a loaded
			// machine (its LLVM compile outlasting the timeout): the
			// reference is run once more before the test gives up.
			want, err := run(bpftrace)
			if err != nil {
				t.Logf("bpftrace 0.17, run once more: %v", err)
				if want, err = run(bpftrace); err != nil {
					t.Fatalf("bpftrace 0.17, twice: %v", err)
				}
			}
			got, err := run(gbt)
			if err != nil {
				t.Fatal(err)
			}
			if got.exitCode != want.exitCode {
				t.Errorf("exit code: gbt %d, bpftrace %d\ngbt stderr:\n%s", got.exitCode, want.exitCode, clip(got.stderr))
			}
			norm := dir["normalize"]
			w, g := normalizeOutput(want.stdout, norm), normalizeOutput(got.stdout, norm)
			if version != "" {
				w, g = want.stdout, got.stdout // as is: the shape is what is under test
			}
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("output differs from bpftrace (-bpftrace +gbt):\n%s\ngbt stderr:\n%s\nbpftrace stderr:\n%s", clip(diff), clip(got.stderr), clip(want.stderr))
			}
		})
	}
}

var (
	mapLine     = regexp.MustCompile(`^@[A-Za-z0-9_]*(\[.*\])?: (-?\d+)$`)
	histBucket  = regexp.MustCompile(`^[\[(].*[\])]\s+\d+ \|@*\s*\|$`)
	attachingRE = regexp.MustCompile(`^Attaching \d+ probes?\.\.\.$`)
	// stats017 is a stats() value as 0.17 prints it; gbt prints the
	// newest bpftrace's "{ .count = N, .average = A, .total = T }" (README).
	stats017 = regexp.MustCompile(`: count (-?\d+), average (-?\d+), total (-?\d+)$`)
	// record017 is a flat record in a map key as 0.17 prints it,
	// {.a=1,.b=2}; gbt prints the newest's { .a = 1, .b = 2 } (README).
	record017 = regexp.MustCompile(`\{\.\w+=[^{}\[\],]*(,\.\w+=[^{}\[\],]*)*\}`)
	field017  = regexp.MustCompile(`\.(\w+)=([^,}]*)`)
	// oneValueBucket017 is a bucket of one value as 0.17 prints it,
	// "[3, 4)"; the newest bpftrace (and gbt) print "[3]".
	oneValueBucket017 = regexp.MustCompile(`^\[(\d+), (\d+)\) +\d+ \|`)
)

// newestRecordKey rewrites a 0.17 record key, {.a=1,.b=2}, in the newest
// bpftrace's shape, { .a = 1, .b = 2 }.
func newestRecordKey(rec string) string {
	fields := field017.FindAllStringSubmatch(rec, -1)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "." + f[1] + " = " + f[2]
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

var traceIterFrame = regexp.MustCompile(`^\s+__traceiter_\w+\+\d+$`)

// normalizeOutput removes what legitimately differs between two runs:
// bpftrace 0.17 prints "Attaching N probes..." on stdout (gbt on stderr);
// lines of one map with equal values come in hash order, so runs of them are
// sorted; with "hist-counts" hist bucket lines are dropped; 0.17's stats()
// values and record keys take the newest bpftrace's shape, which gbt prints.
// A kernel stack's __traceiter_* frame is there only while some other tracer
// (a test running beside) has a probe on the same tracepoint: it is dropped.
func normalizeOutput(s, mode string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	inKey := false // between "@m[" and the "]" that ends a key of stacks
	for _, l := range lines {
		if attachingRE.MatchString(l) || traceIterFrame.MatchString(l) {
			continue
		}
		// 0.17 indents a stack's frames in a map key by 4, the newest
		// bpftrace (and gbt) by 8, as in a stack value (README).
		switch {
		case strings.HasPrefix(l, "@") && strings.HasSuffix(l, "["):
			inKey = true
		case strings.HasPrefix(l, "]"):
			inKey = false
		case inKey && strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "        "):
			l = "    " + l
		}
		if l == "" {
			// bpftrace 0.17 prints an empty map as an empty line, the
			// newest bpftrace and gbt as nothing: blank lines are left
			// out on both sides (the compat017 scripts, compared as
			// they are, check 0.17's).
			continue
		}
		l = stats017.ReplaceAllString(l, ": { .count = $1, .average = $2, .total = $3 }")
		if strings.HasPrefix(l, "@") {
			l = record017.ReplaceAllStringFunc(l, newestRecordKey)
			// 0.17's hist/lhist header "@h: "; gbt prints the newest's "@h:".
			if header, ok := strings.CutSuffix(l, ": "); ok {
				l = header + ":"
			}
		}
		if mode == "json" {
			var rec map[string]any
			if strings.TrimSpace(l) == "" {
				continue
			}
			if json.Unmarshal([]byte(l), &rec) == nil {
				if rec["type"] == "attached_probes" {
					continue
				}
				b, _ := json.Marshal(rec) // keys sorted, no spacing
				l = string(b)
			}
		}
		if m := oneValueBucket017.FindStringSubmatch(l); m != nil {
			if a, _ := strconv.Atoi(m[1]); strconv.Itoa(a+1) == m[2] {
				l = fmt.Sprintf("%-16s", "["+m[1]+"]") + l[16:]
			}
		}
		if mode == "hist-counts" && histBucket.MatchString(l) {
			continue
		}
		out = append(out, l)
	}
	// Sort runs of consecutive map lines sharing map name and value.
	key := func(l string) string {
		m := mapLine.FindStringSubmatch(l)
		if m == nil {
			return ""
		}
		name := l[:strings.IndexAny(l, "[:")]
		return name + "=" + m[2]
	}
	for i := 0; i < len(out); {
		k := key(out[i])
		j := i + 1
		for k != "" && j < len(out) && key(out[j]) == k {
			j++
		}
		sort.Strings(out[i:j])
		i = j
	}
	return strings.Join(out, "\n")
}

// symbolAddr returns the address of a symbol of an ELF file, in hex.
func symbolAddr(t *testing.T, path, name string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return "0x" + strconv.FormatUint(s.Value, 16)
		}
	}
	t.Fatalf("no symbol %s in %s", name, path)
	return ""
}
