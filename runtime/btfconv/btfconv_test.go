package btfconv

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gbt-dev/gbt/lang/probe"
	"github.com/gbt-dev/gbt/lang/probe/probetest"
	"github.com/gbt-dev/gbt/lang/types"
)

// kernelBTF builds a subset of the BTF of the 6.18 kernel probetest's
// canned data comes from: some structs, by name, and some prototypes, by
// "kind:name".
func kernelBTF() (structs map[string]btf.Type, protos map[string]*btf.FuncProto) {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	u32 := &btf.Int{Name: "unsigned int", Size: 4}
	u64 := &btf.Int{Name: "long long unsigned int", Size: 8}
	i64 := &btf.Int{Name: "long long int", Size: 8, Encoding: btf.Signed}
	char := &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	pid := &btf.Typedef{Name: "pid_t", Type: i32}
	task := &btf.Struct{Name: "task_struct", Size: 3264}
	mm := &btf.Struct{Name: "mm_struct", Size: 1344, Members: []btf.Member{
		{Name: "task_size", Type: u64, Offset: 8 * 8},
		{Name: "map_count", Type: i32, Offset: 88 * 8},
	}}
	se := &btf.Struct{Name: "sched_entity", Size: 320, Members: []btf.Member{
		{Name: "on_rq", Type: &btf.Int{Name: "unsigned char", Size: 1}, Offset: 64 * 8},
		{Name: "vruntime", Type: u64, Offset: 104 * 8},
		{Name: "nr_migrations", Type: u64, Offset: 168 * 8},
	}}
	task.Members = []btf.Member{
		{Name: "__state", Type: u32, Offset: 24 * 8},
		{Name: "flags", Type: u32, Offset: 44 * 8},
		{Name: "se", Type: se, Offset: 128 * 8},
		{Name: "mm", Type: &btf.Pointer{Target: mm}, Offset: 1176 * 8},
		// unsigned sched_reset_on_fork:1; sched_contributes_to_load:1; ...
		{Name: "sched_reset_on_fork", Type: u32, Offset: 1240 * 8, BitfieldSize: 1},
		{Name: "sched_contributes_to_load", Type: u32, Offset: 1240*8 + 1, BitfieldSize: 1},
		{Name: "pid", Type: pid, Offset: 1264 * 8},
		{Name: "tgid", Type: pid, Offset: 1268 * 8},
		{Name: "real_parent", Type: &btf.Pointer{Target: task}, Offset: 1280 * 8},
		{Name: "group_leader", Type: &btf.Pointer{Target: task}, Offset: 1328 * 8},
		// An anonymous union whose members are the task's own.
		{Name: "", Type: &btf.Union{Size: 8, Members: []btf.Member{
			{Name: "start_time_alias", Type: u64},
		}}, Offset: 1400 * 8},
		{Name: "comm", Type: &btf.Array{Type: char, Nelems: 16}, Offset: 1752 * 8},
	}
	regs := &btf.Struct{Name: "pt_regs", Size: 168, Members: []btf.Member{
		{Name: "ax", Type: u64, Offset: 80 * 8}, {Name: "si", Type: u64, Offset: 104 * 8}, {Name: "di", Type: u64, Offset: 112 * 8},
	}}
	ts := &btf.Struct{Name: "__kernel_timespec", Size: 16, Members: []btf.Member{
		{Name: "tv_sec", Type: i64}, {Name: "tv_nsec", Type: i64, Offset: 8 * 8},
	}}
	sock := &btf.Struct{Name: "sock", Size: 784}
	skb := &btf.Struct{Name: "sk_buff", Size: 224, Members: []btf.Member{
		{Name: "sk", Type: &btf.Pointer{Target: sock}, Offset: 24 * 8},
		{Name: "len", Type: u32, Offset: 112 * 8},
		{Name: "data", Type: &btf.Pointer{Target: &btf.Int{Name: "unsigned char", Size: 1}}, Offset: 200 * 8},
	}}
	mapType := &btf.Enum{Name: "bpf_map_type", Size: 4, Values: []btf.EnumValue{
		{Name: "BPF_MAP_TYPE_UNSPEC", Value: 0}, {Name: "BPF_MAP_TYPE_HASH", Value: 1}, {Name: "BPF_MAP_TYPE_ARRAY", Value: 2},
	}}
	bpfMap := &btf.Struct{Name: "bpf_map", Size: 296, Members: []btf.Member{
		{Name: "map_type", Type: mapType, Offset: 64 * 8},
		{Name: "max_entries", Type: &btf.Typedef{Name: "u32", Type: u32}, Offset: 76 * 8},
	}}
	structs = map[string]btf.Type{}
	for _, s := range []*btf.Struct{task, se, mm, regs, ts, skb, bpfMap} {
		structs["struct "+s.Name] = s
	}

	long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	ulong := &btf.Int{Name: "long unsigned int", Size: 8}
	void := &btf.Pointer{Target: &btf.Void{}}
	protos = map[string]*btf.FuncProto{
		"kfunc:vfs_read": {Return: long, Params: []btf.FuncParam{
			{Name: "file", Type: &btf.Pointer{Target: &btf.Struct{Name: "file", Size: 232}}},
			{Name: "buf", Type: &btf.Pointer{Target: char}},
			{Name: "count", Type: ulong},
			{Name: "pos", Type: &btf.Pointer{Target: long}},
		}},
		"tp_btf:sys_enter": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "regs", Type: &btf.Pointer{Target: regs}}, {Name: "id", Type: long},
		}},
		"tp_btf:sched_switch": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "preempt", Type: &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool}},
			{Name: "prev", Type: &btf.Pointer{Target: task}}, {Name: "next", Type: &btf.Pointer{Target: task}},
			{Name: "prev_state", Type: &btf.Int{Name: "unsigned int", Size: 4}},
		}},
		"tp_btf:inet_sock_set_state": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "sk", Type: &btf.Pointer{Target: &btf.Const{Type: sock}}},
			{Name: "oldstate", Type: i32}, {Name: "newstate", Type: i32},
		}},
		"tp_btf:consume_skb": {Return: &btf.Void{}, Params: []btf.FuncParam{
			{Name: "__data", Type: void}, {Name: "skb", Type: &btf.Pointer{Target: skb}}, {Name: "location", Type: void},
		}},
	}
	return structs, protos
}

