package stdlib

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gbt-dev/gbt/lang/ast"
	"github.com/gbt-dev/gbt/lang/check"
	"github.com/gbt-dev/gbt/lang/types"
)

// stringEntries read, compare and join strings and raw bytes: str,
// strncmp, strcontains, buf, join, strerror, path.
func stringEntries() []*Entry {
	joinEv := &Codec{Name: "join", Encode: joinEncode, Decode: joinDecode}
	return []*Entry{
		{Name: "str", Kind: check.Func, Doc: "str(ptr [, n]): read a NUL-terminated string", Type: strType, Emit: MemEmitter(strEmit), TextArg: true},
		{Name: "strncmp", Kind: check.Func, Doc: "strncmp(a, b, n): compare at most n bytes; 0 if equal", Type: func(u *check.Use) types.Type {
			if !arity(u, 3, 3) {
				return types.Type{}
			}
			for i := 0; i < 2; i++ {
				if u.ArgTypes[i].Kind != types.String {
					u.Errorf("strncmp() only supports string arguments (%s provided)", u.ArgTypes[i].KindWord())
					return types.Type{}
				}
			}
			if _, ok := u.Const(2); !ok {
				u.Errorf("strncmp() expects an integer literal as third argument")
				return types.Type{}
			}
			// Unsigned in both bpftraces, whatever the newest's docs say
			// (int64): -strncmp("a", "b", 1) is 18446744073709551615.
			return types.U64
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) {
			n, _ := g.Const(c.Args[2])
			g.CompareStrings(c.Args[0], c.Args[1], int(n), dst)
		})},
		strnstrEntry(),
		{Name: "strcontains", Kind: check.Func, Doc: "strcontains(s, \"lit\"): whether the string contains the literal", Type: strcontainsType,
			Emit: IntEmitter(strcontainsEmit)},
		{Name: "strstr", Kind: check.Func, Doc: "strstr(haystack, needle): index of the first needle in haystack, -1 if none", Type: func(u *check.Use) types.Type {
			if !arity(u, 2, 2) || !stringLike(u, 0) || !stringLike(u, 1) {
				return types.Type{}
			}
			if u.ArgTypes[0].Kind != types.String || u.ArgTypes[1].Kind != types.String {
				u.Errorf("strstr() of char arrays or pointers is not supported by gbt yet; pass str() of them")
				return types.Type{}
			}
			if t, ok := searchByKernel(u, false); ok {
				return t
			}
			return types.I64
		}, Emit: IntEmitter(func(g Gen, c *ast.Call, dst asm.Register) { searchLoop(g, c, dst, true) })},
		{Name: "strlen", Kind: check.Func, Doc: "strlen(s): length of a string, char array or char pointer", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 1) || !stringLike(u, 0) {
				return types.Type{}
			}
			return types.U64
		}, Emit: IntEmitter(strlenEmit)},
		{Name: "memcmp", Kind: check.Func, Doc: "memcmp(a, b, n): compare the first n bytes of two values; 0 if equal", Type: memcmpType,
			Emit: IntEmitter(memcmpEmit)},
		{Name: "buf", Kind: check.Func, Doc: "buf(ptr, n): read n raw bytes (of a pointer, or of a string or array value)", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			n := int64(64)
			switch t := u.ArgTypes[0]; {
			case t.Kind == types.Array:
				n = int64(min(t.ByteSize(), maxBufLen))
			case t.Kind == types.String && len(u.Args) == 1:
				u.Errorf("buf() expects a length argument for non-array type string")
				return types.Type{}
			}
			if len(u.Args) == 2 {
				if !u.ArgTypes[1].IsInt() {
					u.Errorf("buf() expects an integer length (%s provided)", u.ArgTypes[1].KindWord())
					return types.Type{}
				}
				n = int64(u.Strlen) // a length known when the probe runs: up to BPFTRACE_STRLEN
				if v, ok := u.Const(1); ok {
					if v < 0 || v > maxBufLen {
						u.Errorf("buf() length must be between 0 and %d (%d provided)", maxBufLen, v)
						return types.Type{}
					}
					n = v
				}
			}
			return types.BufferOf(int(n))
		}, Emit: MemEmitter(bufEmit)},
		{Name: "join", Kind: check.Func, Doc: "join(argv [, sep]): print a NULL-terminated string array", Type: func(u *check.Use) types.Type {
			if !arity(u, 1, 2) {
				return types.Type{}
			}
			if t := u.ArgTypes[0]; !t.IsInt() && t.Kind != types.Pointer {
				u.Errorf("join() only supports int or pointer arguments (%s provided)", t.KindWord())
				return types.Type{}
			}
			if len(u.Args) == 2 {
				if _, ok := u.StringLit(1); !ok {
					u.Errorf("join() expects a string literal delimiter (%s provided)", u.ArgTypes[1].KindWord())
					return types.Type{}
				}
			}
			return types.Type{Kind: types.Void}
		}, Emit: sends(joinEv), Events: []*Codec{joinEv}},
		{Name: "strerror", Kind: check.Func, Doc: "strerror(errno): the error's text, as strerror(3)", Type: oneInt(types.Type{Kind: types.Strerror}),
			Emit: argEmitter}, // the errno: user space renders the text
		{Name: "syscall_name", Kind: check.Func, Doc: "syscall_name(nr): the system call's name, from bpftrace's table for this architecture", Type: oneInt(types.Type{Kind: types.Strerror, Name: types.SyscallTable}),
			Emit: argEmitter}, // the number: user space renders the name
		{Name: "signal_name", Kind: check.Func, Doc: "signal_name(sig): the signal's text, as strsignal(3)", Type: oneInt(types.Type{Kind: types.Strerror, Name: types.SignalTable}),
			Emit: argEmitter}, // the signal: user space renders the text
		{Name: "path", Kind: check.Func, Doc: "path(struct path * [, size]): full path of a file (bpf_d_path; kfunc/kretfunc on the kernel's allowlist)",
			Type: pathType, Emit: MemEmitter(pathEmit),
			Needs: "path()'s bpf_d_path works in kfunc/kretfunc of the functions of the kernel's btf_allowlist_d_path (such as filp_close, security_file_open, security_inode_getattr) and in iter:task_file"},
	}
}

