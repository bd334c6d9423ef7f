package flamegraph

import (
	"bufio"
	_ "embed"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"strconv"
	"strings"
)

// Options shape the drawing; zero values take the defaults.
type Options struct {
	Title string // default "Flame Graph"
	// Subtitle is a line under the title (the command that made it, say).
	Subtitle string
	Width    int // of the image in pixels; default 1200
	// Unit names what a frame counts, in its tooltip; default "samples".
	Unit string
}

// Geometry of the drawing, in pixels, as FlameGraph's defaults.
const (
	defaultWidth = 1200
	frameHeight  = 16
	fontSize     = 12
	charWidth    = 0.59 * fontSize // of an average Verdana character
	xPad         = 10
	// minWidth is the narrowest frame drawn, in pixels.
	minWidth = 0.1
	// Above the frames: the title, the subtitle and the buttons; below:
	// the details line.
	padTop    = fontSize * 5
	padBottom = fontSize*2 + 10
)

// MatchFill is the colour of the frames a search matched.
const MatchFill = "rgb(230,0,230)"

//go:embed flamegraph.js
var script string

//go:embed flamegraph.css
var style string

// Write draws stacks as an SVG flame graph on w.
func Write(w io.Writer, stacks []Stack, o Options) error {
	if o.Title == "" {
		o.Title = "Flame Graph"
	}
	if o.Width <= 0 {
		o.Width = defaultWidth
	}
	if o.Unit == "" {
		o.Unit = "samples"
	}
	framesWidth := float64(o.Width - 2*xPad)
	// A frame of s samples is s*framesWidth/total pixels wide.
	var total int64
	for _, s := range stacks {
		if s.Count > 0 {
			total += s.Count
		}
	}
	g := Layout(stacks, minWidth*float64(total)/framesWidth)
	scale := 0.0
	if g.Total > 0 {
		scale = framesWidth / float64(g.Total)
	}
	height := padTop + (g.MaxDepth+1)*frameHeight + padBottom
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg" data-xpad="%d" data-frames-width="%g" data-total="%d" data-char-width="%g" data-unit="%s">
<style type="text/css"><![CDATA[
%s]]></style>
<defs><linearGradient id="background" y1="0" y2="1" x1="0" x2="0"><stop stop-color="#eeeeee" offset="5%%"/><stop stop-color="#eeeeb0" offset="95%%"/></linearGradient></defs>
<rect x="0" y="0" width="%d" height="%d" fill="url(#background)"/>
<text id="title" x="%d" y="%d">%s</text>
`, o.Width, height, o.Width, height, xPad, framesWidth, g.Total, charWidth, esc(o.Unit), style,
		o.Width, height, o.Width/2, fontSize*2, esc(o.Title))
	if o.Subtitle != "" {
		fmt.Fprintf(bw, "<text id=\"subtitle\" x=\"%d\" y=\"%d\">%s</text>\n", o.Width/2, fontSize*3+4, esc(o.Subtitle))
	}
	fmt.Fprintf(bw, `<text id="unzoom" class="hide" x="%d" y="%d">Reset Zoom</text>
<text id="search" x="%d" y="%d">Search</text>
<text id="matched" x="%d" y="%d"></text>
<text id="details" x="%d" y="%d"> </text>
<g id="frames">
`, xPad, fontSize*4+4, o.Width-xPad, fontSize*4+4, o.Width-xPad, height-fontSize, xPad, height-fontSize)
	for _, f := range g.Frames {
		x := xPad + float64(f.Start)*scale
		wd := float64(f.Samples) * scale
		y := height - padBottom - (f.Depth+1)*frameHeight
		fill := Fill(f.Name)
		name := esc(f.Name)
		fmt.Fprintf(bw, `<g class="frame" data-name="%s" data-depth="%d" data-x="%d" data-samples="%d"><title>%s (%s)</title><rect x="%.2f" y="%d" width="%.2f" height="%d" rx="2" ry="2" fill="%s" data-fill="%s"/><text x="%.2f" y="%d">%s</text></g>
`, name, f.Depth, f.Start, f.Samples, name, esc(Share(f.Samples, g.Total, o.Unit)),
			x, y, wd, frameHeight-1, fill, fill, x+3, y+frameHeight-5, esc(Fit(f.Name, wd)))
	}
	fmt.Fprintf(bw, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n", script)
	return bw.Flush()
}

// Share says how many units a frame has and their percentage of total:
// "42 samples, 12.50%".
func Share(n, total int64, unit string) string {
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(n) / float64(total)
	}
	if n == 1 && unit == "samples" {
		unit = "sample"
	}
	return strconv.FormatInt(n, 10) + " " + unit + ", " + strconv.FormatFloat(pct, 'f', 2, 64) + "%"
}

// Fit is the label of a frame width pixels wide: the name, cut short with
// ".." when it does not fit, nothing when not even three characters do
// (flamegraph.js does the same when zooming).
func Fit(name string, width float64) string {
	n := int((width - 6) / charWidth)
	if n < 3 {
		return ""
	}
	r := []rune(name)
	if len(r) <= n {
		return name
	}
	return string(r[:n-2]) + ".."
}

// Fill is a frame's colour: a warm colour (FlameGraph's "hot" palette)
// picked by a hash of its name, so a function keeps its colour from one
// graph to the next.
func Fill(name string) string {
	h := fnv.New32a()
	io.WriteString(h, name)
	v := h.Sum32()
	v1 := float64(v&0xff) / 255
	v2 := float64(v>>8&0xff) / 255
	v3 := float64(v>>16&0xff) / 255
	return fmt.Sprintf("rgb(%d,%d,%d)", 205+int(50*v3), int(230*v1), int(55*v2))
}

// esc escapes text for XML content and attribute values; bytes that are
// not UTF-8 and control characters, which XML cannot hold, become U+FFFD.
func esc(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return '\uFFFD'
		}
		return r
	}, s)
	return html.EscapeString(s)
}
