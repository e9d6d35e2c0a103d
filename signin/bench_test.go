package signin

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// The SAML sign-out round trip: the signed LogoutRequest, the IdP ending its
// session and answering, and the answer verified. Each round signs a new
// browser in first, untimed.
func BenchmarkSAMLSignOutRoundTrip(b *testing.B) {
	f := newFixture(b, "", "")
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		c := browser(b)
		start, state, err := f.svc.Begin(ctx, "psu", "")
		if err != nil {
			b.Fatal(err)
		}
		_, landing, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(b, c, start, f.idp.Users[1])), state)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		to, err := f.svc.Logout(ctx, landing.From)
		if err != nil {
			b.Fatal(err)
		}
		back := fetch(b, c, http.MethodGet, to, nil).url
		if _, err := f.svc.SLO(ctx, httptest.NewRequest(http.MethodGet, back.String(), nil)); err != nil {
			b.Fatal(err)
		}
	}
}
