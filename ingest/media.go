// Package ingest brings files into the archive: from a folder, a BagIt bag,
// a metadata sheet or a web upload, all through one pipeline that streams
// each master into storage under its verified SHA-256, makes derivatives
// once, and registers each item in one metadata transaction.
package ingest

import (
	"bytes"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kinds of content the archive knows how to describe and serve.
const (
	KindImage = "Image"
	KindSound = "Sound"
	KindVideo = "MovingImage"
	KindText  = "Text"
)

// Sniff identifies a file's media type and kind from its first bytes, never
// from its name. It returns "" for content the archive does not take.
func Sniff(head []byte) (mediaType, kind string) {
	has := func(off int, sig string) bool {
		return len(head) >= off+len(sig) && string(head[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xFF\xD8\xFF"):
		return "image/jpeg", KindImage
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "image/png", KindImage
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return "image/tiff", KindImage
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "image/gif", KindImage
	case has(0, "RIFF") && has(8, "WEBP"):
		return "image/webp", KindImage
	case has(0, "RIFF") && has(8, "WAVE"):
		return "audio/wav", KindSound
	case has(0, "ID3"), len(head) > 2 && head[0] == 0xFF && head[1]&0xE6 == 0xE2:
		return "audio/mpeg", KindSound
	case has(0, "fLaC"):
		return "audio/flac", KindSound
	case has(0, "OggS"):
		return "audio/ogg", KindSound
	case has(0, "RIFF") && has(8, "AVI "):
		return "video/x-msvideo", KindVideo
	case has(0, "\x00\x00\x01\xBA"), has(0, "\x00\x00\x01\xB3"):
		// An MPEG program stream (.mpg, DVD) or an MPEG-1/2 video stream.
		return "video/mpeg", KindVideo
	case len(head) > 376 && head[0] == 0x47 && head[188] == 0x47 && head[376] == 0x47:
		// An MPEG transport stream: a sync byte every 188 bytes.
		return "video/mp2t", KindVideo
	case has(4, "moov"), has(4, "mdat"), has(4, "wide"), has(4, "free"), has(4, "skip"), has(4, "pnot"):
		// A QuickTime movie of the kind written before the ftyp box.
		return "video/quicktime", KindVideo
	case has(4, "ftyp"):
		if has(8, "M4A ") {
			return "audio/mp4", KindSound
		}
		return "video/mp4", KindVideo
	case has(0, "\x1A\x45\xDF\xA3"):
		return "video/webm", KindVideo
	case has(0, "%PDF-"):
		return "application/pdf", KindText
	}
	if len(head) > 0 && !bytes.ContainsRune(head, 0) && utf8.Valid(trimPartialRune(head)) {
		return "text/plain; charset=utf-8", KindText
	}
	return "", ""
}

// trimPartialRune drops a multi-byte character cut by the end of a sniffed head.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// byExtension is what a file name's common extensions promise: the media
// types Sniff may find in such a file, and the promise in words. Sniff
// reports QuickTime as video/mp4 (the same ISO box format) and Matroska as
// video/webm (the same EBML container).
var byExtension = map[string]struct {
	types []string
	what  string
}{
	".tif":  {[]string{"image/tiff"}, "a TIFF image"},
	".tiff": {[]string{"image/tiff"}, "a TIFF image"},
	".jpg":  {[]string{"image/jpeg"}, "a JPEG image"},
	".jpeg": {[]string{"image/jpeg"}, "a JPEG image"},
	".jp2":  {[]string{"image/jp2"}, "a JPEG 2000 image"},
	".png":  {[]string{"image/png"}, "a PNG image"},
	".gif":  {[]string{"image/gif"}, "a GIF image"},
	".bmp":  {[]string{"image/bmp"}, "a BMP image"},
	".webp": {[]string{"image/webp"}, "a WebP image"},
	".pdf":  {[]string{"application/pdf"}, "a PDF document"},
	".mp3":  {[]string{"audio/mpeg"}, "an MP3 recording"},
	".wav":  {[]string{"audio/wav"}, "a WAV recording"},
	".flac": {[]string{"audio/flac"}, "a FLAC recording"},
	".mp4":  {[]string{"video/mp4", "audio/mp4"}, "an MP4 video"},
	".m4a":  {[]string{"audio/mp4", "video/mp4"}, "an MP4 (M4A) recording"},
	".ogg":  {[]string{"audio/ogg"}, "an Ogg recording"},
	".opus": {[]string{"audio/ogg"}, "an Opus recording"},
	".mov":  {[]string{"video/mp4", "video/quicktime"}, "a QuickTime video"},
	".mkv":  {[]string{"video/webm"}, "a Matroska video"},
	".webm": {[]string{"video/webm"}, "a WebM video"},
	".avi":  {[]string{"video/x-msvideo"}, "an AVI video"},
	".mpg":  {[]string{"video/mpeg"}, "an MPEG video"},
	".mpeg": {[]string{"video/mpeg"}, "an MPEG video"},
	".m2v":  {[]string{"video/mpeg"}, "an MPEG-2 video stream"},
	".m2ts": {[]string{"video/mp2t"}, "an MPEG transport stream"},
	".mts":  {[]string{"video/mp2t"}, "an MPEG transport stream"},
	".txt":  {[]string{"text/plain; charset=utf-8"}, "plain text"},
	".csv":  {[]string{"text/plain; charset=utf-8"}, "CSV text"},
	".xml":  {[]string{"text/plain; charset=utf-8"}, "XML text"},
}

// misnamed reports whether a file's name promises something other than
// its content, sniffed as mediaType; false when they agree or the
// extension is not a common one.
func misnamed(name, mediaType string) bool {
	want, ok := byExtension[strings.ToLower(path.Ext(name))]
	return ok && !slices.Contains(want.types, mediaType)
}

// sameFamily reports whether a misnamed file's content is of the family
// its name promises: an image named as another image (a JPEG saved as
// .png or .jp2), a recording as another recording. Archives identify such
// a file by its content; text named as an image, or an image named as a
// PDF, is more likely a mistake (an error page saved under a scan's name).
func sameFamily(name, mediaType string) bool {
	want, ok := byExtension[strings.ToLower(path.Ext(name))]
	if !ok || len(want.types) == 0 {
		return false
	}
	family := func(mt string) string {
		switch {
		case strings.HasPrefix(mt, "image/"):
			return "image"
		case strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"):
			return "recording"
		}
		return mt
	}
	return family(want.types[0]) == family(mediaType)
}

// describe says what content of a media type Sniff found is, in words.
func describe(mediaType string) string {
	switch mediaType {
	case "image/jpeg":
		return "a JPEG image"
	case "image/png":
		return "a PNG image"
	case "image/tiff":
		return "a TIFF image"
	case "image/gif":
		return "a GIF image"
	case "image/webp":
		return "a WebP image"
	case "audio/wav":
		return "a WAV recording"
	case "audio/mpeg":
		return "an MP3 recording"
	case "audio/flac":
		return "a FLAC recording"
	case "audio/ogg":
		return "an Ogg recording"
	case "audio/mp4":
		return "an MP4 (M4A) recording"
	case "video/mp4":
		return "an MP4 or QuickTime video"
	case "video/webm":
		return "a WebM or Matroska video"
	case "video/quicktime":
		return "a QuickTime video"
	case "video/x-msvideo":
		return "an AVI video"
	case "video/mpeg":
		return "an MPEG video"
	case "video/mp2t":
		return "an MPEG transport stream"
	case "application/pdf":
		return "a PDF document"
	case "text/plain; charset=utf-8":
		return "plain text"
	}
	return mediaType
}
