// Package vmtest boots other Linux kernels under QEMU and runs commands in
// them, so that gbt's probe kinds that this machine's kernel lacks
// (kprobes, fentry/fexit, iterators) can be attached for real.
//
// A Kernel is one of Debian's kernel packages, fetched once with the
// machine's own apt (pointed at another suite of the same archive) and
// cached: its vmlinuz and the few modules a guest needs to mount the
// host's root file system over virtio-9p. Initramfs builds the guest's
// initramfs around the guestinit program, and Run boots a kernel with the
// host's root shared read-only, runs a list of Jobs in it and brings back
// each job's output through a second, writable 9p export.
package vmtest

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ulikunitz/xz"
)

// GuestModules are the modules a guest loads (those the kernel has built
// in are left out): those that mount the host's root file system over
// virtio-9p; null_blk, whose /dev/nullb0 is a block device (blk-mq, I/O
// completed at once, no data kept) for the block I/O tools' cases; zram,
// block devices in memory that keep their data (a swap device, an XFS
// file system, an md array's members); xfs; md_mod and raid0, for an md
// array (mdflush).
var GuestModules = []string{"virtio_pci", "9pnet_virtio", "9p", "null_blk", "zram", "xfs", "md_mod", "raid0"}

// OptionalGuestModules are loaded before GuestModules where the kernel
// has them as modules: crc32c_generic, the crc32c algorithm libcrc32c
// (xfs's dependency until Linux 6.14) asks the crypto API for at load,
// which a guest without the kernel's module tree could not load then.
var OptionalGuestModules = []string{"crc32c_generic"}

// stagedFor is what guestModulesFile holds for the modules above.
func stagedFor() string {
	return strings.Join(OptionalGuestModules, " ") + " | " + strings.Join(GuestModules, " ") + "\n"
}

// guestModulesFile, in a cached kernel's directory, lists the
// GuestModules it was staged for: a cache staged for others is fetched
// again.
const guestModulesFile = "guest-modules"

// A Kernel is a fetched, cached kernel: its image and the modules a guest
// loads, in load order.
type Kernel struct {
	Suite   string   // the Debian suite it came from: bookworm, trixie, sid
	Release string   // its uname -r, e.g. 6.1.0-50-amd64
	Vmlinuz string   // path of the kernel image
	Modules []string // paths of uncompressed .ko files, in load order
	Config  string   // path of its build configuration
}

// CacheDir is where fetched kernels are kept: $GBT_VMTEST_CACHE, else
// gbt-vmtest under the user's cache directory (~/.cache).
func CacheDir() (string, error) {
	if d := os.Getenv("GBT_VMTEST_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("vmtest cache: %w", err)
	}
	return filepath.Join(d, "gbt-vmtest"), nil
}

