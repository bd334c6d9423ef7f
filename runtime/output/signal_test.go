package output

import "testing"

// TestSignalName: the texts of the newest bpftrace's signal_name().
func TestSignalName(t *testing.T) {
	for sig, want := range map[int64]string{
		0: "Unknown signal 0", 1: "Hangup", 2: "Interrupt", 9: "Killed", 31: "Bad system call",
		32: "Unknown signal 32", 34: "Real-time signal 0", 64: "Real-time signal 30",
		65: "N/A", 1024: "N/A", -1: "N/A",
	} {
		if got := string(appendSignalName(nil, sig)); got != want {
			t.Errorf("%d: got %q, want %q", sig, got, want)
		}
	}
}
