// Zoom on click (or file.svg?z=NAME: the widest frame of that name), search
// (the Search button, Ctrl-F or "/", or file.svg?s=REGEX), and a details
// line on hover. Frames carry their place in samples
// (data-x, data-samples) and depth; pixels are computed from those.
(function () {
	"use strict";
	var svg = document.documentElement;
	var xpad = +svg.getAttribute("data-xpad");
	var width = +svg.getAttribute("data-frames-width");
	var total = +svg.getAttribute("data-total");
	var charWidth = +svg.getAttribute("data-char-width");
	var unit = svg.getAttribute("data-unit");
	var matchFill = "rgb(230,0,230)";
	var frames = Array.prototype.slice.call(document.querySelectorAll("g.frame"));
	var details = document.getElementById("details");
	var matched = document.getElementById("matched");
	var unzoom = document.getElementById("unzoom");
	var searchButton = document.getElementById("search");
	var query = null;

	function num(g, a) { return +g.getAttribute(a); }

	function fit(name, w) {
		var n = Math.floor((w - 6) / charWidth);
		if (n < 3) { return ""; }
		return name.length <= n ? name : name.slice(0, n - 2) + "..";
	}

	function place(g, x, w) {
		var r = g.querySelector("rect"), t = g.querySelector("text");
		r.setAttribute("x", x.toFixed(2));
		r.setAttribute("width", w.toFixed(2));
		t.setAttribute("x", (x + 3).toFixed(2));
		t.textContent = fit(g.getAttribute("data-name"), w);
	}

	function zoom(z) {
		var x0 = num(z, "data-x"), n0 = num(z, "data-samples"), d0 = num(z, "data-depth");
		var scale = width / n0;
		frames.forEach(function (g) {
			var x = num(g, "data-x"), n = num(g, "data-samples"), d = num(g, "data-depth");
			g.classList.remove("parent", "hide");
			if (d < d0 && x <= x0 && x + n >= x0 + n0) {
				g.classList.add("parent");
				place(g, xpad, width);
			} else if (d >= d0 && x >= x0 && x + n <= x0 + n0) {
				place(g, xpad + (x - x0) * scale, n * scale);
			} else {
				g.classList.add("hide");
			}
		});
		unzoom.classList.remove("hide");
	}

	function resetZoom() {
		var scale = width / total;
		frames.forEach(function (g) {
			g.classList.remove("parent", "hide");
			place(g, xpad + num(g, "data-x") * scale, num(g, "data-samples") * scale);
		});
		unzoom.classList.add("hide");
	}

	function pct(n) { return (100 * n / total).toFixed(2) + "%"; }

	function search(q) {
		var re;
		try { re = new RegExp(q); } catch (e) { details.textContent = "bad search: " + e.message; return; }
		query = q;
		var spans = [];
		frames.forEach(function (g) {
			var r = g.querySelector("rect");
			if (re.test(g.getAttribute("data-name"))) {
				r.setAttribute("fill", matchFill);
				g.setAttribute("data-match", "true");
				spans.push([num(g, "data-x"), num(g, "data-samples")]);
			} else {
				r.setAttribute("fill", r.getAttribute("data-fill"));
				g.removeAttribute("data-match");
			}
		});
		// The samples under a matched frame count once, however many
		// matched frames lie above each other.
		spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
		var sum = 0, end = -1;
		spans.forEach(function (s) {
			var e = s[0] + s[1];
			if (s[0] >= end) { sum += s[1]; end = e; } else if (e > end) { sum += e - end; end = e; }
		});
		matched.textContent = "Matched: " + pct(sum);
		searchButton.textContent = "Reset Search";
		searchButton.classList.add("active");
	}

	function resetSearch() {
		query = null;
		frames.forEach(function (g) {
			var r = g.querySelector("rect");
			r.setAttribute("fill", r.getAttribute("data-fill"));
			g.removeAttribute("data-match");
		});
		matched.textContent = "";
		searchButton.textContent = "Search";
		searchButton.classList.remove("active");
	}

	function promptSearch() {
		var q = window.prompt("Search for (regular expression):", query || "");
		if (q) { search(q); }
	}

	function frameOf(el) { return el && el.closest ? el.closest("g.frame") : null; }

	svg.addEventListener("click", function (e) {
		if (e.target === unzoom) { resetZoom(); return; }
		if (e.target === searchButton) { if (query === null) { promptSearch(); } else { resetSearch(); } return; }
		var g = frameOf(e.target);
		if (g) { zoom(g); }
	});
	svg.addEventListener("mouseover", function (e) {
		var g = frameOf(e.target);
		if (g) { details.textContent = g.getAttribute("data-name") + " (" + g.getAttribute("data-samples") + " " + unit + ", " + pct(num(g, "data-samples")) + ")"; }
	});
	svg.addEventListener("mouseout", function (e) {
		if (frameOf(e.target)) { details.textContent = " "; }
	});
	window.addEventListener("keydown", function (e) {
		if ((e.ctrlKey && e.key === "f") || e.key === "/") { e.preventDefault(); promptSearch(); }
		if (e.key === "Escape") { resetZoom(); resetSearch(); }
	});
	var params = new URLSearchParams(window.location.search);
	var z = params.get("z"), q = params.get("s");
	if (z) {
		var widest = null;
		frames.forEach(function (g) {
			if (g.getAttribute("data-name") === z && (!widest || num(g, "data-samples") > num(widest, "data-samples"))) { widest = g; }
		});
		if (widest) { zoom(widest); }
	}
	if (q) { search(q); }
})();
