package ingest_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// needFFmpeg returns ffmpeg's path, or skips (fails under ARCHIVE_REQUIRE_TOOLS).
func needFFmpeg(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("ffmpeg is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("ffmpeg not installed")
	}
	return ffmpeg
}

// makeMedia writes a test recording with ffmpeg's generated sources.
func makeMedia(t *testing.T, ffmpeg, path string, args ...string) {
	t.Helper()
	args = append(append([]string{"-nostdin", "-v", "error", "-y"}, args...), path)
	if b, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("making %s: %v %s", filepath.Base(path), err, b)
	}
}

// startTranscoder runs a transcoder until the test ends.
func startTranscoder(t *testing.T, cfg ingest.TranscodeConfig) *ingest.Transcoder {
	t.Helper()
	tc := ingest.NewTranscoder(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("transcoder: %v", err)
		}
	})
	return tc
}

// waitFor polls until ok says yes or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// probed is what ffprobe says of a stored blob.
type probed struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
	bytes []byte
}

func (p probed) codecs() string {
	var cs []string
	for _, s := range p.Streams {
		cs = append(cs, s.CodecType+":"+s.CodecName)
	}
	return strings.Join(cs, ",")
}

func probeBlob(t *testing.T, blobs storage.Blobs, key string) probed {
	t.Helper()
	rc, err := blobs.Get(ctx, key, 0, -1)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "blob")
	os.WriteFile(path, b, 0o644)
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", key, err)
	}
	var p probed
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	p.bytes = b
	return p
}

// topBoxes lists an MP4 file's top-level boxes in order.
func topBoxes(b []byte) []string {
	var boxes []string
	for off := uint64(0); off+8 <= uint64(len(b)); {
		size := uint64(binary.BigEndian.Uint32(b[off:]))
		typ := string(b[off+4 : off+8])
		if size == 1 && off+16 <= uint64(len(b)) {
			size = binary.BigEndian.Uint64(b[off+8:])
		}
		boxes = append(boxes, typ)
		if size < 8 {
			break
		}
		off += size
	}
	return boxes
}

// faststart reports whether the index (moov) comes before the media (mdat).
func faststart(b []byte) bool {
	boxes := strings.Join(topBoxes(b), " ")
	m, d := strings.Index(boxes, "moov"), strings.Index(boxes, "mdat")
	return m >= 0 && d >= 0 && m < d
}

