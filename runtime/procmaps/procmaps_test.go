package procmaps

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestExec(t *testing.T) {
	maps := filepath.Join(t.TempDir(), "maps")
	text := `7f0000002000-7f0000003000 r-xp 00002000 08:01 42 /usr/lib/libc.so.6
55d000000000-55d000001000 r--p 00000000 08:01 7 /usr/bin/prog
55d000001000-55d000002000 r-xp 00001000 08:01 7 /usr/bin/prog
7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0 [vdso]
7f0000010000-7f0000011000 rw-p 00000000 00:00 0
7f0000020000-7f0000021000 r-xp 00000000 08:01 9 /tmp/a file (deleted)
`
	if err := os.WriteFile(maps, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []Mapping{
		{Start: 0x55d000001000, End: 0x55d000002000, Offset: 0x1000, Path: "/usr/bin/prog"},
		{Start: 0x7f0000002000, End: 0x7f0000003000, Offset: 0x2000, Path: "/usr/lib/libc.so.6"},
		{Start: 0x7f0000020000, End: 0x7f0000021000, Offset: 0, Path: "/tmp/a file (deleted)"},
	}
	if got := Exec(maps); !reflect.DeepEqual(got, want) {
		t.Errorf("Exec:\n%+v\nwant\n%+v", got, want)
	}
	if got := Exec(filepath.Join(t.TempDir(), "gone")); got != nil {
		t.Errorf("a process that is gone: %v", got)
	}
}
