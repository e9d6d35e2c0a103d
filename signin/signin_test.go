package signin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// users counts the accounts of the store.
func users(t *testing.T, f *fixture) int {
	t.Helper()
	us, err := f.store.Users("")
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

// refusedWith checks that err refuses a sign-in with a message saying why.
func refusedWith(t *testing.T, err error, kind fault.Kind, why string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the sign-in was accepted; want it refused (%s)", why)
	}
	if fault.KindOf(err) != kind || !strings.Contains(err.Error(), why) {
		t.Fatalf("refused with %v (kind %v), want kind %v saying %q", err, fault.KindOf(err), kind, why)
	}
	t.Logf("refused (%v): %v", kind, err) // with -v, the list of what was refused and why
}

func TestOIDCSignInMakesAnAccountOnceAndFindsItBySubjectAfterTheDeskChangedEmailAndRole(t *testing.T) {
	f := newFixture(t, "*=archivist", "")
	ctx := context.Background()
	who := f.op.Users[0]
	start, state, err := f.svc.Begin(ctx, "cmu", "/desk")
	if err != nil {
		t.Fatal(err)
	}
	u, landing, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if landing.Next != "/desk" || u.Email != who.Mail || u.Name != who.DisplayName || u.Institution != "cmu" || u.Role != "archivist" {
		t.Errorf("account %+v, next %q; want %s, %s of cmu, archivist, next /desk", u, landing.Next, who.Mail, who.DisplayName)
	}
	if len(u.SignInLinks) != 1 || u.SignInLinks[0].Subject != who.Principal {
		t.Errorf("links %+v, want the subject %q", u.SignInLinks, who.Principal)
	}
	// The address and the role change at the desk; the provider's subject
	// still finds the account, whose address follows the provider's again
	// and whose role stays the desk's.
	u.Email, u.Role = "renamed@example.org", "reader"
	if err := f.store.SaveUser(ctx, u, "tester"); err != nil {
		t.Fatal(err)
	}
	start, state, _ = f.svc.Begin(ctx, "cmu", "")
	again, _, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	if err != nil {
		t.Fatalf("second sign-in: %v", err)
	}
	if again.ID != u.ID || again.Email != who.Mail || again.Role != "reader" {
		t.Errorf("second sign-in as %s (%s, %s), want the same account %s with %s, reader", again.ID, again.Email, again.Role, u.ID, who.Mail)
	}
	if n := users(t, f); n != 1 {
		t.Errorf("%d accounts after two sign-ins of one person, want 1", n)
	}
}

func TestOIDCRefusesWrongStateReplayedCodeAndWrongNonceMakingNoAccount(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.op.Users[1]

	start, state, _ := f.svc.Begin(ctx, "cmu", "")
	_, otherState, _ := f.svc.Begin(ctx, "cmu", "")
	q := f.oidcAnswer(t, browser(t), start, who)
	_, _, err := f.svc.Callback(ctx, q, otherState)
	refusedWith(t, err, fault.Unauthenticated, "not the sign-in this browser began")

	forged := map[string][]string{"state": {"made-up"}, "code": q["code"]}
	_, _, err = f.svc.Callback(ctx, forged, "made-up")
	refusedWith(t, err, fault.Unauthenticated, "unknown, expired or already used")

	if _, _, err := f.svc.Callback(ctx, q, state); err != nil {
		t.Fatalf("the right state was refused: %v", err)
	}
	_, _, err = f.svc.Callback(ctx, q, state)
	refusedWith(t, err, fault.Unauthenticated, "already used")

	// A nonce that is not the one the ID token carries.
	if err := f.store.SaveUser(ctx, &repository.User{ID: "", Email: "x@example.org", Institution: "psu", Role: "reader"}, "tester"); err != nil {
		t.Fatal(err)
	}
	before := users(t, f)
	start, state, _ = f.svc.Begin(ctx, "cmu", "")
	f.svc.flows.mu.Lock()
	fl := f.svc.flows.open[state]
	fl.nonce = "another-nonce"
	f.svc.flows.open[state] = fl
	f.svc.flows.mu.Unlock()
	_, _, err = f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, f.op.Users[0]), state)
	refusedWith(t, err, fault.Unauthenticated, "nonce")
	if n := users(t, f); n != before {
		t.Errorf("%d accounts after refused sign-ins, want %d", n, before)
	}
}

