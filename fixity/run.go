package fixity

import (
	"context"
	"time"
)

// Run audits on a schedule until ctx ends: it resumes a pass a stop
// interrupted at once, and begins a new pass Every after the last one
// began (after Delay, at the soonest). A pass that fails is tried again
// from where it stopped a minute later.
func (a *Auditor) Run(ctx context.Context) {
	first := true
	for ctx.Err() == nil {
		st := a.Status()
		var wait time.Duration
		switch {
		case st.Running():
		case st.Last != nil:
			wait = time.Until(st.Last.Started.Add(a.cfg.Every))
		}
		if first && !st.Running() {
			wait = max(wait, a.cfg.Delay)
		}
		first = false
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if _, err := a.Pass(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Error("fixity: the audit stopped; it goes on in a minute from where it was", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Minute):
			}
		}
	}
}
