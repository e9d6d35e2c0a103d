package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
)

// avEnv is a server holding a QuickTime (ProRes) video and a FLAC
// recording, 20 s each, whose copies for browsers the transcoder has made.
type avEnv struct {
	store        *bolt.Store
	url          string
	video, audio string // item identifiers
}

func newAVEnv(t *testing.T) *avEnv {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("ffmpeg is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("ffmpeg not installed")
	}
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"film.mov": {"-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=20", "-f", "lavfi", "-i", "sine=frequency=330:duration=20",
			"-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s16le"},
		"talk.flac": {"-f", "lavfi", "-i", "sine=frequency=440:duration=20", "-c:a", "flac"},
	} {
		args = append(append([]string{"-nostdin", "-v", "error", "-y"}, args...), filepath.Join(dir, name))
		if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
			t.Fatalf("making %s: %v %s", name, err, b)
		}
	}
	blobs, _ := local.Open(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	p := ingest.New(ingest.Config{Store: store, Blobs: blobs})
	e := &avEnv{store: store}
	for name, id := range map[string]*string{"film.mov": &e.video, "talk.flac": &e.audio} {
		outs := p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, name), Name: name}},
			Meta: repository.Item{Institution: "tu", Title: repository.Text{"en": strings.TrimSuffix(name, filepath.Ext(name))}}})
		if outs[0].Status != ingest.Ingested {
			t.Fatalf("ingest %s: %+v", name, outs[0])
		}
		*id = outs[0].Item
	}
	tc := ingest.NewTranscoder(ingest.TranscodeConfig{Store: store, Blobs: blobs, Workers: 1})
	done := make(chan error, 1)
	go func() { done <- tc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("transcoder: %v", err)
		}
	})
	srv, err := New(withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts, Transcoder: tc}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.url = ts.URL
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range []string{e.video, e.audio} {
		for {
			it, err := store.Item(id)
			if err == nil && it.Files[0].Web != nil && (it.Type != ingest.KindSound || it.Files[0].Derivatives["thumb"] != "") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("item %s got no copy for browsers within 2 minutes: %+v", id, tc.Progress(id))
			}
			time.Sleep(50 * time.Millisecond) // polling with a deadline
		}
	}
	return e
}

// playAndSeek plays the page's media element, sees its time advance, then
// sets it far ahead and sees it play on from there: seeking works only when
// the copy is served with byte ranges.
func playAndSeek(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	el := fmt.Sprintf("document.querySelector(%q)", selector)
	// Played as a reader's click would (a user gesture), so that no
	// autoplay policy stands in the way; muted, as a test should be.
	gesture := func(p *cdruntime.EvaluateParams) { p.UserGesture = new(true) }
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](el+".muted = true; "+el+".play().then(() => true)", chromedp.EvalAwaitPromise, gesture)); err != nil {
		t.Fatalf("%s does not play: %v", selector, err)
	}
	waitJS(t, ctx, el+".currentTime > 1", selector+" time advancing past 1 s")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](el+".currentTime = 15; true")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "!"+el+".seeking && "+el+".currentTime > 15.5", selector+" playing on after a seek to 15 s")
}

// waitJS polls a JavaScript condition until it is true or 30 s pass.
func waitJS(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+cond+")"))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("video,audio")).map(m => m.tagName+" t="+m.currentTime+" ready="+m.readyState+" net="+m.networkState+" err="+(m.error&&m.error.message)).join("; ")`))
			t.Fatalf("not within 30 s: %s (%s)", what, state)
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

func TestVideoAndAudioPlayAndSeekInChromium(t *testing.T) {
	e := newAVEnv(t)
	ctx := browser(t)
	log := watch(ctx)
	for _, c := range []struct{ item, selector string }{{e.video, "video"}, {e.audio, "audio"}} {
		log.reset()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.url+"/items/"+c.item), chromedp.WaitVisible(chromedp.CSS(c.selector))); err != nil {
			t.Fatalf("item page %s: %v", c.item, err)
		}
		playAndSeek(t, ctx, c.selector)
		copyURL := fmt.Sprintf("/api/v1/items/%s/files/1/web", c.item)
		log.waitFor(t, "a byte range of the copy", func(u string, status int) bool {
			return strings.HasSuffix(u, copyURL) && status == 206
		})
		screenshot(t, ctx, "item-"+c.selector)
	}
}
