package toolfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRoundTrip(t *testing.T) {
	exe := []byte("\x7fELF...the executable")
	tool := &Tool{Name: "a.bt", Script: "BEGIN { exit(); }", Params: []string{"1"},
		Named: map[string]string{"n": "5"}, Options: []Option{{Name: "n", Default: "5", Desc: "how many"}}, Positionals: 1}
	var buf bytes.Buffer
	if err := Write(&buf, exe, tool); err != nil {
		t.Fatal(err)
	}
	got, err := Read(write(t, buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tool, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if s := Strip(buf.Bytes()); !bytes.Equal(s, exe) {
		t.Errorf("Strip = %q, want the executable %q", s, exe)
	}
	// A tool built from a tool carries only the new script.
	var again bytes.Buffer
	if err := Write(&again, buf.Bytes(), &Tool{Name: "b.bt"}); err != nil {
		t.Fatal(err)
	}
	if s := Strip(again.Bytes()); !bytes.Equal(s, exe) {
		t.Errorf("a tool rebuilt from a tool holds %q, want the executable %q", s, exe)
	}
}

func TestNotTool(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":       nil,
		"short":       []byte("gbt"),
		"executable":  []byte("\x7fELF and some more bytes than a trailer"),
		"magic early": []byte(Magic + "0123456789abcdef"),
	} {
		if _, err := Read(write(t, data)); !errors.Is(err, ErrNotTool) {
			t.Errorf("%s: Read error %v, want ErrNotTool", name, err)
		}
	}
}

func TestCorrupt(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []byte("exe"), &Tool{Name: "a.bt"}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	long := append([]byte(nil), b...)
	long[len(long)-trailerLen] = 0xff // a length past the file's start
	if _, err := Read(write(t, long)); err == nil || errors.Is(err, ErrNotTool) {
		t.Errorf("a length past the start: error %v, want a corrupt-trailer error", err)
	}
	if s := Strip(long); !bytes.Equal(s, long) {
		t.Errorf("Strip cut a file whose trailer is corrupt")
	}
	bad := append([]byte(nil), b...)
	bad[len(b)-trailerLen-1] = '!' // the JSON's closing brace
	if _, err := Read(write(t, bad)); err == nil || errors.Is(err, ErrNotTool) {
		t.Errorf("bad JSON: error %v, want a corrupt-tool error", err)
	}
}
