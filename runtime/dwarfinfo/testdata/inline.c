// Inlined functions for TestFrames: outer calls middle calls inner, the
// two inner ones always inlined.
volatile int sink;

__attribute__((always_inline)) static inline void inner(int v)
{
  sink = v;
}

__attribute__((always_inline)) static inline void middle(int v)
{
  inner(v + 1);
}

__attribute__((noinline)) void outer(int v)
{
  middle(v * 2);
  sink = 0;
}

int main(void)
{
  outer(3);
  return 0;
}
