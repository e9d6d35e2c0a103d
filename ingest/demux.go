package ingest

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// demuxers are the ffmpeg demuxers trusted with each type of recording
// Sniff identifies: ffprobe and ffmpeg read a master only with the demuxer
// of the type the archive identified, so that a file which looks like one
// type cannot be opened as another. Left to probe, ffmpeg skips an ID3
// tag and opens what follows as whatever it finds, an HLS playlist or a
// concat list included, which name other files that it would then read.
var demuxers = map[string][]string{
	"audio/mpeg":      {"mp3"},
	"audio/wav":       {"wav"},
	"audio/flac":      {"flac"},
	"audio/ogg":       {"ogg"},
	"audio/mp4":       {"mov"},
	"video/mp4":       {"mov"},
	"video/quicktime": {"mov"},
	"video/webm":      {"matroska"},
	"video/x-msvideo": {"avi"},
	// A program stream (.mpg, DVD) or a bare MPEG-1/2 video stream.
	"video/mpeg": {"mpeg", "mpegvideo"},
	"video/mp2t": {"mpegts"},
}

// playlists are the ffmpeg demuxers that read other files or URLs named
// inside the one they are given: never a master.
var playlists = []string{"hls", "applehttp", "concat", "dash", "ffconcat", "image2", "m3u", "pls", "sdp", "rtsp", "tee"}

// inputArgs are the options that go before a master's -i: its demuxer
// fixed to the type it was identified as (forced when there is one,
// allowed when there are two), and the file protocol alone, so that
// nothing inside the file can reach another protocol either.
func inputArgs(mediaType string) ([]string, error) {
	ds := demuxers[mediaType]
	if len(ds) == 0 {
		return nil, refuse("media_unsupported", mediaType)
	}
	args := []string{"-format_whitelist", strings.Join(ds, ","), "-protocol_whitelist", "file"}
	if len(ds) == 1 {
		args = append([]string{"-f", ds[0]}, args...)
	}
	return args, nil
}

// ffprobe reads what a recording holds, with its demuxer fixed to
// mediaType, and refuses what is read as a playlist or as another type.
func ffprobe(ctx context.Context, tool, file, mediaType string) (*avProbe, error) {
	in, err := inputArgs(mediaType)
	if err != nil {
		return nil, err
	}
	args := append([]string{"-v", "error"}, in...)
	args = append(args, "-print_format", "json", "-show_format", "-show_streams", "-i", file)
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, refuse("media_unreadable")
	}
	var pr avProbe
	if err := json.Unmarshal(out, &pr); err != nil {
		return nil, refuse("media_report")
	}
	return &pr, checkFormat(mediaType, pr.Format.FormatName)
}

// checkFormat refuses a recording that ffprobe read as a playlist, or
// with a demuxer other than its type's.
func checkFormat(mediaType, formatName string) error {
	names := strings.Split(formatName, ",")
	for _, n := range names {
		if slices.Contains(playlists, n) {
			return refuse("media_playlist", n)
		}
	}
	for _, d := range demuxers[mediaType] {
		if slices.Contains(names, d) {
			return nil
		}
	}
	return refuse("media_other_format", formatName, mediaType)
}
