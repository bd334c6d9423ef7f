package kernel

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

func TestHeader(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "mine.h"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := NewEnv()
	e.SetIncludeDirs([]string{dir})
	tests := []struct {
		name   string
		system bool
		found  bool
	}{
		{"sub/mine.h", true, true},  // an -I directory
		{"sub/mine.h", false, true}, // "..." searches -I too
		{filepath.Join(dir, "sub/mine.h"), false, true},
		{"stddef.h", true, true}, // the compiler's own
		{"lol/no.h", true, false},
		{"nosuch-gbt-header.h", false, false},
	}
	for _, tt := range tests {
		err := e.Header(tt.name, tt.system)
		if tt.found && err != nil {
			t.Errorf("Header(%q, %v) = %v, want found", tt.name, tt.system, err)
		}
		if !tt.found && !errors.Is(err, probe.ErrNoHeader) {
			t.Errorf("Header(%q, %v) = %v, want ErrNoHeader", tt.name, tt.system, err)
		}
	}
	if err := NewEnv().Header("sub/mine.h", true); !errors.Is(err, probe.ErrNoHeader) {
		t.Errorf("without -I: %v, want ErrNoHeader", err)
	}
}