func TestSAMLSignInMapsTheAffiliationToARole(t *testing.T) {
	f := newFixture(t, "", "faculty=archivist,student=reader")
	ctx := context.Background()
	for _, c := range []struct {
		n    int
		role string
	}{{0, "archivist"}, {1, "reader"}} {
		who := f.idp.Users[c.n]
		start, state, err := f.svc.Begin(ctx, "psu", "/")
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
		if err != nil {
			t.Fatalf("%s's sign-in: %v", who.Name, err)
		}
		if u.Email != who.Mail || u.Name != who.DisplayName || u.Institution != "psu" || u.Role != c.role || u.SignInLinks[0].Subject != who.Principal {
			t.Errorf("%s's account %+v, want %s, %s, psu, %s, subject %s", who.Name, u, who.Mail, who.DisplayName, c.role, who.Principal)
		}
	}
}

func TestDisabledAccountStaysOutWhileTheProviderVouches(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.idp.Users[1]
	start, state, _ := f.svc.Begin(ctx, "psu", "")
	u, _, err := f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	if err := f.store.SaveUser(ctx, u, "tester"); err != nil {
		t.Fatal(err)
	}
	start, state, _ = f.svc.Begin(ctx, "psu", "")
	_, _, err = f.svc.ACS(ctx, f.acsRequest(f.samlAnswer(t, browser(t), start, who)), state)
	refusedWith(t, err, fault.Forbidden, "disabled")
	if n := users(t, f); n != 1 {
		t.Errorf("%d accounts, want the one disabled", n)
	}
}

// tamper changes the XML of a SAML response.
func tamper(t *testing.T, fields map[string][]string, from, to string) {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(fields["SAMLResponse"][0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), from) {
		t.Fatalf("the response does not hold %q", from)
	}
	fields["SAMLResponse"] = []string{base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(b), from, to, 1)))}
}

func TestSAMLRefusesBrokenSignatureWrongAudienceReplayAndExpiryMakingNoAccount(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.idp.Users[1]
	c := browser(t) // signed in at the IdP once, then by its session

	start, state, _ := f.svc.Begin(ctx, "psu", "")
	fields := f.samlAnswer(t, c, start, who)
	tamper(t, fields, who.Mail, "mallory@psu.example.ac.th")
	_, _, err := f.svc.ACS(ctx, f.acsRequest(fields), state)
	refusedWith(t, err, fault.Unauthenticated, "does not verify")

	start, state, _ = f.svc.Begin(ctx, "psu", "")
	fields = f.samlAnswer(t, c, start, who)
	right := f.svc.sp.entityID
	f.svc.sp.entityID = f.base + "/elsewhere/saml/metadata"
	_, _, err = f.svc.ACS(ctx, f.acsRequest(fields), state)
	f.svc.sp.entityID = right
	refusedWith(t, err, fault.Unauthenticated, "AudienceRestriction")

	start, state, _ = f.svc.Begin(ctx, "psu", "")
	fields = f.samlAnswer(t, c, start, who)
	f.svc.sp.now = func() time.Time { return time.Now().Add(time.Hour) }
	_, _, err = f.svc.ACS(ctx, f.acsRequest(fields), state)
	f.svc.sp.now = time.Now
	refusedWith(t, err, fault.Unauthenticated, "expired")

	if n := users(t, f); n != 0 {
		t.Fatalf("%d accounts after refused answers, want none", n)
	}

	// A good answer is taken once: posted again, or under a new sign-in.
	start, state, _ = f.svc.Begin(ctx, "psu", "")
	fields = f.samlAnswer(t, c, start, who)
	if _, _, err := f.svc.ACS(ctx, f.acsRequest(fields), state); err != nil {
		t.Fatalf("the untouched answer was refused: %v", err)
	}
	_, _, err = f.svc.ACS(ctx, f.acsRequest(fields), state)
	refusedWith(t, err, fault.Unauthenticated, "already used")
	_, fresh, _ := f.svc.Begin(ctx, "psu", "")
	fields["RelayState"] = []string{fresh}
	_, _, err = f.svc.ACS(ctx, f.acsRequest(fields), fresh)
	refusedWith(t, err, fault.Unauthenticated, "does not verify")
}

