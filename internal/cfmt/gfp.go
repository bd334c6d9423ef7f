package cfmt

import "strconv"

// GFP flag bits, as linux/gfp_types.h numbers them (bpftrace's copy).
const (
	gfpDMA = 1 << iota
	gfpHighmem
	gfpDMA32
	gfpMovable
	_ // __GFP_RECLAIMABLE
	gfpHigh
	gfpIO
	gfpFS
	gfpZero
	_ // unused bit
	gfpDirectReclaim
	gfpKswapdReclaim
	gfpWrite
	gfpNowarn
	gfpRetryMayfail
	gfpNofail
	gfpNoretry
	gfpMemalloc
	gfpComp
	gfpNomemalloc
	gfpHardwall
	gfpThisnode
	gfpAccount
	gfpZerotags
	gfpSkipZero
	gfpSkipKasan
	gfpNoObjExt
)

// Compound GFP flags.
const (
	gfpReclaim         = gfpDirectReclaim | gfpKswapdReclaim
	gfpAtomic          = gfpHigh | gfpKswapdReclaim
	gfpKernel          = gfpReclaim | gfpIO | gfpFS
	gfpKernelAccount   = gfpKernel | gfpAccount
	gfpNowait          = gfpKswapdReclaim | gfpNowarn
	gfpNoio            = gfpReclaim
	gfpNofs            = gfpNoio | gfpIO
	gfpUser            = gfpNofs | gfpFS | gfpHardwall
	gfpHighuser        = gfpUser | gfpHighmem
	gfpHighuserMovable = gfpHighuser | gfpMovable | gfpSkipKasan
	gfpTranshugeLight  = (gfpHighuserMovable | gfpComp | gfpNomemalloc | gfpNowarn) &^ gfpReclaim
	gfpTranshuge       = gfpTranshugeLight | gfpDirectReclaim
)

// gfpNames lists the flags %gr names, in the kernel's __def_gfpflag_names
// order: compound masks first, so that the bits they match are named
// once, then the single bits left over.
var gfpNames = [...]struct {
	mask uint64
	name string
}{
	{gfpTranshuge, "GFP_TRANSHUGE"}, {gfpTranshugeLight, "GFP_TRANSHUGE_LIGHT"},
	{gfpHighuserMovable, "GFP_HIGHUSER_MOVABLE"}, {gfpHighuser, "GFP_HIGHUSER"},
	{gfpUser, "GFP_USER"}, {gfpKernelAccount, "GFP_KERNEL_ACCOUNT"}, {gfpKernel, "GFP_KERNEL"},
	{gfpNofs, "GFP_NOFS"}, {gfpAtomic, "GFP_ATOMIC"}, {gfpNoio, "GFP_NOIO"}, {gfpNowait, "GFP_NOWAIT"},
	{gfpDMA, "GFP_DMA"}, {gfpHighmem, "__GFP_HIGHMEM"}, {gfpDMA32, "GFP_DMA32"}, {gfpHigh, "__GFP_HIGH"},
	{gfpIO, "__GFP_IO"}, {gfpFS, "__GFP_FS"}, {gfpZero, "__GFP_ZERO"},
	{gfpDirectReclaim, "__GFP_DIRECT_RECLAIM"}, {gfpKswapdReclaim, "__GFP_KSWAPD_RECLAIM"},
	{gfpWrite, "__GFP_WRITE"}, {gfpNowarn, "__GFP_NOWARN"}, {gfpRetryMayfail, "__GFP_RETRY_MAYFAIL"},
	{gfpNofail, "__GFP_NOFAIL"}, {gfpNoretry, "__GFP_NORETRY"}, {gfpMemalloc, "__GFP_MEMALLOC"},
	{gfpComp, "__GFP_COMP"}, {gfpNomemalloc, "__GFP_NOMEMALLOC"}, {gfpHardwall, "__GFP_HARDWALL"},
	{gfpThisnode, "__GFP_THISNODE"}, {gfpAccount, "__GFP_ACCOUNT"}, {gfpZerotags, "__GFP_ZEROTAGS"},
	{gfpSkipZero, "__GFP_SKIP_ZERO"}, {gfpSkipKasan, "__GFP_SKIP_KASAN"}, {gfpNoObjExt, "__GFP_NO_OBJ_EXT"},
}

// AppendGFPFlags renders GFP allocation flags as %gr does: the names of
// the masks they contain joined by '|', then any bits left as hex; 0 is
// "0".
func AppendGFPFlags(dst []byte, flags uint64) []byte {
	if flags == 0 {
		return append(dst, '0')
	}
	start := len(dst)
	left := flags
	for _, f := range gfpNames {
		if left&f.mask == f.mask {
			if len(dst) > start {
				dst = append(dst, '|')
			}
			dst = append(dst, f.name...)
			left &^= f.mask
		}
	}
	if left != 0 {
		if len(dst) > start {
			dst = append(dst, '|')
		}
		dst = strconv.AppendUint(append(dst, "0x"...), left, 16)
	}
	return dst
}
