package vmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/cavaliergopher/cpio"
)

// BuildGuestInit builds the guestinit program, static, into dir and
// returns its path. moduleDir is the directory of gbt's go.mod.
func BuildGuestInit(moduleDir, dir string) (string, error) {
	out := filepath.Join(dir, "guestinit")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./internal/vmtest/guestinit")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build guestinit: %v: %s", err, b)
	}
	return out, nil
}

// An entry is one file or directory of an initramfs.
type entry struct {
	name string
	mode cpio.FileMode
	data []byte
}

// WriteInitramfs writes, at path, an uncompressed newc initramfs holding
// init as /init and k's modules under /modules (with /modules/order, their
// load order).
func WriteInitramfs(path, init string, k *Kernel) error {
	initData, err := os.ReadFile(init)
	if err != nil {
		return err
	}
	entries := []entry{
		{name: "dev", mode: cpio.TypeDir | 0o755},
		{name: "mnt", mode: cpio.TypeDir | 0o755},
		{name: "proc", mode: cpio.TypeDir | 0o755},
		{name: "modules", mode: cpio.TypeDir | 0o755},
		{name: "init", mode: cpio.TypeReg | 0o755, data: initData},
	}
	var order []string
	for _, m := range k.Modules {
		data, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		name := filepath.Base(m)
		order = append(order, name)
		entries = append(entries, entry{name: "modules/" + name, mode: cpio.TypeReg | 0o644, data: data})
	}
	entries = append(entries, entry{name: "modules/order", mode: cpio.TypeReg | 0o644, data: []byte(strings.Join(order, "\n") + "\n")})
	var buf bytes.Buffer
	if err := writeCpio(&buf, entries); err != nil {
		return fmt.Errorf("initramfs: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeCpio(buf *bytes.Buffer, entries []entry) error {
	w := cpio.NewWriter(buf)
	for i, e := range entries {
		h := &cpio.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Links: 1, Inode: int64(i + 1)}
		if e.mode&^0o7777 == cpio.TypeDir {
			h.Links = 2
		}
		if err := w.WriteHeader(h); err != nil {
			return err
		}
		if _, err := w.Write(e.data); err != nil {
			return err
		}
	}
	return w.Close()
}