// FetchKernel returns the newest linux-image-amd64 kernel of a Debian
// suite, from cache when it was fetched before, else downloaded with apt
// from the archive the machine's own apt sources name. log receives
// progress lines.
func FetchKernel(cache, suite string, log io.Writer) (*Kernel, error) {
	dir := filepath.Join(cache, suite)
	if k, err := loadKernel(dir, suite); err == nil {
		return k, nil
	}
	fmt.Fprintf(log, "vmtest: fetching the %s kernel into %s\n", suite, dir)
	work, err := os.MkdirTemp(cache, suite+".fetch-")
	if err != nil {
		return nil, fmt.Errorf("fetch %s kernel: %w", suite, err)
	}
	defer os.RemoveAll(work)
	debs, err := aptDownloadKernel(work, suite)
	if err != nil {
		return nil, fmt.Errorf("fetch %s kernel: %w", suite, err)
	}
	tree := filepath.Join(work, "tree")
	for _, deb := range debs {
		if out, err := exec.Command("dpkg-deb", "-x", deb, tree).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("unpack %s: %v: %s", deb, err, out)
		}
	}
	staged := filepath.Join(work, "kernel")
	if err := stageKernel(tree, staged); err != nil {
		return nil, fmt.Errorf("fetch %s kernel: %w", suite, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.Rename(staged, dir); err != nil {
		// Another run may have put it there first.
		if k, lerr := loadKernel(dir, suite); lerr == nil {
			return k, nil
		}
		return nil, fmt.Errorf("fetch %s kernel: %w", suite, err)
	}
	return loadKernel(dir, suite)
}

// A cached kernel directory holds vmlinuz, config, release (uname -r),
// modules.order (file names, in load order) and those modules.
func loadKernel(dir, suite string) (*Kernel, error) {
	rel, err := os.ReadFile(filepath.Join(dir, "release"))
	if err != nil {
		return nil, err
	}
	order, err := os.ReadFile(filepath.Join(dir, "modules.order"))
	if err != nil {
		return nil, err
	}
	staged, err := os.ReadFile(filepath.Join(dir, guestModulesFile))
	if err != nil {
		return nil, err
	}
	if want := stagedFor(); string(staged) != want {
		return nil, fmt.Errorf("%s: staged for the modules %q, not %q", dir, staged, want)
	}
	k := &Kernel{
		Suite:   suite,
		Release: strings.TrimSpace(string(rel)),
		Vmlinuz: filepath.Join(dir, "vmlinuz"),
		Config:  filepath.Join(dir, "config"),
	}
	for _, name := range strings.Fields(string(order)) {
		k.Modules = append(k.Modules, filepath.Join(dir, name))
	}
	for _, p := range append([]string{k.Vmlinuz, k.Config}, k.Modules...) {
		if _, err := os.Stat(p); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// aptDownloadKernel downloads the package linux-image-amd64 of suite
// depends on into dir, with the packages of the same kernel it depends on
// (newer suites split the image, modules and config into linux-binary-,
// linux-modules- and linux-base- packages), with apt state of its own
// (the system's is left alone), and returns the .debs' paths.
func aptDownloadKernel(dir, suite string) ([]string, error) {
	uri, keyring, err := debianArchive("/etc/apt")
	if err != nil {
		return nil, err
	}
	parts := filepath.Join(dir, "sources.list.d")
	for _, d := range []string{parts, filepath.Join(dir, "lists", "partial"), filepath.Join(dir, "cache", "archives", "partial")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	src := fmt.Sprintf("Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n", uri, suite)
	if keyring != "" {
		src += "Signed-By: " + keyring + "\n"
	}
	if err := os.WriteFile(filepath.Join(parts, "vmtest.sources"), []byte(src), 0o644); err != nil {
		return nil, err
	}
	opts := []string{
		"-o", "Dir::Etc::SourceList=/dev/null",
		"-o", "Dir::Etc::SourceParts=" + parts,
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::State::Status=/dev/null",
		"-o", "Dir::Cache=" + filepath.Join(dir, "cache"),
		"-o", "APT::Sandbox::User=root",
	}
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command(name, append(append([]string{}, opts...), args...)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
	if _, err := run("apt-get", "-q", "update"); err != nil {
		return nil, err
	}
	out, err := run("apt-cache", "depends", "linux-image-amd64")
	if err != nil {
		return nil, err
	}
	pkgs := dependsOn(string(out), "linux-image-")
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s: linux-image-amd64 depends on no linux-image package:\n%s", suite, out)
	}
	pkg := pkgs[0]
	if out, err = run("apt-cache", "depends", pkg); err != nil {
		return nil, err
	}
	release := strings.TrimPrefix(pkg, "linux-image-")
	for _, p := range dependsOn(string(out), "linux-") {
		if strings.HasSuffix(p, "-"+release) && p != pkg {
			pkgs = append(pkgs, p)
		}
	}
	if _, err := run("apt-get", append([]string{"-q", "download"}, pkgs...)...); err != nil {
		return nil, err
	}
	var debs []string
	for _, p := range pkgs {
		found, _ := filepath.Glob(filepath.Join(dir, p+"_*.deb"))
		if len(found) != 1 {
			return nil, fmt.Errorf("apt-get download %s left %d .deb files", p, len(found))
		}
		debs = append(debs, found[0])
	}
	return debs, nil
}

// dependsOn picks, out of apt-cache depends output, the packages depended
// on whose names start with prefix.
func dependsOn(depends, prefix string) []string {
	var pkgs []string
	for _, line := range strings.Split(depends, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "Depends:" && strings.HasPrefix(f[1], prefix) {
			pkgs = append(pkgs, f[1])
		}
	}
	return pkgs
}

// debianArchive returns the URI of the Debian archive the machine's apt
// sources use (the main archive's, not the security archive's) and the
// keyring they trust it with.
func debianArchive(etc string) (uri, keyring string, err error) {
	files, _ := filepath.Glob(filepath.Join(etc, "sources.list.d", "*.sources"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, stanza := range strings.Split(string(data), "\n\n") {
			fields := map[string]string{}
			for _, line := range strings.Split(stanza, "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
					fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
			u := strings.Fields(fields["URIs"])
			if len(u) > 0 && isMainArchive(u[0], fields["Suites"]) {
				return u[0], fields["Signed-By"], nil
			}
		}
	}
	lists, _ := filepath.Glob(filepath.Join(etc, "sources.list.d", "*.list"))
	for _, f := range append([]string{filepath.Join(etc, "sources.list")}, lists...) {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 3 && f[0] == "deb" && !strings.HasPrefix(f[1], "[") && isMainArchive(f[1], f[2]) {
				return f[1], "", nil
			}
		}
	}
	return "", "", fmt.Errorf("no Debian archive in the apt sources under %s", etc)
}

func isMainArchive(uri, suites string) bool {
	return strings.HasSuffix(strings.TrimSuffix(uri, "/"), "/debian") && !strings.Contains(suites, "security")
}

// stageKernel copies, from an unpacked kernel package tree, the image,
// config and the GuestModules with what they depend on (uncompressed, in
// load order) into dir.
func stageKernel(tree, dir string) error {
	image, modDir, config, release, err := findKernel(tree)
	if err != nil {
		return err
	}
	mods, err := resolveModules(modDir, OptionalGuestModules, GuestModules)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := copyFile(image, filepath.Join(dir, "vmlinuz")); err != nil {
		return err
	}
	if err := copyFile(config, filepath.Join(dir, "config")); err != nil {
		return err
	}
	var order []string
	for _, m := range mods {
		name := m.name + ".ko"
		if err := os.WriteFile(filepath.Join(dir, name), m.data, 0o644); err != nil {
			return err
		}
		order = append(order, name)
	}
	if err := os.WriteFile(filepath.Join(dir, "modules.order"), []byte(strings.Join(order, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, guestModulesFile), []byte(stagedFor()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "release"), []byte(release+"\n"), 0o644)
}

// findKernel finds in an unpacked kernel package tree the image, the
// modules directory and the configuration: /boot/vmlinuz-RELEASE and
// /boot/config-RELEASE, or (newer packages) vmlinuz and config in
// /usr/lib/modules/RELEASE.
func findKernel(tree string) (image, modDir, config, release string, err error) {
	if images, _ := filepath.Glob(filepath.Join(tree, "boot", "vmlinuz-*")); len(images) == 1 {
		image = images[0]
		release = strings.TrimPrefix(filepath.Base(image), "vmlinuz-")
		config = filepath.Join(tree, "boot", "config-"+release)
		modDir = filepath.Join(tree, "lib", "modules", release)
		if _, err := os.Stat(modDir); err != nil {
			modDir = filepath.Join(tree, "usr", "lib", "modules", release)
		}
		return image, modDir, config, release, nil
	}
	images, _ := filepath.Glob(filepath.Join(tree, "usr", "lib", "modules", "*", "vmlinuz"))
	if len(images) != 1 {
		return "", "", "", "", fmt.Errorf("the kernel packages hold %d images (in /boot or /usr/lib/modules/*)", len(images))
	}
	modDir = filepath.Dir(images[0])
	return images[0], modDir, filepath.Join(modDir, "config"), filepath.Base(modDir), nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

type module struct {
	name string // with underscores, as the kernel names it
	data []byte // uncompressed ELF
}

// resolveModules returns the modules named (and what they depend on,
// from each one's .modinfo), dependencies first, leaving out those
// modules.builtin lists: the optional ones that are modules of this
// kernel first, then the others, which must be.
func resolveModules(modDir string, optional, names []string) ([]module, error) {
	paths := map[string]string{}
	err := filepath.WalkDir(filepath.Join(modDir, "kernel"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if i := strings.Index(base, ".ko"); i > 0 && !d.IsDir() {
			paths[modName(base[:i])] = p
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list modules: %w", err)
	}
	builtin := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(modDir, "modules.builtin")); err == nil {
		for _, line := range strings.Fields(string(data)) {
			base := filepath.Base(line)
			builtin[modName(strings.TrimSuffix(base, ".ko"))] = true
		}
	}
	var out []module
	seen := map[string]bool{}
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = modName(name)
		if seen[name] || builtin[name] {
			return nil
		}
		seen[name] = true
		p, ok := paths[name]
		if !ok {
			return fmt.Errorf("module %s (needed by %s) is neither built in nor under %s", name, strings.Join(chain, " <- "), modDir)
		}
		data, err := readModule(p)
		if err != nil {
			return err
		}
		deps, err := moduleDepends(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if err := visit(d, append([]string{name}, chain...)); err != nil {
				return err
			}
		}
		out = append(out, module{name: name, data: data})
		return nil
	}
	var present []string
	for _, n := range optional {
		if _, ok := paths[modName(n)]; ok {
			present = append(present, n)
		}
	}
	for _, n := range append(present, names...) {
		if err := visit(n, []string{"guest"}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func modName(s string) string { return strings.ReplaceAll(s, "-", "_") }

// readModule reads a .ko, .ko.xz or .ko.zst file, uncompressed.
func readModule(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch {
	case strings.HasSuffix(p, ".ko"):
		return io.ReadAll(f)
	case strings.HasSuffix(p, ".ko.xz"):
		r, err := xz.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("%s: unsupported module compression", p)
}

// moduleDepends reads the depends= entry of a module's .modinfo section.
func moduleDepends(ko []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(ko))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, errors.New("no .modinfo section")
	}
	info, err := sec.Data()
	if err != nil {
		return nil, err
	}
	for _, kv := range bytes.Split(info, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}
