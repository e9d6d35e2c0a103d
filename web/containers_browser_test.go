package web

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// TestBoxesFitAPhoneAndABoxIsMovedFromOne: cmu's archivist signs in on a
// phone, opens the library's boxes and Box 12 in both languages without
// scrolling sideways, and moves the box with the page's form.
func TestBoxesFitAPhoneAndABoxIsMovedFromOne(t *testing.T) {
	blobs, _ := local.Open(t.TempDir())
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	addUser(t, store, "archivist@cmu.example", "cmu", "archivist")
	box := withBoxes(t, store)
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx := browserAt(t, 360, 640)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/desk/boxes"]`)),
	); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "th"} {
		for path, want := range map[string]string{"/desk/boxes": map[string]string{"en": "Shelf location", "th": "ที่ตั้งบนชั้น"}[lang],
			"/desk/boxes/" + box.ID: map[string]string{"en": "Folder 3", "th": "แฟ้ม 3"}[lang]} {
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("table.items"))); err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil || !strings.Contains(text, want) {
				t.Errorf("%s (%s) lacks %q: %v %.300q", path, lang, want, err, text)
			}
			checkAccessibility(t, ctx, path+" ("+lang+") at 360x640")
			wide, err := sideways(ctx, 360)
			if err != nil || wide {
				t.Errorf("%s (%s) at 360x640 scrolls sideways", path, lang)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/desk/boxes/"+box.ID+"?lang=th"), chromedp.WaitVisible(chromedp.ID("location-new"))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "360x640-desk-box-th")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("location-new"), "ชั้น B-7"), chromedp.Submit(chromedp.ID("location-new"))); err != nil {
		t.Fatal(err)
	}
	// The page the move leads back to says where the box is now; a poll
	// that began on the page being left is asked again on the next.
	moved := `document.getElementById("location")?.innerText === "ชั้น B-7"`
	for deadline := time.Now().Add(15 * time.Second); ; {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](moved, chromedp.WithPollingTimeout(5*time.Second)))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the move the page does not say the box is at ชั้น B-7: %v", err)
		}
	}
	if got, _ := store.Container(box.ID); got.Location != "ชั้น B-7" {
		t.Fatalf("the box is at %q", got.Location)
	}
}
