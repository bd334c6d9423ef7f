package runtime

import (
	"testing"

	"github.com/gbt-dev/gbt/lang/probe"
)

// TestEveryKindHasAttacher: every probe kind gbt supports is attached by
// a registered attacher, or run once at the start or the end.
func TestEveryKindHasAttacher(t *testing.T) {
	for _, k := range probe.Kinds() {
		if !k.Supported {
			continue
		}
		switch {
		case k.Attach == probe.AttachRunOnce:
			if k.RunAt == probe.RunOnEvent {
				t.Errorf("%s runs once but neither at the start nor at the end", k)
			}
		case attachers[k.Attach] == nil:
			t.Errorf("%s is supported, but nothing attaches its mechanism %v", k, k.Attach)
		}
	}
	for a := range attachers {
		if a == probe.AttachNone || a == probe.AttachRunOnce {
			t.Errorf("an attacher is registered for %v", a)
		}
	}
}
