package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// openWatch counts, through inotify, how often a file is opened.
type openWatch struct {
	fd    int
	opens int
}

func watchOpens(t *testing.T, path string) *openWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return &openWatch{fd: fd}
}

// count reads the events queued so far and says how many opens there were.
func (w *openWatch) count(t *testing.T) int {
	t.Helper()
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(w.fd, buf)
		if errors.Is(err, unix.EAGAIN) {
			return w.opens
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			size := int(binary.NativeEndian.Uint32(buf[off+12:]))
			if mask&unix.IN_OPEN != 0 {
				w.opens++
			}
			off += unix.SizeofInotifyEvent + size
		}
	}
}

// provesItSeesOpens opens the file once and checks the watch counts it, so
// that a count of none before means none happened.
func (w *openWatch) provesItSeesOpens(t *testing.T, path string) {
	t.Helper()
	before := w.count(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	waitFor(t, 5*time.Second, "the watch to see the test's own open", func() bool { return w.count(t) == before+1 })
}

// hostilePlaylist writes what looks like an MP3 (an ID3 tag) but goes on as
// an HLS playlist naming a file of the server's: probed freely, ffmpeg
// skips the tag and reads the named file as the recording.
func hostilePlaylist(t *testing.T, path, target string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("ID3\x04\x00\x00\x00\x00\x00\x00") // an empty ID3v2.4 tag
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3,\n%s\n#EXT-X-ENDLIST\n", target)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// anotherLibrarysCopy makes a recording standing for another library's
// browser copy, whose path the attacker knows.
func anotherLibrarysCopy(t *testing.T) string {
	t.Helper()
	ffmpeg := needFFmpeg(t)
	secret := filepath.Join(t.TempDir(), "web.m4a")
	makeMedia(t, ffmpeg, secret, "-f", "lavfi", "-i", "sine=frequency=600:duration=3")
	return secret
}

func TestIngestRefusesMP3ThatIsAPlaylistAndReadsNoFileItNames(t *testing.T) {
	secret := anotherLibrarysCopy(t)
	dir := t.TempDir()
	hostilePlaylist(t, filepath.Join(dir, "talk.mp3"), secret)
	watch := watchOpens(t, secret)
	e := newEnv(t, localBlobs(t))
	o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{{Path: filepath.Join(dir, "talk.mp3"), Name: "talk.mp3"}}, Meta: ingest.Defaults{Institution: "tu"}.Item()})[0]
	if o.Status != ingest.Refused || o.Item != "" || len(o.Messages) == 0 || o.Messages[0].Kind != "media_unreadable" {
		t.Errorf("a playlist behind an ID3 tag: %+v; want refused as unreadable audio", o)
	}
	if n := watch.count(t); n != 0 {
		t.Errorf("ingest opened the file the playlist names %d times", n)
	}
	watch.provesItSeesOpens(t, secret)
	if ids, err := e.store.ItemsWithDigest(digestOf(t, filepath.Join(dir, "talk.mp3"))); err != nil || len(ids) != 0 {
		t.Errorf("items holding the refused file: %v %v", ids, err)
	}
}

func TestTranscoderRefusesMasterThatIsAPlaylistAndReadsNoFileItNames(t *testing.T) {
	secret := anotherLibrarysCopy(t)
	hostile := hostilePlaylist(t, filepath.Join(t.TempDir(), "talk.mp3"), secret)
	e := newEnv(t, localBlobs(t))
	// Registered before masters were probed with their own demuxer.
	sum := sha256.Sum256(hostile)
	sha := hex.EncodeToString(sum[:])
	if _, err := e.blobs.Put(ctx, storage.DigestKey(sha), bytes.NewReader(hostile), storage.PutOptions{SHA256: sha, Size: int64(len(hostile))}); err != nil {
		t.Fatal(err)
	}
	it := &repository.Item{Institution: "tu", Type: ingest.KindSound, Title: repository.Text{"en": "Talk"}, Access: repository.Access{Level: repository.Public},
		Files: []repository.File{{Name: "talk.mp3", SHA256: sha, Size: int64(len(hostile)), MediaType: "audio/mpeg", Duration: 3}}}
	if err := e.store.SaveItem(ctx, it, "test"); err != nil {
		t.Fatal(err)
	}
	watch := watchOpens(t, secret)
	tc := startTranscoder(t, ingest.TranscodeConfig{Store: e.store, Blobs: e.blobs, Workers: 1, RetryAfter: time.Hour})
	var p []ingest.Progress
	waitFor(t, 30*time.Second, "the transcoder to give up on the playlist", func() bool {
		p = tc.Progress(it.ID)
		return len(p) == 1 && p[0].State == ingest.JobFailed
	})
	if p[0].Message == nil || p[0].Message.Kind != "media_unreadable" {
		t.Errorf("failure: %+v", p[0].Message)
	}
	if got, _ := e.store.Item(it.ID); got == nil || got.Files[0].Web != nil || got.Files[0].Derivatives["web"] != "" {
		t.Errorf("the playlist got a browser copy: %+v", got)
	}
	if n := watch.count(t); n != 0 {
		t.Errorf("the transcoder opened the file the playlist names %d times", n)
	}
	watch.provesItSeesOpens(t, secret)
}

func TestTranscoderRefusesMasterThatProbesAsAPlaylist(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	makeMedia(t, ffmpeg, filepath.Join(dir, "tone.flac"), "-f", "lavfi", "-i", "sine=duration=1")
	e := newEnv(t, localBlobs(t))
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, false)
	id := e.run(units)["tone.flac"].Item
	// An ffprobe that reads every file as a concat list.
	fake := filepath.Join(t.TempDir(), "ffprobe")
	script := "#!/bin/sh\necho '{\"streams\":[{\"codec_type\":\"audio\",\"codec_name\":\"flac\"}],\"format\":{\"format_name\":\"concat\",\"duration\":\"1\"}}'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tc := startTranscoder(t, ingest.TranscodeConfig{Store: e.store, Blobs: e.blobs, FFmpeg: ffmpeg, FFprobe: fake, RetryAfter: time.Hour})
	var p []ingest.Progress
	waitFor(t, 30*time.Second, "a failed job", func() bool {
		p = tc.Progress(id)
		return len(p) == 1 && p[0].State == ingest.JobFailed
	})
	if m := p[0].Message; m == nil || m.Kind != "media_playlist" || m.String() != "ffprobe reads it as a playlist (concat) that names other files, not as a recording: refused" {
		t.Errorf("failure: %+v", m)
	}
	if it, _ := e.store.Item(id); it == nil || it.Files[0].Web != nil {
		t.Errorf("a master read as a playlist got a browser copy: %+v", it)
	}
}

func digestOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
