package runtime

import "testing"

func TestReleaseAtLeast(t *testing.T) {
	for _, c := range []struct {
		release string
		want    bool
	}{
		{"6.18.44-fc-v1045", true},
		{"5.11.0", true},
		{"5.10.0-27-amd64", false},
		{"4.18.0-553.el8_10.x86_64", false},
		{"10.0", true},
		{"garbage", false},
	} {
		if got := releaseAtLeast(c.release, 5, 11); got != c.want {
			t.Errorf("releaseAtLeast(%q, 5, 11) = %v, want %v", c.release, got, c.want)
		}
	}
}
