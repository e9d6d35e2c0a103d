package web

import (
	"context"
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/ark"
)

// Browser tests: real headless Chromium (Debian chromium) against the real
// handler on a loopback port.

func browser(t *testing.T) context.Context {
	t.Helper()
	return browserAt(t, 1280, 900)
}

// browserAt starts Chromium with a window of w×h CSS pixels.
func browserAt(t *testing.T, w, h int) context.Context {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("chromium is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("chromium not installed (Debian chromium)")
	}
	if !viewerBuilt() {
		t.Fatal("the viewer bundle is not built: run npm ci --prefix web/ui && npm run build --prefix web/ui")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.WindowSize(w, h),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil { // starts the browser; chromedp enables the network domain
		t.Fatalf("starting chromium: %v", err)
	}
	// A window is at least 500 px wide: narrower is a phone, emulated.
	if w < 500 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

// sideways reports whether the page is wider than a screen w px wide. A
// phone's layout widens to what sticks out of it, so the page's own
// innerWidth does not tell.
func sideways(ctx context.Context, w int) (bool, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.documentElement.scrollWidth > %d`, w+1)))
}

// netlog records the responses the page receives.
type netlog struct {
	mu   sync.Mutex
	seen map[string]int
}

func watch(ctx context.Context) *netlog {
	n := &netlog{seen: map[string]int{}}
	chromedp.Listen(ctx, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok {
			n.mu.Lock()
			n.seen[r.Response.URL] = int(r.Response.Status)
			n.mu.Unlock()
		}
	})
	return n
}

// reset forgets the responses seen so far.
func (n *netlog) reset() {
	n.mu.Lock()
	clear(n.seen)
	n.mu.Unlock()
}

// poll reports whether a response matching ok arrives within 45 s.
func (n *netlog) poll(ok func(url string, status int) bool) bool {
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		n.mu.Lock()
		for u, st := range n.seen {
			if ok(u, st) {
				n.mu.Unlock()
				return true
			}
		}
		n.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
	return false
}

// waitFor polls until a response matching ok has arrived, or fails.
func (n *netlog) waitFor(t *testing.T, what string, ok func(url string, status int) bool) {
	t.Helper()
	if n.poll(ok) {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for u, st := range n.seen {
		t.Logf("seen %d %s", st, u)
	}
	t.Fatalf("no %s within 45 s; responses: %d", what, len(n.seen))
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ARCHIVE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".jpg")
	os.WriteFile(path, png, 0o644)
	t.Logf("screenshot: %s", path)
}

func serveEnv(t *testing.T) (*iiifEnv, string) {
	e := newIIIFEnv(t)
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	return e, ts.URL
}

// isImage matches any image of the image service (a small viewer may draw
// the whole image from one request).
func isImage(image string) func(string, int) bool {
	return func(u string, st int) bool {
		return st == 200 && strings.Contains(u, "/iiif/3/"+image+"/") && strings.HasSuffix(u, "/default.jpg")
	}
}

func isTile(image string) func(string, int) bool {
	return func(u string, st int) bool {
		return st == 200 && strings.Contains(u, "/iiif/3/"+image+"/") && strings.HasSuffix(u, "/default.jpg") && !strings.Contains(u, "/full/")
	}
}

func TestScholarOpensAnItemAndTheViewerLoadsTiles(t *testing.T) {
	e, base := serveEnv(t)
	ctx := browser(t)
	net := watch(ctx)
	item := strings.TrimSuffix(e.image, "-1")
	for _, lang := range []string{"en", "th"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+item+"?lang="+lang), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
			t.Fatal(err)
		}
		net.waitFor(t, "manifest", func(u string, st int) bool { return st == 200 && strings.HasSuffix(u, "/iiif/3/manifest/"+item) })
		net.waitFor(t, "info.json", func(u string, st int) bool { return st == 200 && strings.HasSuffix(u, "/iiif/3/"+e.image+"/info.json") })
		net.waitFor(t, "image tile", isTile(e.image))
		screenshot(t, ctx, "item-"+lang)
		// The viewer speaks the page's language (its zoom button, for one).
		want := map[string]string{"en": "Zoom in", "th": "ขยาย"}[lang]
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#viewer button[aria-label="`+want+`"]`))); err != nil {
			t.Errorf("the %s viewer has no %q button: %v", lang, want, err)
		}
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if h1 != "Quadrants" {
		t.Errorf("item title %q", h1)
	}
}

