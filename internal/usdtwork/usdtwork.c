// usdtwork is the workload of gbt's USDT tests: a C program with SystemTap
// SDT probes (built by the tests with gcc and <sys/sdt.h>).
//
//	usdtwork N [US]  fire gbt:tick N times, gbt:args N times, gbt:sema (only
//	                 while traced) N times, then gbt:index twice and gbt:done
//	                 once; with US, sleep US microseconds after each round.
//	                 Each round also calls fresh() with a new address, which
//	                 it writes (watchpoint:fresh+arg0 tests).
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

// With semaphores on, every probe has one; only gbt:sema's code tests it.
#define SEMAPHORE(name) unsigned short gbt_##name##_semaphore __attribute__((unused)) __attribute__((section(".probes")))
SEMAPHORE(tick);
SEMAPHORE(args);
SEMAPHORE(sema);
SEMAPHORE(index);
SEMAPHORE(done);

static volatile long sink;

// watched is written once per loop iteration (watchpoint tests; the -O0
// build is not position-independent, so its address is fixed). It is
// initialised, so that it lies in .data: the kernel zeroes the rest of
// .bss's first page when it loads the program (padzero), and a
// breakpoint set before the exec (-c) counts those writes too, 8 of them
// on Linux 6.18.44 (bpftrace 0.17 counts the same).
volatile long watched = -1;

// many takes eight arguments: on x86-64 the last two are on the stack
// (uprobe tests read them with sarg0 and sarg1).
__attribute__((noinline)) long many(long a, long b, long c, long d, long e, long f, long g, long h) {
	sink = a + b + c + d + e + f + g + h;
	return sink;
}

// fresh writes the long it is given: each call of main's gets a new one.
__attribute__((noinline)) void fresh(long *p) {
	*p += 1;
}

__attribute__((noinline)) static void work(int i, long *total) {
	*total += i;
	DTRACE_PROBE2(gbt, tick, i, *total);
	const char *word = (i % 2) ? "odd" : "even";
	short small = (short)(-i);
	STAP_PROBE4(gbt, args, small, (unsigned char)(i + 200), word, (long long)i * 1000000007LL);
	if (gbt_sema_semaphore) {
		STAP_PROBE1(gbt, sema, i);
	}
}

// indexed fires gbt:index with array elements: with optimisation the
// argument is a base+offset+index*scale memory operand (-O0: a register).
__attribute__((noinline)) static void indexed(void) {
	volatile long arr[4] = {11, 22, 33, 44};
	for (volatile int i = 1; i <= 2; i++) {
		DTRACE_PROBE1(gbt, index, arr[i]);
	}
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int pause = argc > 2 ? atoi(argv[2]) : 0;
	long total = 0;
	for (int i = 0; i < n; i++) {
		work(i, &total);
		watched = i;
		long *p = calloc(1, sizeof *p); // never freed: each round a new address
		fresh(p);
		sink += *p;
		if (pause > 0) {
			usleep(pause);
		}
	}
	sink = total;
	many(1, 2, 3, 4, 5, 6, 70, 80 + n);
	indexed();
	DTRACE_PROBE(gbt, done);
	return 0;
}
