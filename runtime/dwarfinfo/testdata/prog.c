#include <stddef.h>

typedef unsigned int u32;
enum color { RED, GREEN = 5 };

struct Foo {
  int a;
  char b[10];
  int c[3];
  __int128_t d;
};

struct Node {
  struct Node *next;
  u32 flags : 3;
  u32 mode : 5;
  union {
    long l;
    char ch;
  };
  struct Foo foo;
  enum color col;
  double ignored;
  const char *name;
};

int function1(int *n, char c)
{
  return *n + c;
}

struct Foo *function2(struct Foo *foo1, struct Node *node, const char *str, void *p)
{
  (void)node, (void)str, (void)p;
  return foo1;
}

int main(int argc, char **argv)
{
  int n = 13;
  struct Foo foo = { .a = 1 };
  struct Node node = { 0 };
  (void)argv;
  function1(&n, 'x');
  function2(&foo, &node, "s", NULL);
  return argc;
}