// maxBufLen bounds buf()'s length: the bytes travel on the BPF stack.
const maxBufLen = 256

func strType(u *check.Use) types.Type {
	if !arity(u, 1, 2) {
		return types.Type{}
	}
	if s, ok := u.IntLiteralText(0); ok {
		// str(5) is "5" in the newest bpftrace, which folds it; str(5, 1)
		// keeps the first byte (a length not constant: not folded).
		n, isConst := u.Const(1)
		if len(u.Args) == 1 || isConst && n >= 0 {
			if len(u.Args) == 2 && int64(len(s)) > n {
				s = s[:n]
			}
			return u.Expand(&ast.StrLit{Span: ast.Span{Start: u.Node.Pos(), End: u.Node.EndPos()}, Value: s})
		}
	}
	if _, lit := u.Args[0].(*ast.StrLit); !lit && len(u.Args) == 1 {
		if s, ok := u.StringLit(0); ok {
			// str($1) and str($1 + 1) stand for the parameter's text, so
			// that kaddr(str($1)) takes it as a literal.
			if len(s) >= u.Strlen {
				s = s[:u.Strlen-1]
			}
			return u.Expand(&ast.StrLit{Span: ast.Span{Start: u.Node.Pos(), End: u.Node.EndPos()}, Value: s})
		}
	}
	t := u.ArgTypes[0]
	if !t.IsInt() && t.Kind != types.Pointer && t.Kind != types.String {
		u.Errorf("str() expects an integer or a pointer type as first argument (%s provided)", t)
		return types.Type{}
	}
	n := u.Strlen
	if len(u.Args) == 2 {
		if !u.ArgTypes[1].IsInt() {
			u.Errorf("str() expects an integer as second argument (%s provided)", u.ArgTypes[1].KindWord())
			return types.Type{}
		}
		if v, ok := u.Const(1); ok {
			if v < 0 {
				u.Errorf("str() length must not be negative (%d provided)", v)
				return types.Type{}
			}
			if v+1 > int64(n) {
				u.Warnf("length param (%d) is too long and will be shortened to %d bytes (see BPFTRACE_MAX_STRLEN)", v, n)
			} else {
				n = int(v) + 1
			}
		}
	}
	if t.Kind == types.String && t.Size < n && t.Len != -1 {
		n = t.Size
	}
	return types.StringOf(n)
}