// TestCannedRecords: converting the kernel's BTF gives the records
// probetest answers with, so the front end's tests check what the real
// kernel would give.
func TestCannedRecords(t *testing.T) {
	env := probetest.New()
	structs, protos := kernelBTF()
	// The canned enums are probetest's, one *types.Enum each, as the
	// kernel Env converts each BTF enum once.
	enums := func(e *btf.Enum) *types.Enum {
		en, ok := env.EnumNamed(e.Name)
		if !ok {
			t.Fatalf("probetest has no enum %s", e.Name)
		}
		return en
	}
	for name, typ := range structs {
		got, err := Record(typ, enums)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := env.Struct(name)
		if err != nil {
			t.Fatalf("probetest: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nconverted %+v\nprobetest %+v", name, got, want)
		}
	}
	for key, proto := range protos {
		target, name := probe.TracingEntry, key[len("kfunc:"):]
		skip := 0
		if key[:len("tp_btf:")] == "tp_btf:" {
			target, name, skip = probe.TracingTracepoint, key[len("tp_btf:"):], 1
		}
		args, ret, err := FuncArgs(name, proto, skip, enums)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		wantArgs, wantRet, err := env.FuncArgs(target, name)
		if err != nil {
			t.Fatalf("probetest: %v", err)
		}
		if !reflect.DeepEqual(args, wantArgs) || !reflect.DeepEqual(ret, wantRet) {
			t.Errorf("%s:\nconverted %+v -> %+v\nprobetest %+v -> %+v", key, args, ret, wantArgs, wantRet)
		}
	}
	if _, err := env.Struct("struct gbt_no_such_struct"); !errors.Is(err, probe.ErrNoStruct) {
		t.Errorf("probetest knows struct gbt_no_such_struct: %v", err)
	}
}