func TestLanguageSwitchChangesLabelsAndSticks(t *testing.T) {
	_, base := serveEnv(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	h2, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h2")))
	if h2 != "Libraries" {
		t.Fatalf("English heading %q", h2)
	}
	screenshot(t, ctx, "home-en")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang="th"]`))); err != nil {
		t.Fatal(err)
	}
	h2, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h2")))
	if h2 != "ห้องสมุด" {
		t.Fatalf("Thai heading %q", h2)
	}
	screenshot(t, ctx, "home-th")
	// The choice sticks without the parameter.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/libraries/cmu")); err != nil {
		t.Fatal(err)
	}
	h2, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".crumbs a")))
	if h2 != "หน้าแรก" {
		t.Fatalf("after switching, a new page says %q", h2)
	}
}

func TestEmbedRendersInAnIframeOnAnotherOrigin(t *testing.T) {
	e, base := serveEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html><body><h1>Partner library</h1><iframe id="f" src="%s/embed/%s?lang=%s" width="800" height="500"></iframe></body></html>`,
			base, item, r.URL.Query().Get("lang"))
	}))
	t.Cleanup(partner.Close)
	if strings.Split(partner.URL, ":")[2] == strings.Split(base, ":")[2] {
		t.Fatal("the partner must be another origin")
	}
	ctx := browser(t)
	net := watch(ctx)
	for _, lang := range []string{"en", "th"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(partner.URL+"?lang="+lang)); err != nil {
			t.Fatal(err)
		}
		net.waitFor(t, "embed page", func(u string, st int) bool { return st == 200 && strings.HasSuffix(u, "/embed/"+item+"?lang="+lang) })
		net.waitFor(t, "image tile inside the iframe", isTile(e.image))
		screenshot(t, ctx, "embed-"+lang)
	}
}