// strEmit reads a NUL-terminated string, str(ptr [, n]), as the newest
// bpftrace does: a string of size S (BPFTRACE_MAX_STRLEN) holds up to S
// characters, and one that fills it without a NUL prints with the
// str_trunc_trailer; str(ptr, n) reads at most n bytes with the NUL, so
// n-1 characters.
func strEmit(g Gen, c *ast.Call, off int16, size int) {
	arg := c.Args[0]
	at := g.TypeOf(arg)
	if at.Kind == types.String {
		g.EvalMem(arg, types.StringOf(size), off)
		if _, lit := arg.(*ast.StrLit); !lit && len(c.Args) == 2 {
			// str($s, n) keeps n-1 characters, as str(ptr, n) does: its
			// type holds n+1 bytes, the rest of the copy is cleared. (The
			// newest bpftrace folds str("literal", n) to n characters.)
			if v, ok := g.Const(c.Args[1]); ok {
				if k := int(max(v-1, 0)); k < size {
					g.Zero(off+int16(k), size-k)
				}
			}
		}
		return
	}
	as := g.Space(at)
	p := g.TakeReg()
	defer g.FreeReg(p)
	g.EvalInt(arg, p)
	full := strReadSize(g.Strlen()) // the read of str(ptr): S+1 bytes below 1024
	if len(c.Args) == 1 {
		readStr(g, as, off, size, min(full, size+1), p, nil)
		return
	}
	if v, ok := g.Const(c.Args[1]); ok {
		readStr(g, as, off, size, int(min(v, int64(full))), p, nil)
		return
	}
	// A length known when the probe runs reads min(n, S+1) bytes,
	// compared unsigned.
	n := g.TakeReg()
	defer g.FreeReg(n)
	g.EvalInt(c.Args[1], n)
	readStr(g, as, off, size, min(full, size+1), p, &n)
}

// strReadSize is how many bytes str(ptr) reads for strings of size
// strlen: one more, to see whether the string was cut, as bpftrace pads
// strings below 1024 bytes.
func strReadSize(strlen int) int {
	if strlen < 1024 {
		return strlen + 1
	}
	return strlen
}

// readStr reads the string at the address in p into the size bytes at
// R10+off (zeroed): read bytes with the NUL, at most size+1. Reading
// size+1 bytes keeps size characters without a NUL, which print with the
// trailer: the string is read into size bytes, and when that filled them,
// its last byte is read again raw. With n, the read is at most the value
// in *n (unsigned).
func readStr(g Gen, as types.AddrSpace, off int16, size, read int, p asm.Register, n *asm.Register) {
	raw, fn := ProbeReads(as)
	first := min(read, size)
	g.Addr(asm.R1, off)
	g.Emit(asm.Mov.Imm(asm.R2, int32(first)))
	if n != nil {
		fits := g.Label()
		g.Emit(asm.JGT.Imm(*n, int32(first), fits), asm.Mov.Reg(asm.R2, *n))
		g.Place(fits)
	}
	g.Emit(asm.Mov.Reg(asm.R3, p), fn.Call())
	if read <= size {
		return
	}
	done := g.Label()
	if n != nil {
		g.Emit(asm.JLE.Imm(*n, int32(size), done))
	}
	g.Emit(asm.JNE.Imm(asm.R0, int32(size), done))
	g.Addr(asm.R1, off+int16(size-1))
	g.Emit(asm.Mov.Imm(asm.R2, 1), asm.Mov.Reg(asm.R3, p), asm.Add.Imm(asm.R3, int32(size-1)), raw.Call())
	g.Place(done)
}

