//go:build !linux

package cheaders

// osMacros: none where gbt is not built for Linux.
func osMacros() map[string]int64 { return nil }
