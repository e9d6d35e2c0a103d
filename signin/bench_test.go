package signin

import (
	"context"
	"testing"
)

// The sign-in round trip with each provider, as a browser makes it: the
// archive's redirect, the provider's login form, the answer, its checks and
// the account (found after the first time). Each round is a new browser,
// so the provider asks for the password every time.

func BenchmarkOIDCSignInRoundTrip(b *testing.B) {
	f := newFixture(b, "", "")
	ctx := context.Background()
	for b.Loop() {
		start, state, err := f.svc.Begin(ctx, "cmu", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := f.svc.Callback(ctx, f.oidcAnswer(b, browser(b), start, f.op.Users[0]), state); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSAMLSignInRoundTrip(b *testing.B) {
	f := newFixture(b, "", "")
	ctx := context.Background()
	for b.Loop() {
		start, state, err := f.svc.Begin(ctx, "psu", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(b, browser(b), start, f.idp.Users[1])), state); err != nil {
			b.Fatal(err)
		}
	}
}