func TestLinkingALocalAccountMakesTheUniversityPersonSignInAsIt(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	local := &repository.User{Email: "doctor@cmu.example", Institution: "cmu", Role: "archivist"}
	other := &repository.User{Email: "someone@psu.example", Institution: "psu", Role: "reader"}
	for _, u := range []*repository.User{local, other} {
		if err := f.store.SaveUser(ctx, u, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.svc.BeginLink(ctx, "cmu", other, ""); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("linking another library's account: %v, want forbidden", err)
	}
	who := f.op.Users[0]
	start, state, err := f.svc.BeginLink(ctx, "cmu", local, "/desk")
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	if err != nil {
		t.Fatalf("linking: %v", err)
	}
	if u.ID != local.ID || u.Email != local.Email || u.Role != "archivist" || len(u.SignInLinks) != 1 || u.SignInLinks[0].Subject != who.Principal {
		t.Errorf("linked account %+v, want %s (%s) with the subject %s", u, local.ID, local.Email, who.Principal)
	}
	start, state, _ = f.svc.Begin(ctx, "cmu", "")
	again, _, err := f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	if err != nil || again.ID != local.ID {
		t.Fatalf("signing in after linking: %v, %+v; want the local account %s", err, again, local.ID)
	}
	// The person is linked already: another account cannot take them.
	second := &repository.User{Email: "second@cmu.example", Institution: "cmu", Role: "reader"}
	if err := f.store.SaveUser(ctx, second, "tester"); err != nil {
		t.Fatal(err)
	}
	start, state, _ = f.svc.BeginLink(ctx, "cmu", second, "")
	_, _, err = f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	refusedWith(t, err, fault.Conflict, "already linked to another account")
	if n := users(t, f); n != 3 {
		t.Errorf("%d accounts, want the 3 made here", n)
	}
}

// tamperTokens changes the ID tokens the provider's token endpoint answers
// with, on their way to the archive.
type tamperTokens struct {
	next   http.RoundTripper
	change func(idToken string) string
}

func (tt tamperTokens) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := tt.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/token") {
		return resp, err
	}
	var body map[string]any
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if tok, ok := body["id_token"].(string); ok {
		body["id_token"] = tt.change(tok)
	}
	out, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// breakSignature changes one letter of a token's signature.
func breakSignature(tok string) string {
	parts := strings.Split(tok, ".") // header, claims, signature
	sig := []byte(parts[len(parts)-1])
	if sig[len(sig)/2] == 'A' { // another base64url letter: another signature
		sig[len(sig)/2] = 'B'
	} else {
		sig[len(sig)/2] = 'A'
	}
	parts[len(parts)-1] = string(sig)
	return strings.Join(parts, ".")
}

func TestOIDCRefusesAnIDTokenWithABrokenSignatureOrExpired(t *testing.T) {
	f := newFixture(t, "", "")
	ctx := context.Background()
	who := f.op.Users[0]
	o := f.svc.libs["cmu"].oidc

	o.client = &http.Client{Transport: tamperTokens{http.DefaultTransport, breakSignature}}
	start, state, err := f.svc.Begin(ctx, "cmu", "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	refusedWith(t, err, fault.Unauthenticated, "the id token does not verify")
	o.client = http.DefaultClient

	o.now = func() time.Time { return time.Now().Add(24 * time.Hour) }
	start, state, _ = f.svc.Begin(ctx, "cmu", "")
	_, _, err = f.svc.Callback(ctx, f.oidcAnswer(t, browser(t), start, who), state)
	refusedWith(t, err, fault.Unauthenticated, "expired")
	if n := users(t, f); n != 0 {
		t.Errorf("%d accounts after refused tokens, want none", n)
	}
}
