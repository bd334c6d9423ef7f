package probe

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gbt-dev/gbt/lang/ast"
)

// UserBinary is a file a uprobe or USDT point attaches to.
type UserBinary struct {
	// Name is the file as probe names print it: the path as written, a
	// library resolved to its path, or the path in the traced process's
	// mount namespace.
	Name string
	// Path is where gbt opens the file (/proc/PID/root/... for a file in
	// another mount namespace); the same as Name mostly.
	Path string
}

// UserFunc is a function symbol of an executable or library.
type UserFunc struct {
	Name       string
	Addr, Size uint64 // the symbol's value (its link-time address) and size
}

// userBinaries returns the files the binary part of an attach point names:
// without an Env that can answer, the path as written. what names the
// probe in errors ("uprobe" for uretprobes too, "usdt"), as bpftrace does.
func userBinaries(env Env, what, pattern string) ([]UserBinary, error) {
	var bins []UserBinary
	err := ErrUnavailable
	if env != nil {
		bins, err = env.UserBinaries(pattern)
	}
	if errors.Is(err, ErrUnavailable) {
		if pattern == "" || hasWildcard(pattern) {
			return nil, &Error{Msg: "cannot resolve " + strconv.Quote(pattern) + " without a probe environment"}
		}
		return []UserBinary{{Name: pattern, Path: pattern}}, nil
	}
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	if len(bins) == 0 {
		if pattern == "" {
			return nil, &Error{Msg: "a probe without a file needs a process: give -p PID", Hint: "or name the file: usdt:PATH:PROVIDER:NAME"}
		}
		return nil, &Error{Msg: fmt.Sprintf("%s target file '%s' does not exist or is not executable", what, pattern)}
	}
	return bins, nil
}

// expandUprobe expands uprobe and uretprobe points: FILE:FUNCTION, where
// the file may be a library name or have wildcards, and the function may
// have wildcards, be FUNCTION+OFFSET or be an address.
func expandUprobe(dst []Point, base Point, ap *ast.AttachPoint, env Env) ([]Point, error) {
	fn := ap.Parts[len(ap.Parts)-1]
	if file, src, ok := sourceLocation(ap.Parts[0], fn); ok {
		return expandSourceLine(dst, base, file, src, fn, env)
	}
	bins, err := userBinaries(env, "uprobe", ap.Parts[0])
	if err != nil {
		return dst, err
	}
	n := len(dst)
	for _, bin := range bins {
		if len(bins) > 1 && !hasWildcard(fn) && !definesFunc(env, bin.Path, fn) {
			continue // uprobe:*:f -p PID: the files of the process that have f
		}
		if dst, err = expandUprobeIn(dst, base, bin, fn, env); err != nil {
			return dst[:n], err
		}
	}
	if len(dst) == n {
		return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s:%s.", base.Kind.Name, ap.Parts[0], fn),
			Hint: "list the functions with gbt -l '" + base.Kind.Name + ":" + ap.Parts[0] + ":*'"}
	}
	return dst, nil
}

// expandUprobeIn appends the points of function pattern fn in one file.
func expandUprobeIn(dst []Point, base Point, bin UserBinary, fn string, env Env) ([]Point, error) {
	base.Path = bin.Path
	prefix := base.Kind.Name + ":" + bin.Name + ":"
	if hasWildcard(fn) {
		funcs, err := env.UserFunctions(bin.Path)
		if err != nil {
			return dst, &Error{Msg: err.Error()}
		}
		for _, f := range funcs {
			if Match(fn, f.Name) {
				p := base
				p.Func, p.Name = f.Name, prefix+f.Name
				dst = append(dst, p)
			}
		}
		return dst, nil
	}
	base.Name = prefix + fn
	if addr, err := strconv.ParseUint(fn, 0, 64); err == nil {
		if env != nil {
			if _, ok, err := funcAt(env, bin.Path, addr); err == nil && !ok {
				return dst, &Error{Msg: fmt.Sprintf("Could not resolve address: %s:0x%x", bin.Name, addr)}
			}
		}
		base.Func = fn
		return append(dst, base), nil
	}
	name, off, err := splitOffset(fn)
	if err != nil {
		return dst, err
	}
	base.Func, base.Offset = name, off
	if off == 0 && env != nil {
		if funcs, err := env.UserFunctions(bin.Path); err == nil && len(funcs) > 0 {
			i := slices.IndexFunc(funcs, func(f UserFunc) bool { return f.Name == name })
			if i < 0 {
				return dst, &Error{Missing: true, Msg: fmt.Sprintf("No matches for %s %s:%s.", base.Kind.Name, bin.Name, name),
					Hint: "list the functions with gbt -l '" + base.Kind.Name + ":" + bin.Name + ":*'"}
			}
			base.NoBoundary = funcs[i].Size == 0
		}
	}
	if off != 0 && env != nil {
		f, err := funcNamed(env, bin.Path, name)
		if err != nil {
			return dst, err
		}
		if f != nil && f.Size != 0 && off >= f.Size {
			return dst, &Error{Msg: fmt.Sprintf("Offset outside the function bounds ('%s' size is %d)", name, f.Size)}
		}
	}
	return append(dst, base), nil
}

