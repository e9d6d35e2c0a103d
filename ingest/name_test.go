package ingest_test

import (
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

func TestDisplayNameDropsControlsBidiOverridesAndDotParts(t *testing.T) {
	for in, want := range map[string]string{
		"scan-0042.tif":                   "scan-0042.tif",
		"box1/scan-0042.tif":              "box1/scan-0042.tif",
		"../../etc/passwd":                "etc/passwd",
		`..\..\windows\win.ini`:           "windows/win.ini",
		"./a//b/./c.tif":                  "a/b/c.tif",
		"a\x00b\r\nc.tif":                 "abc.tif",
		"invoice\u202Egpj.exe":            "invoicegpj.exe",
		"\u2066x\u2069.tif":               "x.tif",
		"e\u0301.tif":                     "\u00e9.tif", // NFC
		"จดหมาย.tif":                      "จดหมาย.tif",
		"..":                              "unnamed",
		"\r\n":                            "unnamed",
		strings.Repeat("ก", 200) + ".tif": strings.Repeat("ก", 83) + ".tif",
		"bad\xffbyte.tif":                 "badbyte.tif",
		strings.Repeat(strings.Repeat("a", 200)+"/", 10) + "z.tif": strings.TrimSuffix(strings.Repeat(strings.Repeat("a", 200)+"/", 5), "/"),
	} {
		if got := ingest.DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIngestKeepsACleanedNameAndTheOriginalEscapedInTheEvent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.jpg")
	writeJPEG(t, p, pattern(64, 64, color.RGBA{200, 10, 10, 255}))
	raw := "../..\\box\x00/\r\nletter\u202Egpj.jpg"
	e := newEnv(t, localBlobs(t))
	out := e.run([]ingest.Unit{{Files: []ingest.Input{{Path: p, Name: raw}}, Meta: repository.Item{Institution: "cmu"}}})
	o := out[raw]
	if o.Status != ingest.Ingested {
		t.Fatalf("%+v", out)
	}
	it, err := e.store.Item(o.Item)
	if err != nil {
		t.Fatal(err)
	}
	if got := it.Files[0].Name; got != "box/lettergpj.jpg" {
		t.Errorf("the record keeps the name %q", got)
	}
	if it.Title["none"] != "lettergpj" {
		t.Errorf("titled %q", it.Title)
	}
	events, err := e.store.Events(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ingestion string
	for _, ev := range events {
		if strings.ContainsAny(ev.Detail, "\x00\r\n\u202E") {
			t.Errorf("event %s keeps the raw name: %q", ev.Type, ev.Detail)
		}
		if ev.Type == "ingestion" {
			ingestion = ev.Detail
		}
	}
	if want := `box/lettergpj.jpg (named "../..\\box\x00/\r\nletter\u202egpj.jpg")`; !strings.Contains(ingestion, want) {
		t.Errorf("the ingestion event %q does not keep the original escaped (%s)", ingestion, want)
	}
}
