package config

import "testing"

// TestItems: the config record holds every variable under the newest
// bpftrace's names, with the settings' values.
func TestItems(t *testing.T) {
	s := Default()
	s.MaxStrlen, s.StackMode, s.Unstable["unstable_import_statement"] = 100, "perf", "enable"
	items := s.Items()
	if len(items) != 21 || items[0].Name != "cpp_demangle" || items[len(items)-1].Name != "license" {
		t.Fatalf("items %v: want bpftrace's 21, cpp_demangle first and license last", items)
	}
	want := map[string]any{"max_strlen": 100, "stack_mode": "perf", "unstable_import_statement": "enable", "print_maps_on_exit": true, "str_trunc_trailer": ".."}
	for _, it := range items {
		if w, ok := want[it.Name]; ok && it.Value != w {
			t.Errorf("%s = %v, want %v", it.Name, it.Value, w)
		}
		delete(want, it.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing %v", want)
	}
}
