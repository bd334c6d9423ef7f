package kernel

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/types"
	"github.com/gbt-dev/gbt/runtime/btfconv"
)

// kernelBTF is the kernel's BTF (/sys/kernel/btf/vmlinux), parsed the first
// time a script needs a struct: parsing costs tens of milliseconds and
// megabytes that scripts without structs never pay.
type kernelBTF struct {
	once    sync.Once
	spec    *btf.Spec
	err     error
	mu      sync.Mutex
	records map[string]types.Type
	enums   map[string]*btf.Enum // every enumerator's enum, indexed on first use
	// enumTypes are the enums scripts have named an enumerator of or
	// read a value of, each converted once so that its enumerators and
	// values share one *types.Enum.
	enumTypes map[*btf.Enum]*types.Enum
}

// load parses the kernel's BTF, once.
func (k *kernelBTF) load() {
	k.once.Do(func() {
		k.spec, k.err = btf.LoadKernelSpec()
		if k.err != nil {
			k.err = fmt.Errorf("load kernel BTF (/sys/kernel/btf/vmlinux): %w", k.err)
		}
	})
}

// Struct implements probe.Env for "struct name" and "union name".
func (e *Env) Struct(name string) (types.Type, error) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return types.Type{}, k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if t, ok := k.records[name]; ok {
		return t, nil
	}
	found, err := namedType(k.spec, name, false)
	if err != nil {
		return types.Type{}, err
	}
	rec, err := btfconv.Record(found, k.enumType)
	if err != nil {
		return types.Type{}, err
	}
	if k.records == nil {
		k.records = map[string]types.Type{}
	}
	k.records[name] = rec
	return rec, nil
}

// namedType finds "struct NAME" or "union NAME" (with enums, "enum NAME"
// too) in spec; the error of an unknown name wraps probe.ErrNoStruct.
func namedType(spec *btf.Spec, name string, enums bool) (btf.Type, error) {
	kind, bare, _ := strings.Cut(strings.TrimSpace(name), " ")
	bare = strings.TrimSpace(bare)
	var found btf.Type
	var err error
	switch {
	case kind == "struct":
		var s *btf.Struct
		err = spec.TypeByName(bare, &s)
		found = s
	case kind == "union":
		var u *btf.Union
		err = spec.TypeByName(bare, &u)
		found = u
	case kind == "enum" && enums:
		var e *btf.Enum
		err = spec.TypeByName(bare, &e)
		found = e
	default:
		return nil, fmt.Errorf("%q: %w", name, probe.ErrNoStruct)
	}
	if errors.Is(err, btf.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", name, probe.ErrNoStruct)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return found, nil
}

// FuncArgs implements probe.Env from the kernel's BTF: a function's
// prototype for kfunc, the btf_trace_<name> typedef for tp_btf.
func (e *Env) FuncArgs(target probe.Tracing, name string) (types.Type, types.Type, error) {
	proto, skip, err := e.funcProto(target, name)
	if err != nil {
		return types.Type{}, types.Type{}, err
	}
	k := &e.btf
	k.mu.Lock()
	defer k.mu.Unlock()
	return btfconv.FuncArgs(name, proto, skip, k.enumType)
}

// FuncParams implements probe.Env: the prototype's parameters and return
// type as C spells them, typedef names kept ("size_t count"), in the
// newest bpftrace's style (a pointer is "T *").
func (e *Env) FuncParams(target probe.Tracing, name string) ([]string, string, error) {
	proto, skip, err := e.funcProto(target, name)
	if err != nil {
		return nil, "", err
	}
	var params []string
	for _, p := range proto.Params[min(skip, len(proto.Params)):] {
		decl := paramType(p.Type)
		if p.Name != "" {
			decl += " " + p.Name
		}
		params = append(params, decl)
	}
	ret := ""
	if _, void := proto.Return.(*btf.Void); !void && proto.Return != nil {
		ret = paramType(proto.Return)
	}
	return params, ret, nil
}

// funcProto returns the prototype of the target of a tracing program and
// how many of its leading parameters the program does not see (a BTF
// tracepoint's void *__data).
func (e *Env) funcProto(target probe.Tracing, name string) (*btf.FuncProto, int, error) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return nil, 0, k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch target {
	case probe.TracingTracepoint:
		// __bpf_trace_<name> has the tracepoint's prototype with its
		// parameter names; the btf_trace_<name> typedef has no names.
		var fn *btf.Func
		if err := k.spec.TypeByName("__bpf_trace_"+name, &fn); err == nil {
			if proto, ok := fn.Type.(*btf.FuncProto); ok {
				return proto, 1, nil // skip void *__data
			}
		}
		var td *btf.Typedef
		if err := k.spec.TypeByName("btf_trace_"+name, &td); err != nil {
			return nil, 0, fmt.Errorf("tp_btf:%s: no such BTF tracepoint: %w", name, probe.ErrNoStruct)
		}
		ptr, ok := btf.UnderlyingType(td.Type).(*btf.Pointer)
		if !ok {
			return nil, 0, fmt.Errorf("tp_btf:%s: unexpected BTF type %s", name, td.Type)
		}
		proto, ok := ptr.Target.(*btf.FuncProto)
		if !ok {
			return nil, 0, fmt.Errorf("tp_btf:%s: unexpected BTF type %s", name, ptr.Target)
		}
		return proto, 1, nil // skip void *__data
	default:
		var fn *btf.Func
		if err := k.spec.TypeByName(name, &fn); err != nil {
			return nil, 0, fmt.Errorf("kfunc:%s: no such kernel function in BTF: %w", name, probe.ErrNoStruct)
		}
		proto, ok := fn.Type.(*btf.FuncProto)
		if !ok {
			return nil, 0, fmt.Errorf("kfunc:%s: unexpected BTF type %s", name, fn.Type)
		}
		return proto, 0, nil
	}
}

