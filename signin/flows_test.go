package signin

import (
	"errors"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/thaiarchives/archive/fault"
)

func TestFlowsRefuseANewSignInWhenFullAndTakeEachOnce(t *testing.T) {
	now := time.Now()
	fs := newFlows(func() time.Time { return now })
	fs.max = 2
	a, err := fs.begin(flow{library: "cmu"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.begin(flow{library: "cmu"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.begin(flow{library: "cmu"}); fault.KindOf(err) != fault.Busy {
		t.Fatalf("a third sign-in with room for two: %v, want busy", err)
	}
	if f, ok := fs.take(a); !ok || f.library != "cmu" {
		t.Fatalf("take: %+v %v", f, ok)
	}
	if _, ok := fs.take(a); ok {
		t.Error("a state was taken twice")
	}
	if _, err := fs.begin(flow{library: "cmu"}); err != nil {
		t.Errorf("a sign-in once one was taken: %v", err)
	}
	now = now.Add(flowTTL + time.Second)
	if _, err := fs.begin(flow{library: "cmu"}); err != nil {
		t.Errorf("a sign-in once the others expired: %v", err)
	}
	if len(fs.open) != 1 {
		t.Errorf("%d sign-ins kept after the others expired, want 1", len(fs.open))
	}
}

func TestAnAssertionIDIsTakenOnceUntilItExpires(t *testing.T) {
	now := time.Now()
	fs := newFlows(func() time.Time { return now })
	if err := fs.Consume("id-1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Consume("id-1", now.Add(time.Minute)); !errors.Is(err, saml.ErrAssertionReplayed) {
		t.Errorf("the same assertion again: %v, want it refused as replayed", err)
	}
	now = now.Add(2 * time.Minute)
	if err := fs.Consume("id-2", now.Add(time.Minute)); err != nil || len(fs.taken) != 1 {
		t.Errorf("after the first expired: %v, %d remembered, want only the new one", err, len(fs.taken))
	}
}
