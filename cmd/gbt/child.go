package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// child is the command of -c. It is started before the probes are attached
// but held (a shell blocked reading a pipe) until release, then it execs the
// command, so tracing covers it from its first instruction and its pid
// (the shell's, kept across exec) is known early. As in bpftrace, the
// command line is split at white space with no shell quoting: -c "echo 'A'"
// passes 'A' with its quotes; the program is looked up in PATH.
type child struct {
	cmd  *exec.Cmd
	gate *os.File // write end; closing it releases the shell
	done chan struct{}
	err  error
}

// command is the -c command line split into words, its program looked
// up in PATH once: for kernel.Env (uprobes on the program) and for
// startChild.
type command struct {
	line  string
	words []string
	path  string // the program found in PATH; "" when err is set
	err   error  // why the command cannot start, in bpftrace's words
}

// lookCommand splits cmdline and finds its program.
func lookCommand(cmdline string) command {
	c := command{line: cmdline, words: strings.Fields(cmdline)}
	if len(c.words) == 0 {
		c.err = fmt.Errorf("-c %q: no command", cmdline)
		return c
	}
	path, err := exec.LookPath(c.words[0])
	if err != nil {
		//lint:ignore ST1005 bpftrace's words, which scripts and suites match
		c.err = fmt.Errorf("Failed to fork child: Path '%s' does not exist or is not executable (%v)", c.words[0], errors.Unwrap(err))
		return c
	}
	c.path = path
	return c
}

// startChild starts the command held: it runs nothing until released.
func startChild(c command) (*child, error) {
	if c.err != nil {
		return nil, c.err
	}
	words := c.words
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	// fd 3 in the shell is the read end of the gate; the words are the
	// shell's positional parameters, so it does not interpret them.
	cmd := exec.Command("/bin/sh", append([]string{"-c", `read -r _ <&3; exec 3<&-; exec "$@"`, "gbt"}, words...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{r}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("start %q: %w", c.line, err)
	}
	r.Close()
	ch := &child{cmd: cmd, gate: w, done: make(chan struct{})}
	go func() {
		ch.err = cmd.Wait()
		close(ch.done)
	}()
	return ch, nil
}

// release lets the held command run.
func (c *child) release() error {
	_, err := c.gate.Write([]byte("go\n"))
	c.gate.Close()
	return err
}

// kill stops the command if it is still held or running (on errors).
func (c *child) kill() {
	c.gate.Close()
	select {
	case <-c.done:
	default:
		c.cmd.Process.Kill()
		<-c.done
	}
}
