package output

import "strconv"

// signalNames are strsignal(3)'s texts of signals 1 to 31, as the newest
// bpftrace's signal_name() gives them.
var signalNames = [...]string{
	1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction", 5: "Trace/breakpoint trap",
	6: "Aborted", 7: "Bus error", 8: "Floating point exception", 9: "Killed", 10: "User defined signal 1",
	11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe", 14: "Alarm clock",
	15: "Terminated", 16: "Stack fault", 17: "Child exited", 18: "Continued", 19: "Stopped (signal)",
	20: "Stopped", 21: "Stopped (tty input)", 22: "Stopped (tty output)", 23: "Urgent I/O condition",
	24: "CPU time limit exceeded", 25: "File size limit exceeded", 26: "Virtual timer expired",
	27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible", 30: "Power failure",
	31: "Bad system call",
}

// appendSignalName appends signal_name(sig)'s text: strsignal's for
// signals 1 to 64 ("Unknown signal N" for 0, 32 and 33, glibc's
// reserved ones), "N/A" for any other number.
func appendSignalName(dst []byte, sig int64) []byte {
	switch {
	case sig >= 1 && sig < int64(len(signalNames)):
		return append(dst, signalNames[sig]...)
	case sig == 0 || sig == 32 || sig == 33:
		return strconv.AppendInt(append(dst, "Unknown signal "...), sig, 10)
	case sig >= 34 && sig <= 64:
		return strconv.AppendInt(append(dst, "Real-time signal "...), sig-34, 10)
	}
	return append(dst, "N/A"...)
}
