package signin

import (
	"testing"
	"time"

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
