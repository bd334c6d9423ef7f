// nofp is the workload of the unwind tests: built without frame pointers,
// funcD (called through funcC, funcB and funcA from main) takes its own
// registers and writes them and its stack, from its stack pointer to the
// top, to stdout, as dw_ustack's BPF code copies them; it then waits for
// stdin to close, so that the test reads its memory maps while it lives.
//
// Output: one line "ip sp bp bx r12 r13 r14 r15" in hex, then the stack
// bytes in hex on one line.
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

extern void *__libc_stack_end;

volatile int sink;
static uint64_t regs[8];

__attribute__((noinline)) static void dump(void)
{
  for (int i = 0; i < 8; i++)
    printf("%s%llx", i ? " " : "", (unsigned long long)regs[i]);
  printf("\n");
  for (uint8_t *p = (uint8_t *)regs[1]; p < (uint8_t *)__libc_stack_end + 256; p++)
    printf("%02x", *p);
  printf("\n");
  fflush(stdout);
  char buf[64];
  while (read(0, buf, sizeof(buf)) > 0) {
  }
}

__attribute__((noinline)) void funcD(void)
{
  __asm__ volatile("lea 0(%%rip), %%rax\n\t"
                   "mov %%rax, 0(%0)\n\t"
                   "mov %%rsp, 8(%0)\n\t"
                   "mov %%rbp, 16(%0)\n\t"
                   "mov %%rbx, 24(%0)\n\t"
                   "mov %%r12, 32(%0)\n\t"
                   "mov %%r13, 40(%0)\n\t"
                   "mov %%r14, 48(%0)\n\t"
                   "mov %%r15, 56(%0)\n\t"
                   :
                   : "r"(regs)
                   : "rax", "memory");
  dump();
  sink = 42;
}

__attribute__((noinline)) void funcC(void)
{
  funcD();
  sink;
}

__attribute__((noinline)) void funcB(void)
{
  funcC();
  sink;
}

__attribute__((noinline)) void funcA(void)
{
  funcB();
  sink;
}

int main(void)
{
  funcA();
  return 0;
}
