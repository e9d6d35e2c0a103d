package web

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/fixity"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// TestFixityPageFitsAPhoneInBothLanguages: the system administrator signs
// in on a phone, finds the fixity page from the desk, and reads it in both
// languages without scrolling sideways, with nothing serious for axe-core.
func TestFixityPageFitsAPhoneInBothLanguages(t *testing.T) {
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	seedAdmin(t, store)
	key := "derivatives/9f/86/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/p12.tif"
	found := []fixity.Finding{{Item: "b7k2m9q4x1", File: "หนังสือราชการ-พ.ศ.2475-เล่ม1.tif", Role: "access", Key: key, Outcome: fixity.Damaged, Time: time.Now()},
		{Item: "c8m3n0r5y2", File: "scan001.tif", Role: "master", Key: "blobs/sha256/9f/86/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Outcome: fixity.Missing, Time: time.Now()}}
	st := fixity.State{Report: fixity.Report{Started: time.Now(), Items: 1200, Blobs: 3400, Bytes: 9 << 30, Damaged: 2, Findings: found},
		Last: &fixity.Report{Started: time.Now().Add(-30 * 24 * time.Hour), Ended: time.Now().Add(-29 * 24 * time.Hour), Items: 1180, Blobs: 3300, Bytes: 8 << 30, Unrecorded: 4}}
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Fixity: fixedStatus(st)}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "admin@example.org"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		// The desk links to the page; it is then opened by its address (a
		// click can land while the desk is still being replaced after the
		// sign-in, and chromedp loses the node).
		chromedp.WaitVisible(chromedp.CSS(`a[href="/desk/fixity"]`)),
		chromedp.Navigate(ts.URL+"/desk/fixity"),
		chromedp.WaitVisible(chromedp.CSS("table.items")),
	); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "th"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/desk/fixity?lang="+lang), chromedp.WaitVisible(chromedp.CSS("table.items"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil || !strings.Contains(text, map[string]string{"en": "missing from storage", "th": "ไม่พบในที่จัดเก็บ"}[lang]) {
			t.Errorf("%s page: %v %.300q", lang, err, text)
		}
		checkAccessibility(t, ctx, "/desk/fixity ("+lang+") at 360x640")
		wide, err := sideways(ctx, 360)
		if err != nil || wide {
			t.Errorf("/desk/fixity (%s) at 360x640 scrolls sideways", lang)
		}
		screenshot(t, ctx, "360x640-desk-fixity-"+lang)
	}
}