// bufEmit reads n raw bytes, buf(ptr, n), into a record: how many bytes
// were asked for (at most the capacity), then the bytes.
func bufEmit(g Gen, c *ast.Call, off int16, size int) {
	arg := c.Args[0]
	at := g.TypeOf(arg)
	if !g.InRegister(at) {
		bufOfValue(g, c, off, size)
		return
	}
	r := g.TakeReg()
	g.EvalInt(arg, r)
	fn, _ := ProbeReads(g.Space(at))
	capacity := size - 8
	if len(c.Args) == 2 {
		if _, ok := g.Const(c.Args[1]); !ok {
			rn := g.TakeReg()
			g.EvalInt(c.Args[1], rn)
			fits := g.Label()
			g.Emit(asm.Mov.Reg(asm.R2, rn), asm.JLE.Imm(asm.R2, int32(capacity), fits), asm.Mov.Imm(asm.R2, int32(capacity)))
			g.Place(fits)
			g.FreeReg(rn)
			g.Emit(asm.StoreMem(asm.R10, off, asm.R2, asm.DWord))
			g.Addr(asm.R1, off+8)
			g.Emit(asm.Mov.Reg(asm.R3, r), fn.Call())
			g.FreeReg(r)
			return
		}
	}
	g.Emit(asm.Mov.Imm(asm.R1, int32(capacity)), asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
	g.Addr(asm.R1, off+8)
	g.Emit(asm.Mov.Imm(asm.R2, int32(capacity)), asm.Mov.Reg(asm.R3, r), fn.Call())
	g.FreeReg(r)
}

// bufOfValue is buf(v, n) of a value held in memory (a string variable,
// a char array): the bytes of its copy, zeros past its end.
func bufOfValue(g Gen, c *ast.Call, off int16, size int) {
	at := g.TypeOf(c.Args[0])
	capacity := size - 8
	m := g.Mark()
	tmp := g.Alloc(at.ByteSize())
	g.EvalMem(c.Args[0], at, tmp)
	if len(c.Args) == 1 {
		g.Emit(asm.Mov.Imm(asm.R1, int32(capacity))) // buf(array): all of it
	} else if _, ok := g.Const(c.Args[1]); ok {
		g.Emit(asm.Mov.Imm(asm.R1, int32(capacity)))
	} else {
		fits := g.Label()
		g.EvalInt(c.Args[1], asm.R1)
		g.Emit(asm.JLE.Imm(asm.R1, int32(capacity), fits), asm.Mov.Imm(asm.R1, int32(capacity)))
		g.Place(fits)
	}
	g.Emit(asm.StoreMem(asm.R10, off, asm.R1, asm.DWord))
	n := min(capacity, at.ByteSize())
	for i := 0; i < n; {
		w, sz := 1, asm.Byte
		if n-i >= 8 {
			w, sz = 8, asm.DWord
		}
		g.Emit(asm.LoadMem(asm.R1, asm.R10, tmp+int16(i), sz), asm.StoreMem(asm.R10, off+8+int16(i), asm.R1, sz))
		i += w
	}
	g.Reset(m)
}

func strcontainsType(u *check.Use) types.Type {
	if !arity(u, 2, 2) {
		return types.Type{}
	}
	if _, lit := u.Args[1].(*ast.StrLit); u.ArgTypes[0].Kind == types.Probe && lit {
		return types.Boolean // strcontains(probe, "name"): the points whose name has it
	}
	if u.ArgTypes[0].Kind != types.String {
		u.Errorf("strcontains() expects a string as first argument (%s provided)", u.ArgTypes[0].KindWord())
		return types.Type{}
	}
	if u.ArgTypes[1].Kind != types.String {
		u.Errorf("strcontains() expects a string as second argument (%s provided)", u.ArgTypes[1].KindWord())
		return types.Type{}
	}
	if t, ok := searchByKernel(u, true); ok {
		return t
	}
	return types.Boolean
}

// strcontainsEmit sets dst to 1 if the string contains the literal: at
// each position until the string's NUL, the literal's bytes are compared
// in turn (unrolled: the literal is short and the string bounded).
func strcontainsEmit(g Gen, c *ast.Call, dst asm.Register) {
	st := g.TypeOf(c.Args[0])
	lit, ok := c.Args[1].(*ast.StrLit)
	if !ok {
		strcontainsLoop(g, c, dst)
		return
	}
	needle := lit.Value
	if needle == "" {
		g.Emit(asm.Mov.Imm(dst, 1))
		return
	}
	if st.Kind == types.Probe {
		probeContains(g, c, needle, dst)
		return
	}
	off := g.Alloc(st.ByteSize())
	g.Lend(dst, func() { g.EvalMem(c.Args[0], st, off) })
	found, missing, done := g.Label(), g.Label(), g.Label()
	for i := 0; i+len(needle) <= st.Size; i++ {
		next := g.Label()
		g.Emit(asm.LoadMem(asm.R1, asm.R10, off+int16(i), asm.Byte), asm.JEq.Imm(asm.R1, 0, missing))
		for k := 0; k < len(needle); k++ {
			if k > 0 {
				g.Emit(asm.LoadMem(asm.R1, asm.R10, off+int16(i+k), asm.Byte))
			}
			g.Emit(asm.JNE.Imm(asm.R1, int32(needle[k]), next))
		}
		g.Emit(asm.Ja.Label(found))
		g.Place(next)
	}
	g.Place(missing)
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(found)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// probeContains sets dst to whether the name of the running probe
// contains needle: the names are known when the program is compiled, so
// it compares the probe's index with those of the names that do.
func probeContains(g Gen, c *ast.Call, needle string, dst asm.Register) {
	var ids []int
	for _, p := range g.ProbePoints() {
		if strings.Contains(p.Name, needle) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		g.Emit(asm.Mov.Imm(dst, 0))
		return
	}
	found, done := g.Label(), g.Label()
	g.ProbeID(dst)
	for _, id := range ids {
		g.Emit(asm.JEq.Imm(dst, int32(id), found))
	}
	g.Emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	g.Place(found)
	g.Emit(asm.Mov.Imm(dst, 1))
	g.Place(done)
}

// strcontainsLoop searches a string for another string known only when
// the probe runs, with two bounded loops over the frame copies: at each
// start i in the haystack, compare needle bytes k until the needle's NUL
// (found), a mismatch (next i) or the haystack's end (not found: no later
// start can match). Scratch registers only; the result goes through R0.
func strcontainsLoop(g Gen, c *ast.Call, dst asm.Register) {
	searchLoop(g, c, dst, false)
}

// searchLoop is strcontainsLoop, or with index strstr's: the start of the
// first match, -1 if none.
func searchLoop(g Gen, c *ast.Call, dst asm.Register, index bool) {
	ht, nt, hoff, noff := searchArgs(g, c, dst, 0)
	outer, inner, next, found, missing, done := g.Label(), g.Label(), g.Label(), g.Label(), g.Label(), g.Label()
	i, k, p, h, n := asm.R1, asm.R2, asm.R3, asm.R4, asm.R5
	g.Emit(asm.Mov.Imm(i, 0))
	g.Place(outer)
	g.Emit(asm.JGE.Imm(i, int32(ht.Size), missing), asm.Mov.Imm(k, 0))
	g.Place(inner)
	g.Emit(
		asm.JGE.Imm(k, int32(nt.Size), found), // a needle without its NUL
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(noff)), asm.Add.Reg(p, k), asm.LoadMem(n, p, 0, asm.Byte),
		asm.JEq.Imm(n, 0, found),
		asm.Mov.Reg(h, i), asm.Add.Reg(h, k), asm.JGE.Imm(h, int32(ht.Size), missing),
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(hoff)), asm.Add.Reg(p, h), asm.LoadMem(h, p, 0, asm.Byte),
		asm.JEq.Imm(h, 0, missing),
		asm.JNE.Reg(h, n, next),
		asm.Add.Imm(k, 1), asm.Ja.Label(inner),
	)
	g.Place(next)
	g.Emit(asm.Add.Imm(i, 1), asm.Ja.Label(outer))
	g.Place(missing)
	if index {
		g.Emit(asm.Mov.Imm(asm.R0, -1), asm.Ja.Label(done))
		g.Place(found)
		g.Emit(asm.Mov.Reg(asm.R0, i))
	} else {
		g.Emit(asm.Mov.Imm(asm.R0, 0), asm.Ja.Label(done))
		g.Place(found)
		g.Emit(asm.Mov.Imm(asm.R0, 1))
	}
	g.Place(done)
	g.Emit(asm.Mov.Reg(dst, asm.R0))
}

