package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// avProbe is what ffprobe says of a recording's container and streams.
type avProbe struct {
	Streams []avStream `json:"streams"`
	Format  struct {
		FormatName string            `json:"format_name"`
		Duration   string            `json:"duration"`
		Tags       map[string]string `json:"tags"`
	} `json:"format"`
}

type avStream struct {
	CodecType   string `json:"codec_type"`
	CodecName   string `json:"codec_name"`
	Profile     string `json:"profile"`
	PixFmt      string `json:"pix_fmt"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	SampleRate  string `json:"sample_rate"`
	Channels    int    `json:"channels"`
	Disposition struct {
		AttachedPic int `json:"attached_pic"`
	} `json:"disposition"`
}

func (p *avProbe) duration() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return d
}

// first returns the first stream of a type (a cover picture is not video).
func (p *avProbe) first(typ string) *avStream {
	for i, s := range p.Streams {
		if s.CodecType == typ && s.Disposition.AttachedPic == 0 {
			return &p.Streams[i]
		}
	}
	return nil
}

func (t *Transcoder) probe(ctx context.Context, file, mediaType string) (*avProbe, error) {
	return ffprobe(ctx, t.cfg.FFprobe, file, mediaType)
}

// playable says the media type under which browsers play a recording as it
// is, or "" when they need a copy: H.264 (with AAC or MP3) in MP4, AAC in
// MP4, MP3, Opus in Ogg, VP8, VP9 or AV1 with Opus or Vorbis in WebM.
// QuickTime, Matroska with other codecs, WAV, FLAC, MPEG-2, DV and ProRes are
// not played everywhere: Safari, Firefox and Chrome disagree on them.
func playable(mediaType string, pr *avProbe) string {
	formats := strings.Split(pr.Format.FormatName, ",")
	has := func(f string) bool { return slices.Contains(formats, f) }
	v, a := pr.first("video"), pr.first("audio")
	codec := func(s *avStream, ok ...string) bool { return s != nil && slices.Contains(ok, s.CodecName) }
	mp4 := has("mp4") && strings.TrimSpace(pr.Format.Tags["major_brand"]) != "qt"
	if strings.HasPrefix(mediaType, "audio/") {
		switch {
		case a == nil:
			return ""
		case has("mp3") && codec(a, "mp3"):
			return "audio/mpeg"
		case mp4 && codec(a, "aac"):
			return "audio/mp4"
		case has("ogg") && codec(a, "opus"):
			return "audio/ogg"
		case has("webm") && codec(a, "opus", "vorbis"):
			return "audio/webm"
		}
		return ""
	}
	switch {
	case v == nil:
		return ""
	case mp4 && codec(v, "h264") && (v.PixFmt == "yuv420p" || v.PixFmt == "yuvj420p") && (a == nil || codec(a, "aac", "mp3")):
		return "video/mp4"
	case has("webm") && codec(v, "vp8", "vp9", "av1") && (a == nil || codec(a, "opus", "vorbis")):
		return "video/webm"
	}
	return ""
}

// Sizes of browser copies: video fits 1920×1080 (1080×1920 upright), with
// the quality of x264's CRF 22 and a ceiling for busy scenes; audio is AAC.
const (
	webVideoCRF      = "22"
	webVideoMaxRate  = "6M"
	webVideoBuffer   = "12M"
	webAudioBitrate  = "160k"
	webSoundBitrate  = "192k"
	webMaxSampleRate = 48000
)

// webVideoFilter deinterlaces what is flagged interlaced (DV, MPEG-2),
// makes pixels square (DV's and MPEG-2's are not), and fits the picture
// into 1080p keeping its shape, with even sides for 4:2:0.
const webVideoFilter = "yadif=deint=interlaced," +
	"scale=w='trunc(iw*sar/2)*2':h=ih,setsar=1," +
	"scale=w='if(gte(iw,ih),min(1920,iw),min(1080,iw))':h='if(gte(iw,ih),min(1080,ih),min(1920,ih))'" +
	":force_original_aspect_ratio=decrease:force_divisible_by=2," +
	"format=yuv420p"

// webCopy decides whether browsers play the master as it is; if not, it
// makes an MP4 copy (H.264 and AAC, or AAC alone) with its index at the
// front, stores it, and records its key in derived.
func (t *Transcoder) webCopy(ctx context.Context, j job, f repository.File, pr *avProbe, dir, master string, derived map[string]string) (*repository.WebCopy, []string, error) {
	if mt := playable(f.MediaType, pr); mt != "" {
		w := &repository.WebCopy{MediaType: mt, Duration: pr.duration()}
		if v := pr.first("video"); v != nil && strings.HasPrefix(mt, "video/") {
			w.Width, w.Height = v.Width, v.Height
		}
		return w, []string{"browsers play the master as it is (" + mt + "): no copy made"}, nil
	}
	video := strings.HasPrefix(f.MediaType, "video/")
	name, ctype := "web.m4a", "audio/mp4"
	if video {
		name, ctype = "web.mp4", "video/mp4"
	}
	key := DerivativeKey(f.SHA256, name)
	out := filepath.Join(dir, name)
	start := time.Now()
	if _, err := t.cfg.Blobs.Stat(ctx, key); err == nil {
		// Stored by an attempt that stopped before saving the item.
		if err := t.fetch(ctx, key, out); err != nil {
			return nil, nil, err
		}
	} else {
		if err := t.transcode(ctx, j, f.MediaType, pr, master, out, video); err != nil {
			return nil, nil, err
		}
		if err := t.put(ctx, key, out, ctype); err != nil {
			return nil, nil, err
		}
	}
	got, err := t.probe(ctx, out, ctype)
	if err != nil {
		return nil, nil, err
	}
	w := &repository.WebCopy{MediaType: ctype, Duration: got.duration()}
	what := "AAC"
	if v := got.first("video"); video && v != nil {
		w.Width, w.Height = v.Width, v.Height
		what = fmt.Sprintf("H.264 %dx%d", v.Width, v.Height)
		if got.first("audio") != nil {
			what += " and AAC"
		}
	}
	derived["web"] = key
	return w, []string{fmt.Sprintf("browser copy (%s in MP4, index first, %.1f s) made in %s", what, w.Duration, time.Since(start).Round(time.Second))}, nil
}

// transcode runs ffmpeg from master to out, reporting its progress.
func (t *Transcoder) transcode(ctx context.Context, j job, mediaType string, pr *avProbe, master, out string, video bool) error {
	in, err := inputArgs(mediaType)
	if err != nil {
		return err
	}
	args := append([]string{"-nostdin", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1"}, in...)
	args = append(args, "-i", master)
	threads := strconv.Itoa(max(1, runtime.NumCPU()/t.cfg.Workers))
	a := pr.first("audio")
	if video {
		if pr.first("video") == nil {
			return refuse("video_no_stream")
		}
		args = append(args, "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-vf", webVideoFilter,
			"-c:v", "libx264", "-preset", "veryfast", "-crf", webVideoCRF, "-maxrate", webVideoMaxRate, "-bufsize", webVideoBuffer,
			"-profile:v", "high", "-threads", threads, "-c:a", "aac", "-b:a", webAudioBitrate)
	} else {
		if a == nil {
			return refuse("audio_no_stream")
		}
		args = append(args, "-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "aac", "-b:a", webSoundBitrate)
	}
	if a != nil {
		if a.Channels > 2 {
			args = append(args, "-ac", "2")
		}
		if r, _ := strconv.Atoi(a.SampleRate); r > webMaxSampleRate {
			args = append(args, "-ar", strconv.Itoa(webMaxSampleRate))
		}
	}
	args = append(args, "-movflags", "+faststart", "-f", "mp4", "-y", out)
	cmd := exec.CommandContext(ctx, t.cfg.FFmpeg, args...)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fail("transcode_failed", err.Error())
	}
	total := pr.duration()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		// -progress writes key=value lines; out_time_us is how far it is.
		k, v, _ := strings.Cut(sc.Text(), "=")
		if us, err := strconv.ParseInt(v, 10, 64); err == nil && k == "out_time_us" && total > 0 {
			t.setPercent(j, min(99.9, float64(us)/1e4/total))
		}
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail("transcode_failed", ffmpegSaid(stderr.String(), master))
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		return fail("transcode_failed", "no output")
	}
	return nil
}

// ffmpegSaid is the last line ffmpeg wrote to its error output, without
// the temporary folder's path.
func ffmpegSaid(stderr, master string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	last = strings.ReplaceAll(last, master, "master")
	last = strings.ReplaceAll(last, filepath.Dir(master), "")
	if last == "" {
		return "ffmpeg stopped without saying why"
	}
	return last
}

// limitedBuffer keeps the last max bytes written to it (ffmpeg's last words).
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.buf.Write(p)
	if over := l.buf.Len() - l.max; over > 0 {
		l.buf.Next(over)
	}
	return len(p), nil
}

// Waveform thumbnails: ThumbSize wide, a recording's loudness over time in
// the archive's blue on white. Square-root scaling lets quiet speech show.
const waveformFilter = "[0:a:0]aformat=channel_layouts=mono,showwavespic=s=400x160:scale=sqrt:colors=0x2f5d8a[w];" +
	"color=c=white:s=400x160[bg];[bg][w]overlay=format=auto:shortest=1,format=yuvj420p"

// waveform draws a recording's waveform as a JPEG and stores it under key.
func (t *Transcoder) waveform(ctx context.Context, mediaType, master, key string) error {
	if _, err := t.cfg.Blobs.Stat(ctx, key); err == nil {
		return nil
	}
	in, err := inputArgs(mediaType)
	if err != nil {
		return err
	}
	args := append([]string{"-nostdin", "-hide_banner", "-v", "error"}, in...)
	args = append(args, "-i", master, "-filter_complex", waveformFilter, "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-f", "image2pipe", "-")
	cmd := exec.CommandContext(ctx, t.cfg.FFmpeg, args...)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	jpg, err := cmd.Output()
	if err != nil || len(jpg) == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail("waveform_failed", ffmpegSaid(stderr.String(), master))
	}
	_, err = t.cfg.Blobs.Put(ctx, key, bytes.NewReader(jpg), storage.PutOptions{Size: int64(len(jpg)), ContentType: "image/jpeg"})
	return err
}
