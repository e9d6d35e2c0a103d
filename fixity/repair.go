package fixity

import (
	"context"
	"errors"
	"fmt"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// Target is the store a repair mends: read to check, written to restore.
type Target interface {
	Source
	storage.Receiver
}

// Mend is what became of one finding.
type Mend struct {
	Finding
	Err error // nil: restored and read back as registered
}

// Repair restores each finding's blob from a second store (a backup
// folder, another bucket): the copy is streamed into dst with the
// registered digest as the put's expectation, so a copy that is damaged
// too is refused and nothing is replaced; the result is then read back.
// Each repaired item gets an event saying what was restored from where.
func Repair(ctx context.Context, dst Target, src storage.Fetcher, from string, findings []Finding, rec Recorder, agent string) []Mend {
	var out []Mend
	for _, f := range findings {
		m := Mend{Finding: f, Err: restore(ctx, dst, src, f)}
		out = append(out, m)
		if rec != nil {
			ev := repository.Event{Object: f.Item, Type: "fixity repair", Agent: agent, Outcome: "success",
				Detail: fmt.Sprintf("%s (%s of %s) was %s; restored from %s, sha256 %s checked", f.Key, f.Role, f.File, f.Outcome, from, f.SHA256)}
			if m.Err != nil {
				ev.Outcome, ev.Detail = "failure", fmt.Sprintf("%s (%s of %s) was %s; not restored from %s: %v", f.Key, f.Role, f.File, f.Outcome, from, m.Err)
			}
			if err := rec.Record(ctx, ev); err != nil && m.Err == nil {
				out[len(out)-1].Err = fmt.Errorf("restored, but the event was not recorded: %w", err)
			}
		}
	}
	return out
}

// Recorder records an item's events.
type Recorder interface {
	Record(ctx context.Context, events ...repository.Event) error
}

// ErrNoDigest: a blob registered without a digest cannot be restored,
// since no copy could be checked.
var ErrNoDigest = errors.New("no digest was registered for it, so no copy can be checked")

func restore(ctx context.Context, dst Target, src storage.Fetcher, f Finding) error {
	if !storage.IsHexDigest(f.SHA256) || f.Outcome == Unrecorded {
		return ErrNoDigest
	}
	rc, err := src.Get(ctx, f.Key, 0, -1)
	if errors.Is(err, fault.NotFound) {
		return fmt.Errorf("the second store has no copy of it: %w", err)
	}
	if err != nil {
		return err
	}
	_, err = dst.Put(ctx, f.Key, rc, storage.PutOptions{SHA256: f.SHA256, Size: f.Size})
	rc.Close()
	if errors.Is(err, fault.Checksum) {
		return fmt.Errorf("the second store's copy is not as registered either (nothing was replaced): %w", err)
	}
	if err != nil {
		return err
	}
	sum, n, err := digest(ctx, dst, f.Key, nil)
	if err != nil {
		return fmt.Errorf("restored, but reading it back failed: %w", err)
	}
	if sum != f.SHA256 || f.Size > 0 && n != f.Size {
		return fmt.Errorf("restored, but it reads back as sha256 %s: the store damages what it is given", sum)
	}
	return nil
}

// Problems checks items now, without pacing, and returns what is not as
// registered (for repairing named items).
func Problems(ctx context.Context, blobs Source, items []*repository.Item) ([]Finding, error) {
	var out []Finding
	for _, it := range items {
		results, _, err := Check(ctx, blobs, it, nil)
		if err != nil {
			return out, err
		}
		for _, r := range results {
			if r.Outcome != OK && r.Outcome != Unrecorded {
				out = append(out, r.Finding)
			}
		}
	}
	return out, nil
}

// Unmended returns the findings of the pass under way and the last
// complete one, each blob once: what repair mends by default.
func (a *Auditor) Unmended() []Finding {
	st := a.Status()
	seen := map[string]bool{}
	var out []Finding
	add := func(fs []Finding) {
		for _, f := range fs {
			if !seen[f.Key] {
				seen[f.Key] = true
				out = append(out, f)
			}
		}
	}
	add(st.Findings)
	if st.Last != nil {
		add(st.Last.Findings)
	}
	return out
}