// searchArgs copies the haystack and the needle of strstr() or
// strcontains() c to the frame, with room bytes after the needle, lending
// dst to their code: their types and offsets.
func searchArgs(g Gen, c *ast.Call, dst asm.Register, room int) (ht, nt types.Type, hoff, noff int16) {
	ht, nt = g.TypeOf(c.Args[0]), g.TypeOf(c.Args[1])
	hoff = g.Alloc(ht.ByteSize())
	noff = g.Alloc(nt.ByteSize() + room)
	g.Lend(dst, func() {
		g.EvalMem(c.Args[0], ht, hoff)
		g.EvalMem(c.Args[1], nt, noff)
	})
	return ht, nt, hoff, noff
}

// join() reads at most JoinArgs strings of JoinArgSize bytes each, as
// bpftrace 0.17 does; the strings end at the first empty one.
const (
	JoinArgs    = 16
	JoinArgSize = 1024
)

// joinEncode sends join(arr [, delim]): the strings of a NULL-terminated
// array of string pointers. The record (16 KiB, far more than the stack)
// is built in place in the ring buffer; a slot after the last string is
// left empty.
func joinEncode(g Gen, c *ast.Call, ev *Event) {
	ev.Format = " "
	if len(c.Args) == 2 {
		ev.Format = g.StrLit(c.Args[1])
	}
	ev.Size = 8 + JoinArgs*JoinArgSize
	read, readStr := ProbeReads(g.Space(g.TypeOf(c.Args[0])))
	arr, rec := g.TakeReg(), g.TakeReg()
	defer g.FreeReg(arr)
	defer g.FreeReg(rec)
	g.EvalInt(c.Args[0], arr)
	g.SendInPlace(ev, rec, func(end string) {
		m := g.Mark()
		ptr := g.Alloc(8)
		for i := 0; i < JoinArgs; i++ {
			slot := int16(8 + i*JoinArgSize)
			last := g.Label()
			g.Addr(asm.R1, ptr)
			g.Emit(asm.Mov.Imm(asm.R2, 8), asm.Mov.Reg(asm.R3, arr), asm.Add.Imm(asm.R3, int32(8*i)), read.Call(),
				asm.JNE.Imm(asm.R0, 0, last), // unreadable array: end here
				asm.LoadMem(asm.R3, asm.R10, ptr, asm.DWord),
				asm.JEq.Imm(asm.R3, 0, last), // the NULL that ends the array
				asm.Mov.Reg(asm.R1, rec), asm.Add.Imm(asm.R1, int32(slot)), asm.Mov.Imm(asm.R2, JoinArgSize), readStr.Call())
			next := g.Label()
			g.Emit(asm.Ja.Label(next))
			g.Place(last)
			g.Emit(asm.StoreImm(rec, slot, 0, asm.Byte), asm.Ja.Label(end))
			g.Place(next)
		}
		g.Reset(m)
	})
}

