// nofp is the workload of the dw_ustack tests, built without frame
// pointers (-O2 -fomit-frame-pointer): main calls funcA, which calls
// funcB, funcC and funcD, every millisecond until it is killed. ustack
// finds funcD alone; dw_ustack the whole chain.
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) void funcD(void) { sink = 42; }

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
  for (;;) {
    funcA();
    usleep(1000);
  }
}
