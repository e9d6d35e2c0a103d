package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// probe asks the Auth 2.0 probe of an image, with an access token or none.
func probe(t *testing.T, base, image, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/iiif/auth/probe/"+image, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	return resp.StatusCode, doc
}

var postMessage = regexp.MustCompile(`postMessage\((\{.*?\}), "(.*?)"\)`)

// tokenMessage loads the token service as a viewer's hidden frame at an
// origin does and returns the message it posts and the origin it posts to.
func tokenMessage(t *testing.T, client *http.Client, base, origin string) (map[string]any, string) {
	t.Helper()
	resp, err := client.Get(base + "/iiif/auth/token?messageId=m-1&origin=" + url.QueryEscape(origin))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := postMessage.FindStringSubmatch(string(b))
	if resp.StatusCode != 200 || m == nil || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'sha256-") {
		t.Fatalf("token service: %d %s %v", resp.StatusCode, b, resp.Header)
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(m[1]), &msg); err != nil {
		t.Fatal(err)
	}
	return msg, m[2]
}

func TestAuthFlowProbeTokenAndLogout(t *testing.T) {
	e := newIIIFEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	addUser(t, e.store, "reader@tu.example", "tu", "reader")
	ts := httptest.NewServer(e.srv)
	defer ts.Close()

	// info.json of a restricted image lists the probe with the access,
	// token and logout services inside, and Auth 1.0's login service.
	w := e.do(t, "GET", "/iiif/3/"+e.closed+"/info.json")
	var info struct {
		Context []string `json:"@context"`
		Service []map[string]any
	}
	json.Unmarshal(w.Body.Bytes(), &info)
	if w.Code != 401 || len(info.Service) != 2 || info.Service[0]["type"] != "AuthProbeService2" || info.Context[0] != "http://iiif.io/api/auth/2/context.json" {
		t.Fatalf("info.json of a restricted image: %d %s", w.Code, w.Body)
	}
	access := info.Service[0]["service"].([]any)[0].(map[string]any)
	inner := access["service"].([]any)
	if access["type"] != "AuthAccessService2" || access["profile"] != "active" || access["id"] != "http://example.com/login" ||
		inner[0].(map[string]any)["type"] != "AuthAccessTokenService2" || inner[1].(map[string]any)["type"] != "AuthLogoutService2" {
		t.Fatalf("access service: %v", access)
	}
	// Without a token the probe says 401, with a heading and a note, in an HTTP 200.
	code, doc := probe(t, ts.URL, e.closed, "")
	if code != 200 || doc["type"] != "AuthProbeResult2" || doc["status"] != float64(401) || doc["heading"] == nil || doc["note"] == nil {
		t.Fatalf("probe without a token: %d %v", code, doc)
	}
	// Not signed in, the token service posts an error.
	anon := &http.Client{Jar: &cookieJar{}}
	if msg, origin := tokenMessage(t, anon, ts.URL, ts.URL); msg["type"] != "AuthAccessTokenError2" || msg["profile"] != "missingAspect" || msg["messageId"] != "m-1" || origin != ts.URL {
		t.Fatalf("token for nobody: %v to %s", msg, origin)
	}
	// Signed in, it posts an access token that is not the cookie.
	client, csrf := signedIn(t, ts.URL, "reader@cmu.example")
	msg, _ := tokenMessage(t, client, ts.URL, ts.URL)
	tok, _ := msg["accessToken"].(string)
	if msg["type"] != "AuthAccessToken2" || tok == "" || msg["messageId"] != "m-1" || msg["expiresIn"] == nil {
		t.Fatalf("token message: %v", msg)
	}
	for _, c := range client.Jar.Cookies(nil) {
		if c.Value == tok {
			t.Fatal("the access token is the session cookie")
		}
	}
	if code, doc := probe(t, ts.URL, e.closed, tok); code != 200 || doc["status"] != float64(200) {
		t.Fatalf("probe with the reader's token: %d %v", code, doc)
	}
	// The token opens info.json (Auth 1.0 clients send it there), not writes.
	req, _ := http.NewRequest("GET", ts.URL+"/iiif/3/"+e.closed+"/info.json", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "private") {
		t.Fatalf("info.json with the access token: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	req, _ = http.NewRequest("POST", ts.URL+"/api/v1/batches", strings.NewReader(`{"institution":"cmu"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a write with an access token: %d", resp.StatusCode)
	}
	// A reader of another library learns 403 from the probe.
	other, _ := signedIn(t, ts.URL, "reader@tu.example")
	otherMsg, _ := tokenMessage(t, other, ts.URL, ts.URL)
	if _, doc := probe(t, ts.URL, e.closed, otherMsg["accessToken"].(string)); doc["status"] != float64(403) {
		t.Fatalf("probe for another library's reader: %v", doc)
	}
	// Signing out ends the access token with the session.
	if resp, _ := client.PostForm(ts.URL+"/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if _, doc := probe(t, ts.URL, e.closed, tok); doc["status"] != float64(401) {
		t.Fatalf("probe after logout: %v", doc)
	}
	// A token service that would post to any page is refused a bad origin.
	if resp, _ := client.Get(ts.URL + "/iiif/auth/token?messageId=1&origin=javascript:alert(1)"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("token service with a bad origin: %d", resp.StatusCode)
	}
}

