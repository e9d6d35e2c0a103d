package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// limiter slows down sign-in attempts by key (an account, an address). The
// first few failures are free; after them each attempt waits, since the
// last, twice as long as the one before, up to a ceiling. It never locks
// anyone out: once the wait is over, the right password gets in. An attempt
// counts before the password is checked (so that concurrent guesses cannot
// all slip in) and is taken back when it succeeds. At most max keys are
// kept: past that, the keys with the fewest failures are forgotten first,
// so no flood of new names can reset the count of the account it aims at.
type limiter struct {
	mu     sync.Mutex
	now    func() time.Time
	free   int           // failures before any wait
	base   time.Duration // the first wait
	ceil   time.Duration // the longest wait
	forget time.Duration // a key quiet this long starts again
	max    int
	keys   map[string]*tries
}

type tries struct {
	n    int // attempts that have not succeeded
	last time.Time
}

func newLimiter() *limiter {
	return &limiter{now: time.Now, free: 5, base: time.Second, ceil: time.Minute, forget: 15 * time.Minute,
		max: 100_000, keys: map[string]*tries{}}
}

// wait is how long after its last attempt a key may try again.
func (l *limiter) wait(tr *tries) time.Duration {
	if tr.n < l.free {
		return 0
	}
	return min(l.base<<min(tr.n-l.free, 20), l.ceil)
}

// attempt counts an attempt for the keys, or reports how long they must
// wait before another (0: go ahead).
func (l *limiter) attempt(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var d time.Duration
	for _, k := range keys {
		tr := l.keys[k]
		if tr == nil {
			continue
		}
		if now.Sub(tr.last) >= l.forget {
			delete(l.keys, k)
			continue
		}
		d = max(d, tr.last.Add(l.wait(tr)).Sub(now))
	}
	if d > 0 {
		return d
	}
	if len(l.keys)+len(keys) > l.max {
		l.sweep(now)
	}
	for _, k := range keys {
		tr := l.keys[k]
		if tr == nil {
			tr = &tries{}
			l.keys[k] = tr
		}
		tr.n++
		tr.last = now
	}
	return 0
}

// succeeded ends the count of the first key (the account signed in to)
// and takes back the attempt of the others (the address: one good
// account does not clear its failures with others).
func (l *limiter) succeeded(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range keys {
		if tr := l.keys[k]; tr != nil && (i == 0 || tr.n <= 1) {
			delete(l.keys, k)
		} else if tr != nil {
			tr.n--
		}
	}
}

// sweep forgets the quiet keys, then those with the fewest failures (the
// oldest first), down to three quarters of max, so that it runs rarely.
func (l *limiter) sweep(now time.Time) {
	type entry struct {
		k string
		*tries
	}
	var all []entry
	for k, tr := range l.keys {
		if now.Sub(tr.last) >= l.forget {
			delete(l.keys, k)
		} else {
			all = append(all, entry{k, tr})
		}
	}
	if len(l.keys) <= l.max*3/4 {
		return
	}
	slices.SortFunc(all, func(a, b entry) int {
		if a.n != b.n {
			return a.n - b.n
		}
		return a.last.Compare(b.last)
	})
	for _, e := range all[:len(all)-l.max*3/4] {
		delete(l.keys, e.k)
	}
}

// Device cookies (OWASP's advice against guessing that slows an account's
// holder down): a browser that signed in to an account keeps a cookie
// naming it, signed with the server's key. Its attempts at that account are
// counted by a key of their own, not by the account's or the address's, so
// guesses from elsewhere never make the holder wait; guesses without the
// cookie are slowed down as before.
const (
	deviceCookie = "archive_device"
	deviceTTL    = 365 * 24 * time.Hour
)

// deviceMAC signs a device cookie's nonce (32 hex digits) for an account.
func (s *Server) deviceMAC(nonce, email string) []byte {
	m := hmac.New(sha256.New, s.deviceKey)
	io.WriteString(m, nonce+email)
	return m.Sum(nil)
}

// device is the limiter key of the browser's device cookie when it was
// given for email, or "" (none, forged, or for another account).
func (s *Server) device(c *gin.Context, email string) string {
	v, err := c.Cookie(deviceCookie)
	nonce, mac, ok := strings.Cut(v, ".")
	if err != nil || !ok || len(nonce) != 32 {
		return ""
	}
	got, err := hex.DecodeString(mac)
	if err != nil || !hmac.Equal(got, s.deviceMAC(nonce, email)) {
		return ""
	}
	return "device:" + nonce
}

// rememberDevice gives the browser a fresh device cookie for email, sent
// back only to the sign-in form.
func (s *Server) rememberDevice(c *gin.Context, email string) {
	var b [16]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	http.SetCookie(c.Writer, &http.Cookie{Name: deviceCookie, Value: nonce + "." + hex.EncodeToString(s.deviceMAC(nonce, email)),
		Path: "/login", MaxAge: int(deviceTTL.Seconds()), HttpOnly: true, Secure: s.secure || c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// deviceKey is the key device cookies are signed with: derived from the
// server's secret, so that no other use of that secret can be asked to
// sign one, or random when there is none.
func deviceKey(secret []byte) []byte {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, "device cookies")
	return m.Sum(nil)
}