// EnumValue implements probe.Env. The first lookup indexes every enum
// of the kernel's BTF (a few hundred milliseconds; only scripts that name
// an identifier gbt does not know otherwise pay it).
func (e *Env) EnumValue(name string) (int64, bool) {
	en, ok := e.btfEnum(name)
	if !ok {
		return 0, false
	}
	for _, v := range en.Values {
		if v.Name == name {
			return int64(v.Value), true // signed values are stored sign-extended
		}
	}
	return 0, false
}

// EnumOf implements probe.Env: the kernel enum that has the enumerator
// name, with its variants.
func (e *Env) EnumOf(name string) (*types.Enum, bool) {
	en, ok := e.btfEnum(name)
	if !ok {
		return nil, false
	}
	k := &e.btf
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.enumType(en), true
}

// EnumNamed implements probe.Env: the kernel's "enum name".
func (e *Env) EnumNamed(name string) (*types.Enum, bool) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	found, err := k.spec.AnyTypesByName(name)
	if err != nil {
		return nil, false
	}
	for _, t := range found {
		if en, ok := t.(*btf.Enum); ok {
			return k.enumType(en), true
		}
	}
	return nil, false
}

// enumType converts en once, so that every value and enumerator of it
// shares one *types.Enum (a btfconv.Enums); k.mu must be held.
func (k *kernelBTF) enumType(en *btf.Enum) *types.Enum {
	if t, ok := k.enumTypes[en]; ok {
		return t
	}
	t := &types.Enum{Name: en.Name, Variants: make([]types.Variant, len(en.Values))}
	for i, v := range en.Values {
		t.Variants[i] = types.Variant{Name: v.Name, Value: int64(v.Value)}
	}
	if k.enumTypes == nil {
		k.enumTypes = map[*btf.Enum]*types.Enum{}
	}
	k.enumTypes[en] = t
	return t
}

// btfEnum returns the BTF enum that has the enumerator name, indexing
// every enum of the kernel's BTF on first use.
func (e *Env) btfEnum(name string) (*btf.Enum, bool) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.enums == nil {
		k.enums = map[string]*btf.Enum{}
		for t, err := range k.spec.All() {
			if err != nil {
				break
			}
			if en, ok := t.(*btf.Enum); ok {
				for _, v := range en.Values {
					if _, dup := k.enums[v.Name]; !dup {
						k.enums[v.Name] = en
					}
				}
			}
		}
	}
	en, ok := k.enums[name]
	return en, ok
}

// KernelVar implements probe.Env: whether the kernel's BTF has a variable
// name (pahole writes the per-CPU ones).
func (e *Env) KernelVar(name string) error {
	_, err := e.KernelVarID(name)
	return err
}

// KernelVarID returns the BTF type id of the kernel's variable name: what
// a BPF_PSEUDO_BTF_ID load of its address (percpu_kaddr) names. The error
// wraps probe.ErrNoKernelVar when the BTF has no such variable.
func (e *Env) KernelVarID(name string) (btf.TypeID, error) {
	return kernelTypeID[*btf.Var](e, "variable", name, probe.ErrNoKernelVar)
}

// kernelTypeID returns the id of the type of kind T (*btf.Var, *btf.Func)
// called name in the kernel's BTF; the error wraps notFound when there is
// none.
func kernelTypeID[T btf.Type](e *Env, what, name string, notFound error) (btf.TypeID, error) {
	k := &e.btf
	k.load()
	if k.err != nil {
		return 0, k.err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var t T
	if err := k.spec.TypeByName(name, &t); err != nil {
		if errors.Is(err, btf.ErrNotFound) {
			return 0, fmt.Errorf("%s: %w", name, notFound)
		}
		return 0, fmt.Errorf("kernel BTF: %s %s: %w", what, name, err)
	}
	id, err := k.spec.TypeID(t)
	if err != nil {
		return 0, fmt.Errorf("kernel BTF: %s %s: %w", what, name, err)
	}
	return id, nil
}

// ErrNoKernelFunc is in the error of KernelFuncID for a name the kernel's
// BTF has no function of.
var ErrNoKernelFunc = errors.New("the kernel's BTF has no such function")

// KernelFuncID returns the BTF type id of the kernel's function name: what
// a call of it as a kfunc (BPF_PSEUDO_KFUNC_CALL) names. The error wraps
// ErrNoKernelFunc when the BTF has no such function.
func (e *Env) KernelFuncID(name string) (btf.TypeID, error) {
	return kernelTypeID[*btf.Func](e, "function", name, ErrNoKernelFunc)
}
