package vmtest

import (
	"slices"
	"testing"
)

// TestRunRebooting drives RunRebooting's boots with a fake guest that
// dies during the jobs a table names, boot by boot.
func TestRunRebooting(t *testing.T) {
	jobs := []Job{{Name: "before"}, {Name: "crash"}, {Name: "always"}, {Name: "after"}}
	tests := []struct {
		name string
		// dies is, for each boot, the job it dies during ("" for none,
		// "boot" while booting, before the first job it was given).
		dies       []string
		wantDeaths []string
		wantRun    []string // the jobs with a result
		wantErr    bool
	}{
		{name: "no death", dies: []string{""}, wantRun: []string{"after", "always", "before", "crash"}},
		{name: "one death", dies: []string{"crash", ""}, wantDeaths: []string{"crash"}, wantRun: []string{"after", "always", "before", "crash"}},
		// A job that kills the guest twice is given up on; the jobs after
		// it still run.
		{name: "a killer job", dies: []string{"crash", "always", "always", ""}, wantDeaths: []string{"crash", "always", "always"},
			wantRun: []string{"after", "before", "crash"}},
		// A death while booting is blamed on no job: the job that killed
		// the guest once is run again after it.
		{name: "a death at boot", dies: []string{"crash", "boot", ""}, wantDeaths: []string{"crash", ""},
			wantRun: []string{"after", "always", "before", "crash"}},
		// Four boots at most: a fifth is never made.
		{name: "too many deaths", dies: []string{"before", "crash", "always", "after"}, wantDeaths: []string{"before", "crash", "always", "after"},
			wantRun: []string{"always", "before", "crash"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			boots := 0
			boot := func(js []Job) (*Run, error) {
				if boots >= len(tt.dies) {
					t.Fatalf("boot %d: the table has %d", boots+1, len(tt.dies))
				}
				die := tt.dies[boots]
				boots++
				r := &Run{Results: map[string]Result{}}
				if die == "boot" {
					var missing []string
					for _, m := range js {
						missing = append(missing, m.Name)
					}
					return r, &GuestDiedError{Missing: missing}
				}
				for i, j := range js {
					if j.Name == die {
						var missing []string
						for _, m := range js[i:] {
							missing = append(missing, m.Name)
						}
						r.Died = die
						return r, &GuestDiedError{Job: die, Missing: missing}
					}
					r.Results[j.Name] = Result{}
				}
				return r, nil
			}
			run, deaths, err := runRebooting(jobs, boot)
			var got []string
			for _, d := range deaths {
				got = append(got, d.Job)
			}
			if !slices.Equal(got, tt.wantDeaths) {
				t.Errorf("deaths during %q, want %q", got, tt.wantDeaths)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want one: %v", err, tt.wantErr)
			}
			var ran []string
			for name := range run.Results {
				ran = append(ran, name)
			}
			slices.Sort(ran)
			if !slices.Equal(ran, tt.wantRun) {
				t.Errorf("results for %q, want %q", ran, tt.wantRun)
			}
		})
	}
}
