package main

import (
	"fmt"

	"github.com/gbt-dev/gbt/runtime/cgroup"
)

// cgroupDir is the cgroup v2 directory the probes keep to: --cgroup's
// path as given (runtime resolves it), or the directory of --container's
// container, found once; "" for neither.
func (a *app) cgroupDir() (string, error) {
	if a.opts.container == "" {
		return a.opts.cgroup, nil
	}
	if a.containerDir != "" {
		return a.containerDir, nil
	}
	root, err := cgroup.Root(cgroup.DefaultMounts)
	if err != nil {
		return "", fmt.Errorf("--container %s: %w", a.opts.container, err)
	}
	dir, err := cgroup.Container(root, a.opts.container, cgroup.LookupName)
	if err != nil {
		return "", err
	}
	if a.opts.verbose {
		fmt.Fprintf(a.stderr, "container %s: cgroup %s\n", a.opts.container, dir)
	}
	a.containerDir = dir
	return dir, nil
}
