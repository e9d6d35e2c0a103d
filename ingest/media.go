// Package ingest brings files into the archive: from a folder, a BagIt bag,
// a metadata sheet or a web upload, all through one pipeline that streams
// each master into storage under its verified SHA-256, makes derivatives
// once, and registers each item in one metadata transaction.
package ingest

import (
	"bytes"
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
