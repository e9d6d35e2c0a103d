package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("a broken gzip stream: %v", err)
	}
	return out
}

// Pages and JSON go out gzipped to a client that accepts it, the same
// bytes once unpacked, with Vary: Accept-Encoding and an ETag of their own
// that a revalidation may send back; images, ranges and clients that do
// not accept gzip get the bytes as they are.
func TestTextIsSentGzippedToClientsThatAcceptIt(t *testing.T) {
	e := newIIIFEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	for _, path := range []string{"/?lang=en", "/iiif/3/manifest/" + item, "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/static/vendor/mirador.min.js"} {
		plain := e.do(t, "GET", path)
		if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s without Accept-Encoding: %d %q", path, plain.Code, plain.Header().Get("Content-Encoding"))
		}
		z := e.do(t, "GET", path, "Accept-Encoding", "br;q=1, gzip;q=0.8")
		if z.Code != 200 || z.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(z.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s with gzip accepted: %d, Content-Encoding %q, Vary %q", path, z.Code, z.Header().Get("Content-Encoding"), z.Header().Values("Vary"))
			continue
		}
		if z.Header().Get("Content-Length") != "" {
			t.Errorf("%s: the length of the unpacked answer is sent with the packed one", path)
		}
		body := gunzip(t, z.Body.Bytes())
		if !bytes.Equal(body, plain.Body.Bytes()) && !strings.HasPrefix(path, "/?") && !strings.HasPrefix(path, "/oai") { // pages and OAI carry the time or a nonce
			t.Errorf("%s: the unpacked answer differs from the plain one", path)
		}
		if len(body) < 2*z.Body.Len() {
			t.Errorf("%s: %d bytes packed into %d", path, len(body), z.Body.Len())
		}
	}
	for _, ae := range []string{"gzip;q=0", "gzip; Q=0", "identity", "br"} {
		w := e.do(t, "GET", "/?lang=en", "Accept-Encoding", ae)
		if w.Header().Get("Content-Encoding") != "" || !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, Vary %q; want a plain answer that says it varies", ae, w.Header().Get("Content-Encoding"), w.Header().Values("Vary"))
		}
	}

	// The manifest's validators: each representation its own, and either
	// one sent back is recognised.
	path := "/iiif/3/manifest/" + item
	plainTag := e.do(t, "GET", path).Header().Get("ETag")
	zTag := e.do(t, "GET", path, "Accept-Encoding", "gzip").Header().Get("ETag")
	if plainTag == "" || zTag == "" || plainTag == zTag {
		t.Fatalf("ETags plain %q, gzipped %q: want two different ones", plainTag, zTag)
	}
	if w := e.do(t, "GET", path, "Accept-Encoding", "gzip", "If-None-Match", zTag); w.Code != http.StatusNotModified || w.Header().Get("ETag") != zTag || w.Body.Len() != 0 ||
		!strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept-Encoding") {
		t.Errorf("revalidating the gzipped manifest: %d, ETag %q, Vary %q, %d bytes", w.Code, w.Header().Get("ETag"), w.Header().Values("Vary"), w.Body.Len())
	}
	// HEAD says what GET would send.
	if w := e.do(t, "HEAD", path, "Accept-Encoding", "gzip"); w.Header().Get("ETag") != zTag || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Content-Length") != "" {
		t.Errorf("HEAD of the manifest: ETag %q, Content-Encoding %q, Content-Length %q", w.Header().Get("ETag"), w.Header().Get("Content-Encoding"), w.Header().Get("Content-Length"))
	}
	if w := e.do(t, "GET", path, "If-None-Match", plainTag); w.Code != http.StatusNotModified || w.Header().Get("ETag") != plainTag {
		t.Errorf("revalidating the plain manifest: %d, ETag %q", w.Code, w.Header().Get("ETag"))
	}

	// A tile, a range of a file and a small answer pass untouched.
	for _, c := range []struct{ path, rng string }{
		{"/iiif/3/" + e.image + "/full/max/0/default.jpg", ""},
		{"/iiif/3/" + e.image + "/info.json", "bytes=0-99"},
		{"/healthz", ""},
	} {
		w := e.do(t, "GET", c.path, "Accept-Encoding", "gzip", "Range", c.rng)
		if w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s (range %q) was compressed", c.path, c.rng)
		}
	}
}

// FuzzAcceptsGzip: any Accept-Encoding a client sends is read without a
// panic, and gzip with q=0 in any spelling is never taken for acceptance.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "br, gzip;q=0.5", "*;q=0", "GZIP; Q=0.0", ";;,,", "gzip;q=abc", "identity"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ae string) {
		got := acceptsGzip(ae)
		if strings.EqualFold(strings.ReplaceAll(ae, " ", ""), "gzip;q=0") && got {
			t.Fatalf("%q taken as accepting gzip", ae)
		}
	})
}