// joinDecode prints the joined strings as a line.
func joinDecode(ev *Event, h Host) (Handler, error) {
	var line []byte
	return func(rec []byte) error {
		line = appendJoin(line[:0], rec, ev.Format)
		return h.Printer().Line("join", line)
	}, nil
}

// appendJoin joins the strings of a join() record with delim, up to the
// first empty one, as bpftrace 0.17 does.
func appendJoin(dst, rec []byte, delim string) []byte {
	for i := 0; i < JoinArgs; i++ {
		off := 8 + i*JoinArgSize
		if off >= len(rec) {
			break
		}
		slot := rec[off:min(off+JoinArgSize, len(rec))]
		if n := bytes.IndexByte(slot, 0); n >= 0 {
			slot = slot[:n]
		}
		if len(slot) == 0 {
			break
		}
		if i > 0 {
			dst = append(dst, delim...)
		}
		dst = append(dst, slot...)
	}
	return dst
}

// strlenEmit counts the bytes of a string value before its NUL (at most
// its size), or of a string a char pointer points at (read as str() reads
// it: at most BPFTRACE_STRLEN bytes).
func strlenEmit(g Gen, c *ast.Call, dst asm.Register) {
	t := g.TypeOf(c.Args[0])
	m := g.Mark()
	defer g.Reset(m)
	if t.Kind == types.Pointer {
		n := g.Strlen()
		off := g.Alloc(n)
		_, fn := ProbeReads(g.Space(t))
		g.EvalInt(c.Args[0], asm.R3)
		g.Addr(asm.R1, off)
		empty, done := g.Label(), g.Label()
		g.Emit(asm.Mov.Imm(asm.R2, int32(n)), fn.Call(), // the bytes read, with the NUL
			asm.JSLE.Imm(asm.R0, 0, empty), asm.Sub.Imm(asm.R0, 1), asm.Mov.Reg(dst, asm.R0), asm.Ja.Label(done))
		g.Place(empty)
		g.Emit(asm.Mov.Imm(dst, 0))
		g.Place(done)
		return
	}
	size := t.ByteSize()
	off := g.Alloc(size)
	g.Lend(dst, func() { g.EvalMem(c.Args[0], t, off) })
	loop, done := g.Label(), g.Label()
	i, p := asm.R1, asm.R2
	g.Emit(asm.Mov.Imm(i, 0))
	if size >= 2*8 && littleEndian {
		nulInWords(g, off, size/8*8, i, done)
	}
	g.Place(loop)
	g.Emit(asm.JGE.Imm(i, int32(size), done),
		asm.Mov.Reg(p, asm.R10), asm.Add.Imm(p, int32(off)), asm.Add.Reg(p, i), asm.LoadMem(p, p, 0, asm.Byte),
		asm.JEq.Imm(p, 0, done), asm.Add.Imm(i, 1), asm.Ja.Label(loop))
	g.Place(done)
	g.Emit(asm.Mov.Reg(dst, i))
}

