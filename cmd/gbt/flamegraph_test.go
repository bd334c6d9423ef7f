package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gbt-dev/gbt/internal/testenv"
	"github.com/gbt-dev/gbt/runtime/output/flamegraph"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the flame graph browser test's screenshot to docs/flamegraph.png")

// burnProfile is one profile run of gbtwork burn (in main.burnHot three
// rounds to one in main.burnWarm), with -f folded and --flamegraph: its
// output and the SVG's path. The folded and browser tests share it.
type burnProfile struct {
	res traceResult
	svg string
}

var (
	burnOnce sync.Once
	burnRun  burnProfile
	burnErr  string
)

// burnScript samples gbtwork's user stacks at 99 Hz, by its pid, keyed by
// comm and stack, and counts the samples by comm alone too.
// gbt runs with -p, which reads the workload's memory maps at the start:
// it has exited when the maps print.
const burnScript = `profile:hz:99 /pid == @PID@/ { @[comm, ustack] = count(); @samples[comm] = count(); }
tracepoint:syscalls:sys_enter_getpgid /pid == @PID@/ { exit(); }`

func profileBurn(t *testing.T) burnProfile {
	t.Helper()
	requireRoot(t)
	gbt, work := binaries(t)
	burnOnce.Do(func() {
		// Until the run returns: runTracer's t.Fatal ends the first test
		// inside Do, and the other must not use an empty result.
		burnErr = "the profile run failed in the test that made it"
		svg := filepath.Join(filepath.Dir(gbt), "burn.svg")
		res := runTracer(t, traceRun{
			argv:     []string{gbt, "-p", "@PID@", "-f", "folded", "--flamegraph", svg, "-e", burnScript},
			workload: []string{"burn", "1000"},
			work:     work,
		})
		burnErr = ""
		if res.exitCode != 0 {
			burnErr = fmt.Sprintf("exit %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
		}
		burnRun = burnProfile{res: res, svg: svg}
	})
	if burnErr != "" {
		t.Fatal(burnErr)
	}
	return burnRun
}

var foldedLine = regexp.MustCompile(`^([^ ;][^;]*(?:;[^;]+)*) ([0-9]+)$`)

// TestE2EFolded: -f folded prints the stack-keyed map, and only it, on
// stdout as folded stacks led by the comm; its samples add up to those
// counted by comm alone, which go to stderr as text.
func TestE2EFolded(t *testing.T) {
	p := profileBurn(t)
	m := regexp.MustCompile(`@samples\[gbtwork\]: ([0-9]+)\n`).FindStringSubmatch(p.res.stderr)
	if m == nil {
		t.Fatalf("no @samples[gbtwork] on stderr:\n%s", clip(p.res.stderr))
	}
	samples, _ := strconv.Atoi(m[1])
	var total, hot, warm int
	for _, line := range strings.Split(strings.TrimSuffix(p.res.stdout, "\n"), "\n") {
		f := foldedLine.FindStringSubmatch(line)
		if f == nil {
			t.Fatalf("not a folded line: %q\nstdout:\n%s", line, clip(p.res.stdout))
		}
		n, _ := strconv.Atoi(f[2])
		frames := strings.Split(f[1], ";")
		if frames[0] != "gbtwork" {
			t.Errorf("the first frame is not the comm: %q", line)
		}
		total += n
		for i, fr := range frames {
			if strings.Contains(fr, "+") {
				t.Errorf("frame with an offset: %q in %q", fr, line)
			}
			// The leaf: burnHot and burnWarm set up no frame pointer,
			// so their caller's frame is not in the stack.
			if i == len(frames)-1 {
				switch fr {
				case "main.burnHot":
					hot += n
				case "main.burnWarm":
					warm += n
				}
			}
		}
	}
	if total != samples {
		t.Errorf("@[comm, ustack] has %d samples; @samples[gbtwork] counted %d\nstdout:\n%s", total, samples, clip(p.res.stdout))
	}
	// Three rounds in burnHot to one in burnWarm: whatever the machine's
	// load, the hot stack is sampled more.
	if hot == 0 || warm == 0 || hot <= warm {
		t.Errorf("leaf main.burnHot has %d samples, leaf main.burnWarm %d: want both, hot above warm\nstdout:\n%s", hot, warm, clip(p.res.stdout))
	}
	if strings.Contains(p.res.stdout, "@") || strings.Contains(p.res.stdout, "Attach") {
		t.Errorf("stdout holds more than folded stacks:\n%s", clip(p.res.stdout))
	}
}

// TestE2EFlameGraphBrowser loads the SVG of the profile run in headless
// Chromium with a scripted search (?s=REGEX): the screenshot shows frames
// in the flame palette and the matched ones in the match colour, and the
// DOM says which matched; with ?z=NAME too, the frame is zoomed to the
// full width and its siblings are hidden. With -update-screenshot it
// writes a screenshot without search to docs/flamegraph.png (README).
func TestE2EFlameGraphBrowser(t *testing.T) {
	chromium := testenv.RequireCommand(t, "chromium", "apt-get install chromium; .ci/run does")
	p := profileBurn(t)
	svg, err := os.ReadFile(p.svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-name="main.burnHot"`, `data-name="main.burnWarm"`, `data-name="all"`} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Fatalf("%s has no %s", p.svg, want)
		}
	}
	file := "file://" + p.svg
	height := svgHeight(t, svg)
	// Two chromium runs (a few seconds each), side by side: a screenshot
	// after a search, and the DOM after a search and a zoom.
	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		shot := screenshot(t, chromium, file+"?s=burnHot", height)
		hot, magenta := countColours(t, shot)
		// The frames main.main, runtime.main and all span the width (1180
		// pixels, 15 high): at least that much is drawn in the palette.
		if hot < 3*1180*15 {
			t.Errorf("%d pixels in the flame palette, want at least %d", hot, 3*1180*15)
		}
		// main.burnHot has most samples: a quarter of a full-width frame
		// is the least it can have in the match colour.
		if magenta < 1180*15/4 {
			t.Errorf("?s=burnHot: %d pixels in the match colour, want main.burnHot's frame (at least %d)", magenta, 1180*15/4)
		}
		if *updateScreenshot {
			plain := screenshot(t, chromium, file, height)
			if err := os.WriteFile("../../docs/flamegraph.png", plain, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("search and zoom", func(t *testing.T) {
		t.Parallel()
		dom := dumpDOM(t, chromium, file+"?s="+url.QueryEscape(`^main\.burn`)+"&z=main.burnHot")
		frames := regexp.MustCompile(`<g class="frame[^"]*" data-name="([^"]*)"[^>]*>.*?<rect [^>]* fill="([^"]*)"`).FindAllStringSubmatch(dom, -1)
		if len(frames) == 0 {
			t.Fatalf("no frames in the DOM:\n%s", clip(dom))
		}
		var matches, others int
		for _, f := range frames {
			want := strings.HasPrefix(f[1], "main.burn")
			got := f[2] == flamegraph.MatchFill
			if got != want {
				t.Errorf("frame %s: fill %s after searching ^main\\.burn", f[1], f[2])
			}
			if got {
				matches++
			} else {
				others++
			}
		}
		if matches < 2 || others < 3 || !regexp.MustCompile(`>Matched: [0-9.]+%<`).MatchString(dom) {
			t.Errorf("%d frames matched, %d did not; the DOM says %q", matches, others, regexp.MustCompile(`id="matched"[^<]*<`).FindString(dom))
		}
		if !regexp.MustCompile(`data-name="main.burnHot"[^>]*><title>[^<]*</title><rect x="10.00" y="[0-9]+" width="1180.00"`).MatchString(dom) {
			t.Errorf("?z=main.burnHot: the frame is not zoomed to the full width:\n%s", clip(dom))
		}
		if !regexp.MustCompile(`<g class="frame hide" data-name="main.burnWarm"`).MatchString(dom) {
			t.Errorf("?z=main.burnHot: main.burnWarm is not hidden:\n%s", clip(dom))
		}
	})
}