func TestRecordingsGetCopiesBrowsersPlay(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	tone := []string{"-f", "lavfi", "-i", "sine=frequency=440:duration=3:sample_rate=48000"}
	bars := func(size, rate, secs string) []string {
		return []string{"-f", "lavfi", "-i", "testsrc=size=" + size + ":rate=" + rate + ":duration=" + secs,
			"-f", "lavfi", "-i", "sine=frequency=330:duration=" + secs + ":sample_rate=48000"}
	}
	makeMedia(t, ffmpeg, filepath.Join(dir, "tone.wav"), append(tone, "-ac", "2", "-c:a", "pcm_s24le")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "tone.flac"), append(tone, "-af", "volume=0.5", "-c:a", "flac")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "prores.mov"), append(bars("320x240", "10", "2"), "-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s16le")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "dv.mov"), append(bars("720x480", "30000/1001", "1"), "-c:v", "dvvideo", "-pix_fmt", "yuv411p", "-aspect", "4:3", "-c:a", "pcm_s16le")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "ffv1.mkv"), append(bars("2560x1440", "5", "2"), "-c:v", "ffv1", "-c:a", "flac")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "dvd.mpg"), append(bars("720x576", "25", "2"), "-c:v", "mpeg2video", "-b:v", "2M", "-c:a", "mp2", "-f", "vob")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "web.mp4"), append(bars("320x240", "10", "2"), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart")...)
	makeMedia(t, ffmpeg, filepath.Join(dir, "talk.mp3"), append(tone, "-c:a", "libmp3lame")...)
	// A copy cut short in transfer: its index (at the end) is missing.
	whole, _ := os.ReadFile(filepath.Join(dir, "prores.mov"))
	os.WriteFile(filepath.Join(dir, "cut.mov"), whole[:len(whole)/3], 0o644)
	masters := map[string][]byte{}
	for _, name := range []string{"tone.wav", "tone.flac", "prores.mov", "dv.mov", "ffv1.mkv", "dvd.mpg", "web.mp4", "talk.mp3"} {
		masters[name], _ = os.ReadFile(filepath.Join(dir, name))
	}

	e := newEnv(t, localBlobs(t))
	units, _, err := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, false)
	if err != nil {
		t.Fatal(err)
	}
	out := e.run(units)
	if o := out["cut.mov"]; o.Status != ingest.Refused || len(o.Messages) == 0 || o.Messages[0].Kind != "media_unreadable" {
		t.Fatalf("a truncated video: %+v", o)
	}
	for name := range masters {
		if out[name].Status != ingest.Ingested {
			t.Fatalf("%s: %+v", name, out[name])
		}
		// Registered at once, before any copy is made.
		it, _ := e.store.Item(out[name].Item)
		if it.Files[0].Web != nil {
			t.Fatalf("%s has a browser copy before the transcoder ran", name)
		}
	}
	tc := startTranscoder(t, ingest.TranscodeConfig{Store: e.store, Blobs: e.blobs, Workers: 2})
	for name, master := range masters {
		id := out[name].Item
		var it *repository.Item
		waitFor(t, 2*time.Minute, name+" gets its browser copy", func() bool {
			it, _ = e.store.Item(id)
			return it.Files[0].Web != nil && (it.Type != ingest.KindSound || it.Files[0].Derivatives["thumb"] != "")
		})
		if p := tc.Progress(id); len(p) != 0 {
			t.Errorf("%s: progress still reported when done: %+v", name, p)
		}
		f := it.Files[0]
		web := f.Web
		if math.Abs(web.Duration-f.Duration) > 0.2 {
			t.Errorf("%s: copy lasts %.2f s, master %.2f s", name, web.Duration, f.Duration)
		}
		switch name {
		case "web.mp4", "talk.mp3":
			if f.Derivatives["web"] != "" || f.WebKey() != storage.DigestKey(f.SHA256) {
				t.Errorf("%s: browsers play it, yet a copy was made: %+v", name, f)
			}
			continue
		}
		if f.WebKey() != f.Derivatives["web"] || f.WebKey() == "" {
			t.Fatalf("%s: no web derivative: %+v", name, f)
		}
		p := probeBlob(t, e.blobs, f.WebKey())
		if !faststart(p.bytes) {
			t.Errorf("%s: index not at the front: %v", name, topBoxes(p.bytes))
		}
		if d, _ := parseFloat(p.Format.Duration); math.Abs(d-f.Duration) > 0.2 {
			t.Errorf("%s: copy probes at %v s, master %.2f s", name, d, f.Duration)
		}
		if it.Type == ingest.KindSound {
			if p.codecs() != "audio:aac" || web.MediaType != "audio/mp4" {
				t.Errorf("%s: copy is %s (%s)", name, p.codecs(), web.MediaType)
			}
			if _, err := e.blobs.Stat(ctx, f.Derivatives["thumb"]); err != nil {
				t.Errorf("%s: waveform: %v", name, err)
			}
		} else {
			if p.codecs() != "video:h264,audio:aac" || web.MediaType != "video/mp4" {
				t.Errorf("%s: copy is %s (%s)", name, p.codecs(), web.MediaType)
			}
			if web.Width != p.Streams[0].Width || web.Height != p.Streams[0].Height || web.Width > 1920 || web.Height > 1080 || web.Width%2 != 0 {
				t.Errorf("%s: copy is %dx%d, recorded %dx%d", name, p.Streams[0].Width, p.Streams[0].Height, web.Width, web.Height)
			}
		}
		// The master is kept byte for byte.
		rc, err := e.blobs.Get(ctx, storage.DigestKey(f.SHA256), 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != string(master) {
			t.Errorf("%s: master changed", name)
		}
	}
	// Sizes: 2560x1440 fits 1920x1080; DV's narrow pixels become square.
	for name, want := range map[string][2]int{"ffv1.mkv": {1920, 1080}, "dv.mov": {640, 480}, "prores.mov": {320, 240}} {
		it, _ := e.store.Item(out[name].Item)
		if w := it.Files[0].Web; w.Width != want[0] || w.Height != want[1] {
			t.Errorf("%s: copy is %dx%d, want %dx%d", name, w.Width, w.Height, want[0], want[1])
		}
	}
	// Each copy is announced by a derivation event.
	evs, _ := e.store.Events(out["tone.flac"].Item)
	if !hasEvent(evs, "derivation", "success", "browser copy") || !hasEvent(evs, "derivation", "success", "waveform") {
		t.Errorf("events: %+v", evs)
	}
}