// littleEndian says the first byte of a word in memory is its lowest.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// nulInWords looks for the first NUL of the n bytes (a multiple of 8) at
// R10+off a word at a time, from i (zero), and jumps to found with its
// index in i; else it falls through with i at n. A word v holds a zero
// byte when (v - 0x0101...) & ^v & 0x8080... is not zero, and the lowest
// byte that sets is the first zero byte (a borrow sets only bytes above
// it). Eight times fewer steps than a byte at a time, for the program
// and for the verifier, which walks every step of a bounded loop: a
// strlen() inside a loop multiplies the two. Scratch registers only (no
// helper calls): R1 (i) to R5.
func nulInWords(g Gen, off int16, n int, i asm.Register, found string) {
	v, m, ones, highs := asm.R2, asm.R3, asm.R4, asm.R5
	loop, hit, tail := g.Label(), g.Label(), g.Label()
	g.LoadConst(ones, 0x0101010101010101)
	g.LoadConst(highs, -0x7f7f7f7f7f7f7f80) // 0x8080808080808080
	g.Place(loop)
	g.Emit(asm.JGE.Imm(i, int32(n), tail),
		asm.Mov.Reg(v, asm.R10), asm.Add.Imm(v, int32(off)), asm.Add.Reg(v, i), asm.LoadMem(v, v, 0, asm.DWord),
		asm.Mov.Reg(m, v), asm.Sub.Reg(m, ones), asm.Xor.Imm(v, -1), asm.And.Reg(m, v), asm.And.Reg(m, highs),
		asm.JNE.Imm(m, 0, hit), asm.Add.Imm(i, 8), asm.Ja.Label(loop))
	g.Place(hit)
	// The first zero byte is the lowest one m marks: halve the word
	// three times.
	for _, half := range []int32{32, 16, 8} {
		lower := g.Label()
		g.Emit(asm.Mov.Reg(v, m), asm.LSh.Imm(v, 64-half), asm.JNE.Imm(v, 0, lower),
			asm.Add.Imm(i, half/8), asm.RSh.Imm(m, half))
		g.Place(lower)
	}
	g.Emit(asm.Ja.Label(found))
	g.Place(tail)
}