// definesFunc says whether a file has the function of FUNCTION[+OFFSET]
// (an address: whether one of its functions holds it).
func definesFunc(env Env, path, fn string) bool {
	if addr, err := strconv.ParseUint(fn, 0, 64); err == nil {
		_, ok, _ := funcAt(env, path, addr)
		return ok
	}
	name, _, err := splitOffset(fn)
	if err != nil {
		return true // reported by expandUprobeIn
	}
	f, err := funcNamed(env, path, name)
	return err == nil && f != nil
}

// splitOffset splits FUNCTION+OFFSET; a function without one has offset 0.
func splitOffset(fn string) (string, uint64, error) {
	i := strings.LastIndexByte(fn, '+')
	if i < 0 {
		return fn, 0, nil
	}
	off, err := strconv.ParseUint(fn[i+1:], 0, 64)
	if err != nil || i == 0 {
		return "", 0, &Error{Msg: fmt.Sprintf("invalid function offset: %s", fn), Hint: "write FUNCTION+OFFSET with a number of bytes"}
	}
	return fn[:i], off, nil
}

// funcNamed returns the function symbol name of a file; nil when the
// Env cannot read symbols (the attach then reports a missing symbol).
func funcNamed(env Env, path, name string) (*UserFunc, error) {
	funcs, err := env.UserFunctions(path)
	if errors.Is(err, ErrUnavailable) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	for i := range funcs {
		if funcs[i].Name == name {
			return &funcs[i], nil
		}
	}
	return nil, nil
}

// funcAt says whether address addr is inside a function of a file.
func funcAt(env Env, path string, addr uint64) (string, bool, error) {
	funcs, err := env.UserFunctions(path)
	if err != nil {
		return "", false, err
	}
	for _, f := range funcs {
		if addr >= f.Addr && (addr < f.Addr+f.Size || addr == f.Addr) {
			return f.Name, true, nil
		}
	}
	return "", false, nil
}

// expandSourceLine expands uprobe:FILE@SOURCE:LINE, a uprobe at the code
// of a line of a source file of FILE, which the file's DWARF line tables
// place: a point at the function holding it, plus an offset.
func expandSourceLine(dst []Point, base Point, file, src, line string, env Env) ([]Point, error) {
	n, err := strconv.Atoi(line)
	if err != nil || n <= 0 || src == "" {
		return dst, &Error{Msg: fmt.Sprintf("invalid source location: %s@%s:%s", file, src, line), Hint: "write uprobe:FILE@SOURCE_FILE:LINE"}
	}
	if env == nil {
		return dst, &Error{Msg: "cannot resolve a source location without a probe environment"}
	}
	bins, err := userBinaries(env, "uprobe", file)
	if err != nil {
		return dst, err
	}
	for _, bin := range bins {
		addrs, err := env.UserLineAddrs(bin.Path, SourceLine{File: src, Line: n})
		if err != nil {
			return dst, &Error{Msg: fmt.Sprintf("Could not resolve source location %s@%s:%d: %v", bin.Name, src, n, err)}
		}
		funcs, err := env.UserFunctions(bin.Path)
		if err != nil {
			return dst, &Error{Msg: err.Error()}
		}
		for _, addr := range addrs {
			f := funcHolding(funcs, addr)
			if f == nil {
				return dst, &Error{Msg: fmt.Sprintf("Could not resolve source location %s@%s:%d: no function holds address 0x%x", bin.Name, src, n, addr)}
			}
			p := base
			p.Path, p.Func, p.Offset = bin.Path, f.Name, addr-f.Addr
			p.Name = fmt.Sprintf("%s:%s@%s:%d", base.Kind.Name, bin.Name, src, n)
			dst = append(dst, p)
		}
	}
	return dst, nil
}

// sourceLocation splits the FILE@SOURCE part of uprobe:FILE@SOURCE:LINE;
// ok is false for other uprobes (a path may hold an '@' too).
func sourceLocation(part, line string) (file, src string, ok bool) {
	i := strings.LastIndexByte(part, '@')
	if i <= 0 || i == len(part)-1 || line == "" || strings.Trim(line, "0123456789") != "" {
		return "", "", false
	}
	return part[:i], part[i+1:], true
}

// funcHolding returns the function whose code holds addr.
func funcHolding(funcs []UserFunc, addr uint64) *UserFunc {
	for i, f := range funcs {
		if addr >= f.Addr && addr < f.Addr+max(f.Size, 1) {
			return &funcs[i]
		}
	}
	return nil
}
