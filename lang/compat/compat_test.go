package compat

import (
	"math/bits"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Version
		err  bool
	}{
		{"", Newest, false},
		{"newest", Newest, false},
		{"0.27.1", Newest, false},
		{"0.17", V017, false},
		{"0.17.0", V017, false},
		{"v0.17", V017, false},
		{" 0.17 ", V017, false},
		{"0.18", Newest, true},
		{"017", Newest, true},
	} {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestStringParses(t *testing.T) {
	for v := range numVersions {
		got, err := Parse(v.String())
		if err != nil || got != v {
			t.Errorf("Parse(%v.String()) = %v, %v", v, got, err)
		}
	}
}

func TestChanges(t *testing.T) {
	if n := bits.OnesCount64(uint64(allChanges)); n != 37 {
		t.Errorf("allChanges has %d changes; update this test and README's list when adding one", n)
	}
	for c := Change(1); c <= EmptyParamOffsets; c <<= 1 {
		if !Newest.Has(c) {
			t.Errorf("Newest lacks change %#x", c)
		}
		if V017.Has(c) {
			t.Errorf("V017 has change %#x", c)
		}
	}
	if Version(200).Has(HexPointers) != Newest.Has(HexPointers) {
		t.Error("an unknown version does not behave as Newest")
	}
}

func TestSprintf(t *testing.T) {
	for _, tt := range []struct {
		v    Version
		m    Message
		args []any
		want string
	}{
		{Newest, TracepointMissing, []any{"syscalls:nonsense"}, "No matches for tracepoint syscalls:nonsense."},
		{V017, TracepointMissing, []any{"syscalls:nonsense"}, "tracepoint not found: syscalls:nonsense"},
		{V017, TracepointsMissing, []any{"nonsense:*"}, "tracepoints not found: nonsense:*"},
		{Newest, PidNotInteger, []any{"a1111"}, "Failed to parse pid: invalid integer: a1111"},
		{V017, PidNotInteger, []any{"a1111"}, "pid 'a1111' is not a valid decimal number"},
		{Newest, PidTrailingBytes, []any{"111a1"}, "Failed to parse pid: invalid trailing bytes: 111a1"},
		{V017, PidTrailingBytes, []any{"111a1"}, "pid '111a1' is not a valid decimal number"},
		{Newest, PidOutOfRange, []any{"5000000"}, "Pid out of range: 5000000"},
		{V017, PidOutOfRange, []any{"5000000"}, "pid '5000000' out of valid pid range [1,4194304]"},
		{Newest, CatOpenFailed, []any{"/x", "No such file or directory"}, "failed to open file '/x' (No such file or directory)"},
		{V017, CatOpenFailed, []any{"/x", "No such file or directory"}, "failed to open file '/x': No such file or directory"},
	} {
		if got := tt.v.Sprintf(tt.m, tt.args...); got != tt.want {
			t.Errorf("%v.Sprintf(%d) = %q, want %q", tt.v, tt.m, got, tt.want)
		}
	}
	for m := range numMessages {
		for v := range numVersions {
			if words[m][v] == "" {
				t.Errorf("message %d has no words for %v", m, v)
			}
		}
	}
}
