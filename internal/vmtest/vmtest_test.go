package vmtest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cavaliergopher/cpio"
)

func TestDependsOn(t *testing.T) {
	out := "linux-image-7.2.13+deb14-amd64\n  PreDepends: linux-base\n  Depends: linux-base-7.2.13+deb14-amd64\n  Depends: linux-binary-7.2.13+deb14-amd64\n" +
		"  Depends: <linux-initramfs-tool>\n  Depends: dracut\n"
	got := dependsOn(out, "linux-")
	want := []string{"linux-base-7.2.13+deb14-amd64", "linux-binary-7.2.13+deb14-amd64"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := dependsOn("linux-image-amd64\n", "linux-image-"); len(got) != 0 {
		t.Errorf("no Depends: got %v", got)
	}
}

// TestFindKernel: the image and config in /boot (Debian 12, 13) or in
// /usr/lib/modules/RELEASE (newer packages).
func TestFindKernel(t *testing.T) {
	mk := func(tree string, files ...string) {
		for _, f := range files {
			p := filepath.Join(tree, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	old := t.TempDir()
	mk(old, "boot/vmlinuz-6.12.1-amd64", "boot/config-6.12.1-amd64", "usr/lib/modules/6.12.1-amd64/kernel/fs/9p/9p.ko.xz")
	image, modDir, config, release, err := findKernel(old)
	if err != nil || image != filepath.Join(old, "boot/vmlinuz-6.12.1-amd64") || config != filepath.Join(old, "boot/config-6.12.1-amd64") ||
		modDir != filepath.Join(old, "usr/lib/modules/6.12.1-amd64") || release != "6.12.1-amd64" {
		t.Errorf("/boot layout: %q %q %q %q %v", image, modDir, config, release, err)
	}
	split := t.TempDir()
	mk(split, "usr/lib/modules/7.2.13-amd64/vmlinuz", "usr/lib/modules/7.2.13-amd64/config")
	image, modDir, config, release, err = findKernel(split)
	if err != nil || image != filepath.Join(split, "usr/lib/modules/7.2.13-amd64/vmlinuz") || config != filepath.Join(split, "usr/lib/modules/7.2.13-amd64/config") ||
		modDir != filepath.Join(split, "usr/lib/modules/7.2.13-amd64") || release != "7.2.13-amd64" {
		t.Errorf("split layout: %q %q %q %q %v", image, modDir, config, release, err)
	}
	if _, _, _, _, err := findKernel(t.TempDir()); err == nil {
		t.Error("no image: no error")
	}
}

func TestDebianArchive(t *testing.T) {
	tests := []struct {
		name, file, text, uri, keyring string
	}{
		{"deb822", "sources.list.d/debian.sources",
			"Types: deb\n# a comment: here\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/k.gpg\n\n" +
				"Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n",
			"http://mirror.example/debian", "/usr/share/keyrings/k.gpg"},
		{"security first", "sources.list.d/debian.sources",
			"Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n",
			"http://mirror.example/debian/", ""},
		{"one-line", "sources.list",
			"# deb http://old.example/debian bookworm main\ndeb http://mirror.example/debian bookworm main\n",
			"http://mirror.example/debian", ""},
	}
	for _, tt := range tests {
		etc := t.TempDir()
		p := filepath.Join(etc, tt.file)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		uri, keyring, err := debianArchive(etc)
		if err != nil || uri != tt.uri || keyring != tt.keyring {
			t.Errorf("%s: got %q %q %v, want %q %q", tt.name, uri, keyring, err, tt.uri, tt.keyring)
		}
	}
	if _, _, err := debianArchive(t.TempDir()); err == nil {
		t.Error("no sources: no error")
	}
}

// TestWriteInitramfs reads back the archive WriteInitramfs writes.
func TestWriteInitramfs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	init := write("guestinit", "\x7fELF init")
	k := &Kernel{Modules: []string{write("netfs.ko", "netfs"), write("9p.ko", "ninep")}}
	out := filepath.Join(dir, "initramfs.cpio")
	if err := WriteInitramfs(out, init, k); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	r := cpio.NewReader(bytes.NewReader(data))
	got := map[string]string{}
	var names []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r)
		names = append(names, h.Name)
		got[h.Name] = string(body)
		if h.Name == "init" && h.Mode.Perm() != 0o755 {
			t.Errorf("init mode %v", h.Mode)
		}
		if h.Name == "dev" && !h.Mode.IsDir() {
			t.Errorf("dev is not a directory: %v", h.Mode)
		}
	}
	for name, want := range map[string]string{"init": "\x7fELF init", "modules/netfs.ko": "netfs", "modules/9p.ko": "ninep", "modules/order": "netfs.ko\n9p.ko\n"} {
		if got[name] != want {
			t.Errorf("%s: got %q, want %q (entries %v)", name, got[name], want, names)
		}
	}
}

func TestJobs(t *testing.T) {
	dir := t.TempDir()
	jobs := []Job{{Name: "gbt.kprobe_1", Argv: []string{"/bin/true"}, Timeout: time.Second}}
	if err := writeJobs(dir, jobs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJobs(dir)
	if err != nil || len(back) != 1 || back[0].Name != "gbt.kprobe_1" || back[0].Timeout != time.Second {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if err := writeJobs(dir, []Job{{Name: "../x"}}); err == nil {
		t.Error("a job named ../x was accepted")
	}
	if _, ok, err := readResult(dir, "gbt.kprobe_1"); ok || err != nil {
		t.Errorf("a result before the guest wrote one: %v %v", ok, err)
	}
	want := Result{Stdout: "out\n", Stderr: "err\n", ExitCode: 1}
	if err := WriteResult(dir, "gbt.kprobe_1", want); err != nil {
		t.Fatal(err)
	}
	if r, ok, err := readResult(dir, "gbt.kprobe_1"); !ok || err != nil || r != want {
		t.Errorf("got %+v %v %v", r, ok, err)
	}
}

func TestTail(t *testing.T) {
	if got := tail("a\nb\nc\nd\n", 2); got != "c\nd\n" {
		t.Errorf("got %q", got)
	}
	if got := tail("a\nb", 5); got != "a\nb" {
		t.Errorf("got %q", got)
	}
}