// svgHeight reads the height of the drawing.
func svgHeight(t *testing.T, svg []byte) int {
	m := regexp.MustCompile(`<svg [^>]*height="([0-9]+)"`).FindSubmatch(svg)
	if m == nil {
		t.Fatal("no height in the SVG")
	}
	h, _ := strconv.Atoi(string(m[1]))
	return h
}

// chromiumArgs are the flags of every headless run: no sandbox (root),
// no GPU, a profile of its own.
func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--no-first-run", "--disable-extensions"}
}

func runChromium(t *testing.T, chromium string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(chromium, append(chromiumArgs(t), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, clip(stderr.String()))
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("chromium %v did not finish in 60 s\n%s", args, clip(stderr.String()))
	}
	return stdout.Bytes()
}

// screenshot loads url in a window of the SVG's size and returns the PNG.
func screenshot(t *testing.T, chromium, url string, height int) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, chromium, "--screenshot="+out, fmt.Sprintf("--window-size=1200,%d", height), url)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dumpDOM loads url and returns the document once its scripts have run.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	return string(runChromium(t, chromium, "--dump-dom", url))
}

// countColours decodes a PNG and counts its pixels in FlameGraph's hot
// palette (red 205-255, green up to 230, blue up to 55) and in the match
// colour, rgb(230,0,230), give or take anti-aliasing.
func countColours(t *testing.T, b []byte) (hot, match int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode the screenshot: %v", err)
	}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b := rgb(img, x, y)
			switch {
			case r >= 200 && g <= 235 && b <= 60:
				hot++
			case r >= 220 && r <= 240 && g <= 10 && b >= 220 && b <= 240:
				match++
			}
		}
	}
	return hot, match
}

func rgb(img image.Image, x, y int) (r, g, b uint32) {
	r, g, b, _ = img.At(x, y).RGBA()
	return r >> 8, g >> 8, b >> 8
}

// TestE2EPprof: -f pprof -o FILE writes the stack-keyed map as a profile
// pprof reads, with as many samples as were counted by comm.
func TestE2EPprof(t *testing.T) {
	requireRoot(t)
	gbt, work := binaries(t)
	out := filepath.Join(t.TempDir(), "burn.pb.gz")
	res := runTracer(t, traceRun{
		argv:     []string{gbt, "-p", "@PID@", "-f", "pprof", "-o", out, "-e", burnScript},
		workload: []string{"burn", "500"},
		work:     work,
	})
	if res.exitCode != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", res.exitCode, clip(res.stderr))
	}
	m := regexp.MustCompile(`@samples\[gbtwork\]: ([0-9]+)\n`).FindStringSubmatch(res.stderr)
	if m == nil {
		t.Fatalf("no @samples[gbtwork] on stderr:\n%s", clip(res.stderr))
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("pprof cannot read %s: %v", out, err)
	}
	var total int64
	for _, s := range prof.Sample {
		total += s.Value[0]
		if root := s.Location[len(s.Location)-1].Line[0].Function.Name; root != "gbtwork" {
			t.Errorf("a sample's root frame is %q, want the comm", root)
		}
	}
	if strconv.FormatInt(total, 10) != m[1] {
		t.Errorf("the profile has %d samples, @samples[gbtwork] counted %s", total, m[1])
	}
	if !slices.ContainsFunc(prof.Function, func(f *profile.Function) bool { return f.Name == "main.burnHot" }) {
		t.Errorf("no main.burnHot among the profile's functions")
	}
}