func TestTokenServiceGivesTokensOnlyToKnownOriginsOneEach(t *testing.T) {
	e := newIIIFEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	srv, err := New(withServices(t, Config{Store: e.store, Blobs: e.blobs, Hosts: testHosts, PartnerOrigins: []string{"https://partner.example"}}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, _ := signedIn(t, ts.URL, "reader@cmu.example")
	u, _ := url.Parse(ts.URL)

	// A page on another port of the same host, or on any other site, gets
	// the spec's invalidOrigin error, in both languages, and no token.
	for _, stranger := range []string{"http://" + u.Hostname() + ":1", "http://localhost:" + u.Port(), "https://viewer.example", "https://partner.example:8443"} {
		msg, to := tokenMessage(t, client, ts.URL, stranger)
		heading, _ := msg["heading"].(map[string]any)
		if msg["type"] != "AuthAccessTokenError2" || msg["profile"] != "invalidOrigin" || msg["error"] != "invalidOrigin" || msg["accessToken"] != nil ||
			msg["messageId"] != "m-1" || heading["th"] == nil || heading["en"] == nil || to != stranger {
			t.Errorf("token service for %s: %v posted to %s", stranger, msg, to)
		}
	}
	// The archive's own viewer and the partner's each get one.
	own, _ := tokenMessage(t, client, ts.URL, ts.URL)
	partner, to := tokenMessage(t, client, ts.URL, "HTTPS://Partner.example:443")
	if own["accessToken"] == nil || partner["accessToken"] == nil || to != "https://partner.example" {
		t.Fatalf("known origins: own %v, partner %v posted to %s", own, partner, to)
	}
	status := func(msg map[string]any) any {
		_, doc := probe(t, ts.URL, e.closed, msg["accessToken"].(string))
		return doc["status"]
	}
	if status(own) != float64(200) || status(partner) != float64(200) {
		t.Fatalf("a partner's token ended the archive's own: own %v, partner %v", status(own), status(partner))
	}
	// Asking again at one origin replaces only that origin's token.
	again, _ := tokenMessage(t, client, ts.URL, ts.URL)
	if status(own) != float64(401) || status(again) != float64(200) || status(partner) != float64(200) {
		t.Errorf("after a second own token: first %v, second %v, partner %v", status(own), status(again), status(partner))
	}
	if _, err := New(withServices(t, Config{Store: e.store, Blobs: e.blobs, Hosts: testHosts, PartnerOrigins: []string{"https://partner.example/viewer"}})); err == nil || !strings.Contains(err.Error(), "is not an origin") {
		t.Errorf("a partner origin with a path: %v", err)
	}
}