func TestArchivistSignsInAndUploadsTwoImages(t *testing.T) {
	e, base := serveEnv(t)
	dir := t.TempDir()
	var files []string
	for i, c := range []string{"red", "blue"} {
		p := filepath.Join(dir, c+".jpg")
		col := map[string][3]uint8{"red": {220, 20, 20}, "blue": {20, 20, 220}}[c]
		os.WriteFile(p, jpegBytes(rgba(col)), 0o644)
		files = append(files, p)
		_ = i
	}
	addUser(t, e.store, "archivist@tu.example", "tu", "archivist")
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk?lang=en"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@tu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".uppy-Dashboard")),
		chromedp.SetValue(chromedp.ID("institution"), "tu"),
		chromedp.SetUploadFiles(chromedp.CSS(".uppy-Dashboard-input"), files),
		chromedp.WaitVisible(chromedp.CSS(".uppy-StatusBar-actionBtn--upload")),
		chromedp.Click(chromedp.CSS(".uppy-StatusBar-actionBtn--upload")),
		chromedp.WaitVisible(chromedp.CSS(`#report[data-done="1"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("progress").dataset.value`))
	if status != "100" {
		t.Fatalf("upload progress ended at %s%%", status)
	}
	screenshot(t, ctx, "desk-upload")
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#report a')).map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 {
		t.Fatalf("report links %v", links)
	}
	// Progress says how many files are in and how fast pixels went in.
	rate, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('rate').textContent`))
	if err != nil || !strings.HasPrefix(rate, "2 of 2 files in") || !strings.HasSuffix(rate, " megapixels/s") {
		t.Errorf("progress %q (%v)", rate, err)
	}
	// The uploader speaks Thai on a Thai page.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/desk?lang=th"), chromedp.WaitVisible(chromedp.CSS(".uppy-Dashboard"))); err != nil {
		t.Fatal(err)
	}
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`/[\u0E00-\u0E7F]/.test(window.archiveUppy.i18n("uploadXFiles", {smart_count: 2}))`)); err != nil || !ok {
		t.Errorf("the uploader on a Thai page does not speak Thai: %v", err)
	}
	item := strings.TrimPrefix(links[0], "/items/")
	it, err := e.store.Item(item)
	if err != nil || it.Institution != "tu" {
		t.Fatalf("uploaded item: %+v %v", it, err)
	}
	net := watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+links[0])); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "tile of the uploaded image", isTile(item+"-1"))
}

func rgba(c [3]uint8) color.RGBA { return color.RGBA{c[0], c[1], c[2], 255} }

// TestReaderSignsInThroughTheViewerAndSeesARestrictedImage: Mirador opens a
// restricted item, meets the refusal with its sign-in services, the reader
// signs in through the access service's window, and the tiles then load.
func TestReaderSignsInThroughTheViewerAndSeesARestrictedImage(t *testing.T) {
	e, base := serveEnv(t)
	addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	ctx := browser(t)
	net := watch(ctx)
	item := strings.TrimSuffix(e.closed, "-1")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/items/"+item+"?lang=en"), chromedp.WaitVisible(chromedp.ID("viewer"))); err != nil {
		t.Fatal(err)
	}
	net.waitFor(t, "the stub manifest", func(u string, st int) bool { return st == 200 && strings.HasSuffix(u, "/iiif/3/manifest/"+item) })
	net.waitFor(t, "a refused thumbnail", func(u string, st int) bool {
		return st == http.StatusUnauthorized && strings.Contains(u, "/iiif/3/"+e.closed+"/")
	})
	// Mirador's authentication bar: "Continue", then the access service's confirm label.
	cont := chromedp.JSPath(`[...document.querySelectorAll('#viewer [role=button]')].find(b => b.textContent.includes('Continue'))`)
	confirm := chromedp.JSPath(`[...document.querySelectorAll('#viewer button')].find(b => b.textContent.includes('Sign in /'))`)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(cont), chromedp.Click(cont)); err != nil {
		t.Fatalf("no sign-in bar in the viewer: %v", err)
	}
	screenshot(t, ctx, "auth-bar")
	popup := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/login") })
	if err := chromedp.Do(ctx, chromedp.WaitVisible(confirm), chromedp.Click(confirm)); err != nil {
		t.Fatal(err)
	}
	var id target.ID
	select {
	case id = <-popup:
	case <-ctx.Done():
		t.Fatal("the access service's window did not open")
	}
	win, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer cancel()
	if err := chromedp.Do(win,
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "reader@cmu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
	); err != nil {
		t.Fatalf("signing in in the access service's window: %v", err)
	}
	net.waitFor(t, "a tile of the restricted image", isTile(e.closed))
	screenshot(t, ctx, "auth-signed-in")
}

// TestPagesWorkFromAPhoneToAWallScreen: at every size the item page and the
// embed draw tiles, and no page scrolls sideways, the item's ARK and its
// citation's address among them.
func TestPagesWorkFromAPhoneToAWallScreen(t *testing.T) {
	e, base := serveEnv(t)
	item := strings.TrimSuffix(e.image, "-1")
	e.store.ARKs, _ = ark.NewMinter(ark.TestNAAN, nil)
	if n, err := e.store.MintARKs(context.Background(), "test", nil); err != nil || n == 0 {
		t.Fatalf("minting the ARKs: %d, %v", n, err)
	}
	for _, size := range [][2]int{{360, 640}, {800, 600}, {1366, 900}} {
		ctx := browserAt(t, size[0], size[1])
		// The exact viewport (a desktop window has a minimum width); a phone's is mobile.
		var opts []chromedp.EmulateViewportOption
		if size[0] < 600 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size[0]), int64(size[1]), opts...)); err != nil {
			t.Fatal(err)
		}
		net := watch(ctx)
		for _, lang := range []string{"en", "th"} {
			for _, p := range []string{"/", "/items/" + item, "/search?q=quadrants", "/login", "/embed/" + item} {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					t.Fatal(err)
				}
				drawn := !strings.Contains(p, item) || net.poll(isImage(e.image))
				net.reset()
				if size[0] == 360 || size[0] == 1366 {
					checkAccessibility(t, ctx, fmt.Sprintf("%s (%s) at %dx%d", p, lang, size[0], size[1]))
				}
				wide, err := sideways(ctx, size[0])
				if err != nil || wide {
					t.Errorf("%s (%s) at %dx%d scrolls sideways", p, lang, size[0], size[1])
				}
				name := strings.ReplaceAll(strings.Trim(strings.Split(p, "?")[0], "/"), "/", "-")
				if strings.Contains(name, item) {
					name = strings.ReplaceAll(name, item, "item")
				}
				screenshot(t, ctx, fmt.Sprintf("%dx%d-%s-%s", size[0], size[1], name, lang))
				if !drawn {
					t.Errorf("%s (%s) at %dx%d: the viewer drew no tile", p, lang, size[0], size[1])
				}
			}
		}
	}
}

func sep(p string) string {
	if strings.Contains(p, "?") {
		return "&"
	}
	return "?"
}

// checkAccessibility runs axe-core (from npm, pinned in web/ui) on the page
// and fails on any serious or critical violation.
func checkAccessibility(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	src, err := os.ReadFile("ui/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not installed (npm ci --prefix web/ui): %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		t.Fatalf("loading axe-core: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		 .map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core on %s: %v", where, err)
	}
	for _, v := range found {
		t.Errorf("%s: %s", where, v)
	}
}

// TestRefusedUploadIsMarkedFailedWithTheThaiReason: on a Thai desk, a file
// the server refuses (text named .tif) is shown by the uploader as failed,
// with the reason in Thai, and the file it took as done.
func TestRefusedUploadIsMarkedFailedWithTheThaiReason(t *testing.T) {
	e, base := serveEnv(t)
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "scan-0042.tif"), filepath.Join(dir, "red.jpg")
	os.WriteFile(bad, []byte("station,rain\nChiang Mai,12\n"), 0o644)
	os.WriteFile(good, jpegBytes(rgba([3]uint8{220, 20, 20})), 0o644)
	addUser(t, e.store, "archivist@tu.example", "tu", "archivist")
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk?lang=th"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("email"), "archivist@tu.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".uppy-Dashboard")),
		chromedp.Navigate(base+"/desk?lang=th"),
		chromedp.WaitVisible(chromedp.CSS(".uppy-Dashboard")),
		chromedp.SetValue(chromedp.ID("institution"), "tu"),
		chromedp.SetUploadFiles(chromedp.CSS(".uppy-Dashboard-input"), []string{bad, good}),
		chromedp.WaitVisible(chromedp.CSS(".uppy-StatusBar-actionBtn--upload")),
		chromedp.Click(chromedp.CSS(".uppy-StatusBar-actionBtn--upload")),
		chromedp.WaitVisible(chromedp.CSS(`#report[data-done="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(".uppy-Dashboard-Item.is-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "desk-upload-refused-th")
	type shown struct {
		Name, Error, Class, Details string
	}
	files, err := chromedp.Run(ctx, chromedp.Evaluate[[]shown](`window.archiveUppy.getFiles().map(f => {
		const el = document.getElementById("uppy_" + f.id);
		const q = el && el.querySelector(".uppy-Dashboard-Item-errorDetails");
		return {Name: f.name, Error: f.error || "", Class: el ? el.className : "", Details: q ? q.getAttribute("aria-label") : ""};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		switch f.Name {
		case "scan-0042.tif":
			seen++
			want := "scan-0042.tif มีเนื้อหาเป็นข้อความ (text/plain) ไม่ใช่ไฟล์ .tif"
			if !strings.Contains(f.Class, "is-error") || strings.Contains(f.Class, "is-complete") || !strings.Contains(f.Error, want) || !strings.Contains(f.Details, want) {
				t.Errorf("the refused file is shown as %+v; want failed, saying %q", f, want)
			}
		case "red.jpg":
			seen++
			if !strings.Contains(f.Class, "is-complete") || f.Error != "" {
				t.Errorf("the ingested file is shown as %+v; want done", f)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("the uploader shows %+v", files)
	}
	// One status: the count of files in agrees with the failed file.
	rate, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("rate").textContent`))
	in, _, _ := strings.Cut(strings.NewReplacer("{1}", "1", "{2}", "2").Replace(t2("th", "upload_rate")), " · ")
	if err != nil || !strings.HasPrefix(rate, in+" · ") || !strings.HasSuffix(rate, " · "+strings.Replace(t2("th", "upload_rate_refused"), "{1}", "1", 1)) {
		t.Errorf("the progress on a Thai page says %q (%v), want %q… and the one not taken in", rate, err, in)
	}
	report, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("report").textContent`))
	if err != nil || strings.Count(report, "scan-0042.tif") != 2 || !strings.Contains(report, t2("th", "upload_status_refused")) || strings.Contains(report, "refused") {
		t.Errorf("the report on a Thai page says %q (%v)", report, err)
	}
}
