package probe

// The x86-64 registers a Regs kind's program reads from its struct
// pt_regs context: codegen's reg(), argN and retval, and the runtime's own
// small programs (watchpoint set-up) read them at these offsets.

// ptRegs are the offsets of x86-64 struct pt_regs members.
var ptRegs = map[string]int16{
	"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56,
	"r9": 64, "r8": 72, "ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112,
	"orig_ax": 120, "ip": 128, "cs": 136, "flags": 144, "sp": 152, "ss": 160,
	"pc": 128, // the newest bpftrace's name of the instruction pointer on every architecture
}

// argRegs are the x86-64 registers holding the first six arguments.
var argRegs = [MaxRegArgs]string{"di", "si", "dx", "cx", "r8", "r9"}

// RegOffset returns the offset in struct pt_regs of the register name
// ("di", "ip", "orig_ax"...) and whether there is such a register.
func RegOffset(name string) (int16, bool) {
	off, ok := ptRegs[name]
	return off, ok
}

// ArgReg returns the register that passes argument i (< MaxRegArgs).
func ArgReg(i int) string { return argRegs[i] }
