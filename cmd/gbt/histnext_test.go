package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestE2EHistTSeries runs hist(v, bits), the newest bpftrace's hist and
// lhist shapes and tseries(): each output is what bpftrace 0.27.1 prints
// for the same program (compared when the cases were written). The
// tseries clock is the map @ts (BPFTRACE_DUMMY_TS_MAP, as bpftrace's
// runtime tests set it) and times print in UTC.
func TestE2EHistTSeries(t *testing.T) {
	requireRoot(t)
	gbt, _ := binaries(t)
	tests := []struct {
		name, prog, want string
	}{
		{
			name: "tseries of the last values, with a gap and the zero line",
			prog: `begin { @ts = (uint64)500000000; @a = tseries(5, 100ms, 5); @ts = (uint64)600000000; @a = tseries(-3, 100ms, 5); @ts = (uint64)800000000; @a = tseries(2, 100ms, 5); }`,
			want: "\n\n@a:\n             -3                                                  5\nhh:mm:ss.ms  |___________________________________________________|\n00:00:00.500 |                  .                                * 5\n00:00:00.600 *                  .                                | -3\n00:00:00.700 |                  .                                | -\n00:00:00.800 |                  .            *                   | 2\n             v___________________________________________________v\n             -3                                                  5\n\n@ts: 800000000\n",
		},
		{
			name: "tseries max and sum, keyed, with microsecond intervals",
			prog: `begin { @ts = (uint64)1000; @m["x"] = tseries(4, 1us, 3, "max"); @m["x"] = tseries(9, 1us, 3, "max"); @m["y"] = tseries(1, 1us, 3, "max"); @s = tseries(1, 1us, 3, "sum"); @ts = (uint64)2000; @s = tseries(2, 1us, 3, "sum"); @s = tseries(2, 1us, 3, "sum"); @ts = (uint64)4000; @s = tseries(7, 1us, 3, "sum"); }`,
			want: "\n\n@m[x]:\n<no data>\n@m[y]:\n<no data>\n@s:\n                4                                                   7\nhh:mm:ss.μs    |___________________________________________________|\n00:00:00.000002 *                                                   | 4\n00:00:00.000003 |                                                   | -\n00:00:00.000004 |                                                   * 7\n                v___________________________________________________v\n                4                                                   7\n\n@ts: 4000\n",
		},
		{
			name: "tseries avg and min in one-second intervals",
			prog: `begin { @ts = (uint64)3000000000; @v = tseries(10, 1s, 4, "avg"); @v = tseries(5, 1s, 4, "avg"); @w = tseries(10, 1s, 4, "min"); @w = tseries(5, 1s, 4, "min"); }`,
			want: "\n\n@ts: 3000000000\n@v:\n                   6                                                   8\nhh:mm:ss.ns        |___________________________________________________|\n00:00:03.000000000 |                         *                         | 7\n                   v___________________________________________________v\n                   6                                                   8\n\n@w:\n                   4                                                   6\nhh:mm:ss.ns        |___________________________________________________|\n00:00:03.000000000 |                         *                         | 5\n                   v___________________________________________________v\n                   4                                                   6\n\n",
		},
		{
			name: "hist(v, 2), one-value lhist buckets, K labels, hist past 4G",
			prog: `begin { $i = 0; while ($i < 300) { @h = hist($i, 2); $i += 7; } @l = lhist(3, 0, 10, 1); @l = lhist(4, 0, 10, 1); @k = lhist(3000, 0, 8192, 1024); @g = hist(10 * 1024 * 1024 * 1024); @g = hist(-5); }`,
			want: "\n\n@g:\n(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[0]                    0 |                                                    |\n[1]                    0 |                                                    |\n[2, 4)                 0 |                                                    |\n[4, 8)                 0 |                                                    |\n[8, 16)                0 |                                                    |\n[16, 32)               0 |                                                    |\n[32, 64)               0 |                                                    |\n[64, 128)              0 |                                                    |\n[128, 256)             0 |                                                    |\n[256, 512)             0 |                                                    |\n[512, 1K)              0 |                                                    |\n[1K, 2K)               0 |                                                    |\n[2K, 4K)               0 |                                                    |\n[4K, 8K)               0 |                                                    |\n[8K, 16K)              0 |                                                    |\n[16K, 32K)             0 |                                                    |\n[32K, 64K)             0 |                                                    |\n[64K, 128K)            0 |                                                    |\n[128K, 256K)           0 |                                                    |\n[256K, 512K)           0 |                                                    |\n[512K, 1M)             0 |                                                    |\n[1M, 2M)               0 |                                                    |\n[2M, 4M)               0 |                                                    |\n[4M, 8M)               0 |                                                    |\n[8M, 16M)              0 |                                                    |\n[16M, 32M)             0 |                                                    |\n[32M, 64M)             0 |                                                    |\n[64M, 128M)            0 |                                                    |\n[128M, 256M)           0 |                                                    |\n[256M, 512M)           0 |                                                    |\n[512M, 1G)             0 |                                                    |\n[1G, 2G)               0 |                                                    |\n[2G, 4G)               0 |                                                    |\n[4G, 8G)               0 |                                                    |\n[8G, 16G)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@h:\n[0]                    1 |@@@@@@@@                                            |\n[1]                    0 |                                                    |\n[2]                    0 |                                                    |\n[3]                    0 |                                                    |\n[4]                    0 |                                                    |\n[5]                    0 |                                                    |\n[6]                    0 |                                                    |\n[7]                    1 |@@@@@@@@                                            |\n[8, 10)                0 |                                                    |\n[10, 12)               0 |                                                    |\n[12, 14)               0 |                                                    |\n[14, 16)               1 |@@@@@@@@                                            |\n[16, 20)               0 |                                                    |\n[20, 24)               1 |@@@@@@@@                                            |\n[24, 28)               0 |                                                    |\n[28, 32)               1 |@@@@@@@@                                            |\n[32, 40)               1 |@@@@@@@@                                            |\n[40, 48)               1 |@@@@@@@@                                            |\n[48, 56)               1 |@@@@@@@@                                            |\n[56, 64)               2 |@@@@@@@@@@@@@@@@@                                   |\n[64, 80)               2 |@@@@@@@@@@@@@@@@@                                   |\n[80, 96)               2 |@@@@@@@@@@@@@@@@@                                   |\n[96, 112)              2 |@@@@@@@@@@@@@@@@@                                   |\n[112, 128)             3 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n[128, 160)             4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  |\n[160, 192)             5 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         |\n[192, 224)             4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  |\n[224, 256)             5 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@         |\n[256, 320)             6 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@k:\n[2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@l:\n[3]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[4]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(gbt, "-e", tt.prog)
			cmd.Env = append(os.Environ(), "TZ=UTC", "BPFTRACE_DUMMY_TS_MAP=@ts")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("gbt: %v\n%s", err, out)
			}
			if string(out) != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}
