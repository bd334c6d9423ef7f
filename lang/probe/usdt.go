package probe

// USDTSite is one location of a USDT (SystemTap SDT) probe in an ELF file,
// as its .note.stapsdt section describes it (runtime/usdt reads them).
type USDTSite struct {
	Provider, Name string
	// Offset is the file offset of the probed instruction (what a uprobe
	// attaches to); Semaphore the file offset of the probe's semaphore (0:
	// none), which the kernel counts up while the probe is attached.
	Offset, Semaphore uint64
	Args              []USDTArg
}

// USDTArgKind says where a USDT argument lives.
type USDTArgKind uint8

// USDT argument kinds.
const (
	USDTConst USDTArgKind = iota // $imm
	USDTReg                      // %reg
	USDTMem                      // off(%reg): memory at a register plus an offset
)

// USDTArg is one argument of a USDT probe, as its note describes it
// (`-4@%eax`, `8@-16(%rbp)`, `4@$5`).
type USDTArg struct {
	Size   int  // bytes: 1, 2, 4 or 8
	Signed bool // a negative size in the note
	Kind   USDTArgKind
	Reg    string // pt_regs name: "ax", "di", "r8", "ip"
	Value  int64  // the constant, or the memory offset
}
