package fixity

import (
	"context"
	"time"
)

// Pace holds reading to a rate in bytes per second. It lets a burst of up
// to a second's worth through after a pause (a slow blob, an idle moment)
// but no more, so readers of tiles never meet a long run at full speed.
type Pace struct {
	rate float64
	next time.Time // when the bytes read so far are due
}

// NewPace bounds reading to rate bytes per second; 0 or less: no bound
// (a nil Pace, whose wait returns at once).
func NewPace(rate int64) *Pace {
	if rate <= 0 {
		return nil
	}
	return &Pace{rate: float64(rate), next: time.Now()}
}

// wait accounts for n bytes read and sleeps until they are due.
func (p *Pace) wait(ctx context.Context, n int) error {
	if p == nil {
		return nil
	}
	now := time.Now()
	if p.next.Before(now.Add(-time.Second)) {
		p.next = now.Add(-time.Second)
	}
	p.next = p.next.Add(time.Duration(float64(n) / p.rate * float64(time.Second)))
	d := p.next.Sub(now)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