// memcmpType: two values in memory (strings, arrays, records) and a
// constant count no larger than either.
func memcmpType(u *check.Use) types.Type {
	if !arity(u, 3, 3) {
		return types.Type{}
	}
	for i := 0; i < 2; i++ {
		switch u.ArgTypes[i].Kind {
		case types.String, types.Array, types.Record, types.Tuple:
		default:
			u.Errorf("memcmp() compares strings, arrays or records (%s provided)", u.ArgTypes[i].KindWord())
			return types.Type{}
		}
	}
	n, ok := u.Const(2)
	if !u.ArgTypes[2].IsInt() || !ok {
		u.Errorf("memcmp() expects an integer literal count")
		return types.Type{}
	}
	if lim := min(u.ArgTypes[0].ByteSize(), u.ArgTypes[1].ByteSize()); n < 0 || n > int64(lim) {
		u.Errorf("memcmp() count must be between 0 and the size of the smaller value, %d (%d provided)", lim, n)
		return types.Type{}
	}
	return types.I32
}

// memcmpEmit compares the copies of both values byte by byte: the result
// is the difference of the first differing bytes, as signed chars (the
// C function bpftrace compiles), or 0.
func memcmpEmit(g Gen, c *ast.Call, dst asm.Register) {
	n, _ := g.Const(c.Args[2])
	m := g.Mark()
	defer g.Reset(m)
	at, bt := g.TypeOf(c.Args[0]), g.TypeOf(c.Args[1])
	aoff := g.Alloc(at.ByteSize())
	g.EvalMem(c.Args[0], at, aoff)
	boff := g.Alloc(bt.ByteSize())
	g.EvalMem(c.Args[1], bt, boff)
	loop, differ, equal, done := g.Label(), g.Label(), g.Label(), g.Label()
	i, a, b := asm.R1, asm.R2, asm.R3
	g.Emit(asm.Mov.Imm(i, 0))
	g.Place(loop)
	g.Emit(asm.JGE.Imm(i, int32(n), equal),
		asm.Mov.Reg(a, asm.R10), asm.Add.Imm(a, int32(aoff)), asm.Add.Reg(a, i), asm.LoadMem(a, a, 0, asm.Byte),
		asm.Mov.Reg(b, asm.R10), asm.Add.Imm(b, int32(boff)), asm.Add.Reg(b, i), asm.LoadMem(b, b, 0, asm.Byte),
		asm.JNE.Reg(a, b, differ), asm.Add.Imm(i, 1), asm.Ja.Label(loop))
	g.Place(differ)
	g.Emit(asm.LSh.Imm(a, 56), asm.ArSh.Imm(a, 56), asm.LSh.Imm(b, 56), asm.ArSh.Imm(b, 56),
		asm.Sub.Reg(a, b), asm.Mov.Reg(dst, a), asm.Ja.Label(done))
	g.Place(equal)
	g.Emit(asm.Mov.Imm(dst, 0))
	g.Place(done)
}
