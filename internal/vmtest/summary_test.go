//go:build vmtest

package vmtest_test

import "testing"

// TestKernelsSummary repeats what TestKernels saw of dead guests and which
// of its cases failed, with the start of their messages. It runs last
// (this file sorts after the other tests'; -run TestKernels selects it),
// so a CI log's tail shows them after TestKernels' long output.
func TestKernelsSummary(t *testing.T) {
	for _, d := range guestDeaths {
		t.Log(d)
	}
	for _, f := range casesFailed {
		t.Log(f)
	}
}
