package web

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// archiveDetails are details of every format the archive writes into an
// item's events, one or more of each, as the code that records them
// writes them (ingest, derivatives, fixity, repair, OCR, describe, access,
// withdrawal, moves, desk edits). A new format belongs here. An error
// passed through (here EOF) is the library's and stays as it is.
var archiveDetails = []string{
	"metadata version 3",
	"collection version 2",
	"description of version 2 restored",
	`batch edit at the desk: rights set to "CC BY 4.0"`,
	"moved from (top level) to cmu-f, position 2",
	"embargo until 2030-01-01 ended",
	"4 blobs of the withdrawn item removed",
	"access tightened from public to restricted, embargoed until 2030-01-01, as asked by web upload, batch b7f3a1 by somchai@cmu.ac.th",
	"access tightened from public to embargo until 2030-01-01, as asked by the ingest of letter.tif, scan.tif",
	"access tightened from public to restricted, as asked by sheet items.csv, row 4",
	"described by row 7: title, date, creator",
	"described by sheet items.xlsx, row 3: title",
	`web upload, batch b7f3a1 by somchai@cmu.ac.th: letter.tif (image/tiff, 1234 bytes), scan.pdf (named "scan\u00a0.pdf") (application/pdf, 99 bytes: scan.pdf is a PDF document, not a JPEG image as its name says; ingested as a PDF document, by its content)`,
	"folder box-1: photo.jpg (image/jpeg, 5 bytes: photo.jpg is a JPEG image, not a TIFF image; kept as a JPEG image, as asked)",
	"bag bag-1, sheet items.csv, row 2: letter.tif (image/tiff, 12 bytes)",
	"demo: letter.tif (image/tiff, 12 bytes)",
	"verified while streaming: letter.tif: sha256 9f86d08, md5 as supplied; scan.pdf: sha256 60303ae",
	"letter.tif page 1: pyramid of 3 levels from 567x38, thumbnail; scan.pdf page 2: pyramid of 4 levels from 1200x1600, thumbnail",
	"scan.pdf: no text layer read (pdftotext, Debian poppler-utils, is not installed)",
	"scan.pdf: its text layer cannot be read: EOF",
	"scan.pdf: the text layer of 2 of 3 pages kept for search",
	"talk.mov: browser copy (H.264 1280x720 and AAC in MP4, index first, 12.5 s) made in 4s",
	"song.wav: browser copy (AAC in MP4, index first, 3.0 s) made in 1s, waveform thumbnail",
	"song.mp3: browsers play the master as it is (audio/mpeg): no copy made, waveform thumbnail",
	"file 2: browser copy not made (attempt 3, tried again later): ffmpeg: EOF",
	"text of 3 pages read (tesseract tha+eng, the PDF's text layer)",
	"text of the pages not read (tried again later): tesseract: EOF",
	"text of the pages not read: tesseract: EOF",
	"5 blobs re-read (123456 bytes), sha256 as registered",
	"5 blobs re-read (123456 bytes), sha256 as registered; no digest was registered for 1 alto, 2 text, so they were only read",
	"1 master (a1/b2): not in storage; 2 thumb (c3/d4): stored copy has sha256 9f86d08 and 77 bytes, registered 60303ae",
	"a1/b2 (master of 1) was damaged; restored from s3 replica, sha256 9f86d08 checked",
	"a1/b2 (thumb of 2) was missing; not restored from s3 replica: EOF",
	"request 7k2m9x4q1z",
	"request 7k2m9x4q1z: item palm-1 until 2026-03-10",
	"request 7k2m9x4q1z: collection letters until 2026-03-10",
	"read through a grant by user 3h8n2c5v0b",
}

// TestThaiItemHistorySaysEveryArchiveDetailInThai records an event of
// every detail format the archive writes on an item and fails on English
// the Thai item form shows in its history, or a detail left as it was.
func TestThaiItemHistorySaysEveryArchiveDetailInThai(t *testing.T) {
	e := newDeskEnv(t)
	for _, d := range archiveDetails {
		th := detail("th", d)
		if th == d {
			t.Errorf("no Thai for the detail %q", d)
		}
		// Every number, size and digest written is said again.
		for _, n := range regexp.MustCompile(`[0-9][0-9a-fx.]*`).FindAllString(d, -1) {
			if !strings.Contains(th, n) {
				t.Errorf("the Thai for %q lost %s: %q", d, n, th)
			}
		}
		if err := e.store.Record(context.Background(), repository.Event{Type: "derivation", Object: e.letter.ID, Agent: "archive", Outcome: "success", Detail: d}); err != nil {
			t.Fatal(err)
		}
	}
	code, body := e.get(t, "/desk/items/"+e.letter.ID+"?lang=th")
	if code != 200 {
		t.Fatalf("the Thai item form: %d", code)
	}
	if found := englishIn(pageText(body)); len(found) > 0 {
		t.Errorf("the Thai item history says in English: %s", strings.Join(found, "; "))
	}
	for _, d := range archiveDetails[:3] {
		if _, en := e.get(t, "/desk/items/"+e.letter.ID+"?lang=en"); !strings.Contains(pageText(en), d) {
			t.Errorf("the English item history lost the detail %q", d)
		}
	}
}