// TestRecordEdges: what gbt cannot type is refused, read as bytes, or
// kept opaque (floats).
func TestRecordEdges(t *testing.T) {
	u8 := &btf.Int{Name: "unsigned char", Size: 1}
	s := &btf.Struct{Name: "edges", Size: 40, Members: []btf.Member{
		{Name: "bytes", Type: &btf.Array{Type: u8, Nelems: 4}},                    // not char: an array
		{Name: "fn", Type: &btf.Pointer{Target: &btf.FuncProto{}}, Offset: 8 * 8}, // void *-like
		{Name: "pp", Type: &btf.Pointer{Target: &btf.Pointer{Target: u8}}, Offset: 16 * 8},
		{Name: "", Type: &btf.Struct{Members: []btf.Member{{Name: "inner", Type: u8}}}, Offset: 24 * 8},
		{Name: "", Type: u8, Offset: 32 * 8, BitfieldSize: 3}, // unnamed padding
	}}
	got, err := Record(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := types.Type{Kind: types.Record, Name: "struct edges", Size: 40, Fields: []types.Field{
		{Name: "bytes", Type: types.ArrayOf(types.U8, 4)},
		{Name: "fn", Type: types.PointerTo(types.U8, types.Kernel), Offset: 8},
		{Name: "pp", Type: types.PointerTo(types.PointerTo(types.U8, types.Kernel), types.Kernel), Offset: 16},
		{Name: "inner", Type: types.U8, Offset: 24},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("converted %+v\nwant      %+v", got, want)
	}
	// A float member takes its room and prints null (bpftrace's none type).
	if got, err := Record(&btf.Struct{Name: "f", Size: 8, Members: []btf.Member{{Name: "x", Type: &btf.Float{Size: 8}}}}, nil); err != nil || !got.Fields[0].Type.Equal(types.NoneOf(8)) {
		t.Errorf("a float member: %+v, %v", got, err)
	}
	if _, err := Record(u8, nil); err == nil {
		t.Error("an int was converted to a record")
	}
}

// TestEnumMembers: a member, pointee or parameter of enum type is an
// integer of the enum's size and signedness, named by the *types.Enum
// Enums gives (plain without Enums).
func TestEnumMembers(t *testing.T) {
	mode := &btf.Enum{Name: "mode", Size: 4, Signed: true, Values: []btf.EnumValue{{Name: "M_A", Value: 0}, {Name: "M_B", Value: 1}}}
	wide := &btf.Enum{Name: "wide", Size: 8, Values: []btf.EnumValue{{Name: "W_A", Value: 1 << 40}}}
	s := &btf.Struct{Name: "e", Size: 32, Members: []btf.Member{
		{Name: "m", Type: mode},
		{Name: "w", Type: &btf.Typedef{Name: "wide_t", Type: wide}, Offset: 8 * 8},
		{Name: "p", Type: &btf.Pointer{Target: &btf.Const{Type: mode}}, Offset: 16 * 8},
		{Name: "bits", Type: mode, Offset: 24 * 8, BitfieldSize: 2},
	}}
	converted := map[*btf.Enum]*types.Enum{}
	enums := func(e *btf.Enum) *types.Enum {
		if converted[e] == nil {
			converted[e] = &types.Enum{Name: e.Name}
		}
		return converted[e]
	}
	got, err := Record(s, enums)
	if err != nil {
		t.Fatal(err)
	}
	m := types.Type{Kind: types.Int, Bits: 32, Signed: true, Enum: converted[mode]}
	want := []types.Field{
		{Name: "m", Type: m},
		{Name: "w", Type: types.Type{Kind: types.Int, Bits: 64, Enum: converted[wide]}, Offset: 8},
		{Name: "p", Type: types.PointerTo(m, types.Kernel), Offset: 16},
		{Name: "bits", Type: m, Offset: 24, BitWidth: 2},
	}
	if !reflect.DeepEqual(got.Fields, want) {
		t.Errorf("converted %+v\nwant      %+v", got.Fields, want)
	}
	args, ret, err := FuncArgs("f", &btf.FuncProto{Return: mode, Params: []btf.FuncParam{{Name: "x", Type: mode}}}, 0, enums)
	if err != nil || !args.Fields[0].Type.Equal(m) || !ret.Equal(m) {
		t.Errorf("a parameter and return value of enum type: %+v -> %+v, %v", args.Fields, ret, err)
	}
	plain, err := Record(s, nil)
	if err != nil || !plain.Fields[0].Type.Equal(types.I32) {
		t.Errorf("without Enums, an enum member: %+v, %v", plain.Fields, err)
	}
}

// TestFuncArgsTwoRegisterParam: a by-value struct of 9 to 16 bytes
// (__sys_bpf's bpfptr_t) takes two of the trampoline's slots, so the
// parameters after it and the retval after the record move down one.
func TestFuncArgsTwoRegisterParam(t *testing.T) {
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	u32 := &btf.Int{Name: "unsigned int", Size: 4}
	ptr := &btf.Pointer{Target: &btf.Void{}}
	boolT := &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool}
	bpfptr := &btf.Typedef{Name: "bpfptr_t", Type: &btf.Struct{Name: "sockptr", Size: 16, Members: []btf.Member{
		{Name: "kernel", Type: ptr}, {Name: "is_kernel", Type: boolT, Offset: 64}}}}
	small := &btf.Struct{Name: "pair", Size: 8, Members: []btf.Member{{Name: "a", Type: i32}, {Name: "b", Type: i32, Offset: 32}}}
	proto := &btf.FuncProto{Return: i32, Params: []btf.FuncParam{
		{Name: "cmd", Type: i32}, {Name: "uattr", Type: bpfptr}, {Name: "size", Type: u32}, {Name: "p", Type: small}, {Name: "last", Type: u32}}}
	args, _, err := FuncArgs("__sys_bpf", proto, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int
	for _, f := range args.Fields {
		offs = append(offs, f.Offset)
	}
	if want := []int{0, 8, 24, 32, 40}; !reflect.DeepEqual(offs, want) || args.Size != 48 {
		t.Errorf("offsets %v, size %d; want %v, 48", offs, args.Size, want)
	}
}