func parseFloat(s string) (float64, error) {
	var f float64
	err := json.Unmarshal([]byte(s), &f)
	return f, err
}

func hasEvent(evs []repository.Event, typ, outcome, detail string) bool {
	for _, ev := range evs {
		if ev.Type == typ && ev.Outcome == outcome && strings.Contains(ev.Detail, detail) {
			return true
		}
	}
	return false
}

func TestFailedTranscodeIsRecordedRetriedAndKeepsTheItem(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	makeMedia(t, ffmpeg, filepath.Join(dir, "tone.wav"), "-f", "lavfi", "-i", "sine=duration=1")
	blobs := localBlobs(t)
	e := newEnv(t, blobs)
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, false)
	id := e.run(units)["tone.wav"].Item
	// The transcoder's storage is away at first: its attempt fails.
	faulty := &storagetest.Faulty{Blobs: blobs}
	faulty.SetDown(true)
	tc := startTranscoder(t, ingest.TranscodeConfig{Store: e.store, Blobs: faulty, RetryAfter: 200 * time.Millisecond})
	waitFor(t, 30*time.Second, "a failure event", func() bool {
		evs, _ := e.store.Events(id)
		return hasEvent(evs, "derivation", "failure", "tried again later")
	})
	waitFor(t, 10*time.Second, "the failure in the progress", func() bool {
		p := tc.Progress(id)
		return len(p) == 1 && p[0].State == ingest.JobFailed && p[0].Message != nil && p[0].Attempts >= 1
	})
	faulty.SetDown(false)
	waitFor(t, time.Minute, "the copy made on a later attempt", func() bool {
		it, _ := e.store.Item(id)
		return it != nil && !it.Deleted && it.Files[0].Web != nil
	})
}

func TestTranscodeFailureIsSaidInWords(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	makeMedia(t, ffmpeg, filepath.Join(dir, "tone.flac"), "-f", "lavfi", "-i", "sine=duration=1")
	e := newEnv(t, localBlobs(t))
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, false)
	id := e.run(units)["tone.flac"].Item
	// An ffmpeg that fails every time.
	broken, err := exec.LookPath("false")
	if err != nil {
		t.Fatal(err)
	}
	tc := startTranscoder(t, ingest.TranscodeConfig{Store: e.store, Blobs: e.blobs, FFmpeg: broken, FFprobe: "ffprobe", RetryAfter: time.Hour})
	var p []ingest.Progress
	waitFor(t, 30*time.Second, "a failed job", func() bool {
		p = tc.Progress(id)
		return len(p) == 1 && p[0].State == ingest.JobFailed
	})
	if p[0].Message.Kind != "transcode_failed" || !p[0].Retry.After(time.Now()) {
		t.Fatalf("failure: %+v %+v", p[0], p[0].Message)
	}
	evs, _ := e.store.Events(id)
	if !hasEvent(evs, "derivation", "failure", "ffmpeg cannot make a copy of it that browsers play") {
		t.Fatalf("events: %+v", evs)
	}
	if it, _ := e.store.Item(id); it == nil || it.Deleted || len(it.Files) != 1 {
		t.Fatalf("item lost: %+v", it)
	}
}
