package presentation

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/thaiarchives/archive/repository"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const schemaPath = "../../testdata/iiif/presentation-3.schema.json"

var site = Site{Base: "https://archive.example.org"}

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("presentation-3.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("presentation-3.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// check compares doc with its golden file and validates it against the
// official schema.
func check(t *testing.T, name string, doc Doc, sch *jsonschema.Schema) {
	t.Helper()
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		os.WriteFile(path, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (run go test -update): %v", err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s differs from %s (run go test -update and review the diff)", name, path)
	}
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(got))
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not validate against the IIIF Presentation 3 schema:\n%v", name, err)
	}
}

var (
	cmu   = &repository.Institution{ID: "cmu", Name: repository.Text{"th": "มหาวิทยาลัยเชียงใหม่", "en": "Chiang Mai University"}, Homepage: "https://library.cmu.ac.th/"}
	tu    = &repository.Institution{ID: "tu", Name: repository.Text{"th": "มหาวิทยาลัยธรรมศาสตร์", "en": "Thammasat University"}, Homepage: "https://library.tu.ac.th/"}
	lanna = &repository.Collection{ID: "cmu-lanna", Institution: "cmu", Level: repository.Fonds, Title: repository.Text{"th": "เอกสารล้านนา", "en": "Lanna documents"}}
	sha   = strings.Repeat("ab", 32)
)

func imageFile(name string, w, h, page int) repository.File {
	return repository.File{Name: name, SHA256: sha, Size: 5 << 20, MediaType: "image/tiff", Width: w, Height: h, Page: page,
		Derivatives: map[string]string{"access": "derivatives/x/p.tif", "thumb": "derivatives/x/t.jpg"}}
}

func items() map[string]*repository.Item {
	mod := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return map[string]*repository.Item{
		"image": {ID: "b7x9k2m4qd", Institution: "cmu", Collection: "cmu-lanna", Type: "Image",
			Title: repository.Text{"th": "แผนที่เมืองเชียงใหม่", "en": "Map of Chiang Mai"}, Summary: repository.Text{"en": "Hand-drawn map."},
			Date: "1932~", Rights: "http://rightsstatements.org/vocab/NoC-US/1.0/", Access: repository.Access{Level: "public"},
			Creator: repository.Text{"none": "Unknown"}, Subjects: []repository.Text{{"th": "แผนที่", "en": "Maps"}},
			Metadata: []repository.Field{{Label: repository.Text{"en": "Publisher"}, Value: repository.Text{"th": "กรมแผนที่ทหาร"}}},
			Files:    []repository.File{imageFile("map.tif", 8000, 6000, 0)}, Version: 2, Modified: mod},
		"pages": {ID: "c8z0p3n5rf", Institution: "cmu", Type: "Text", Title: repository.Text{"th": "คัมภีร์ใบลาน", "en": "Palm-leaf manuscript"},
			Date: "2019-06-18", ViewingDirection: "right-to-left", Behavior: []string{"paged"}, Access: repository.Access{Level: "public"},
			Files: []repository.File{imageFile("leaf.tif", 3000, 600, 1), imageFile("leaf.tif", 3000, 600, 2), imageFile("leaf.tif", 3000, 600, 3)},
			Structures: []repository.Range{{Label: repository.Text{"th": "บทนำ", "en": "Introduction"}, Canvases: []int{0}},
				{Label: repository.Text{"en": "Text"}, Canvases: []int{1, 2}, Ranges: []repository.Range{{Label: repository.Text{"en": "Colophon"}, Canvases: []int{2}}}}},
			Version: 1, Modified: mod},
		"video": {ID: "d9b1q4p6sg", Institution: "tu", Type: "MovingImage", Title: repository.Text{"th": "ภาพยนตร์พิธีรับปริญญา", "en": "Graduation film"},
			Access: repository.Access{Level: "public"}, Files: []repository.File{{Name: "film.mov", SHA256: sha, Size: 800 << 20, MediaType: "video/quicktime",
				Width: 720, Height: 480, Duration: 93.5, Derivatives: map[string]string{"poster": "derivatives/x/poster.jpg", "web": "derivatives/x/web.mp4"},
				Web: &repository.WebCopy{MediaType: "video/mp4", Width: 640, Height: 480, Duration: 93.52}}}, Version: 1, Modified: mod},
		"audio": {ID: "f0c2r5q7th", Institution: "tu", Type: "Sound", Title: repository.Text{"th": "สุนทรพจน์", "en": "Speech"},
			Access: repository.Access{Level: "public"}, Files: []repository.File{{Name: "speech.wav", SHA256: sha, Size: 55 << 20, MediaType: "audio/wav", Duration: 312.25,
				Derivatives: map[string]string{"web": "derivatives/x/web.m4a", "thumb": "derivatives/x/waveform.jpg"}, Web: &repository.WebCopy{MediaType: "audio/mp4", Duration: 312.26}}},
			Version: 1, Modified: mod},
		"audio-pending": {ID: "g1d3s6r8vj", Institution: "tu", Type: "Sound", Title: repository.Text{"th": "บทสัมภาษณ์", "en": "Interview"},
			Access: repository.Access{Level: "public"}, Files: []repository.File{{Name: "interview.flac", SHA256: sha, Size: 30 << 20, MediaType: "audio/flac", Duration: 600}},
			Version: 1, Modified: mod},
	}
}

func TestManifestsMatchGoldenAndValidate(t *testing.T) {
	sch := schema(t)
	for name, it := range items() {
		inst := cmu
		var col *repository.Collection
		if it.Institution == "tu" {
			inst = tu
		}
		if it.Collection != "" {
			col = lanna
		}
		check(t, "manifest-"+name, site.Manifest(Input{Item: it, Institution: inst, Collection: col, Download: true}), sch)
	}
}

func TestManifestSpeaksBothLanguagesAndEras(t *testing.T) {
	m := site.Manifest(Input{Item: items()["pages"], Institution: cmu})
	b, _ := json.Marshal(m)
	for _, want := range []string{`"th":["คัมภีร์ใบลาน"]`, `"en":["Palm-leaf manuscript"]`, `"th":["18 มิถุนายน 2562"]`, `"en":["18 June 2019"]`,
		`"navDate":"2019-06-18T00:00:00Z"`, `"viewingDirection":"right-to-left"`, `"@type":"ImageService2"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
	if strings.Contains(string(b), `"rendering"`) {
		t.Error("download offered where access does not allow it")
	}
}

func TestCollectionsMatchGoldenAndValidate(t *testing.T) {
	sch := schema(t)
	its := items()
	shared := site.Collection(CollectionInput{Path: "shared-maps", Label: repository.Text{"th": "แผนที่จากสามสถาบัน", "en": "Maps from three libraries"}, PartOf: "top",
		Members: []Member{
			{ID: its["image"].ID, Type: "Manifest", Label: its["image"].Title, Provider: cmu, Thumb: site.Thumb(its["image"])},
			{ID: its["video"].ID, Type: "Manifest", Label: its["video"].Title, Provider: tu, Thumb: site.Thumb(its["video"])},
		}})
	check(t, "collection-shared", shared, sch)
	library := site.Collection(CollectionInput{Path: "cmu", Label: cmu.Name, Provider: cmu, PartOf: "top",
		Members: append([]Member{{ID: "cmu-lanna", Type: "Collection", Label: lanna.Title}}, Member{ID: "cmu/page/1", Type: "Collection", Label: PageLabel(1, 1000)})})
	check(t, "collection-library", library, sch)
}

func TestManifestV2(t *testing.T) {
	m := site.ManifestV2(Input{Item: items()["pages"], Institution: cmu}, "th")
	seq := m["sequences"].([]Doc)
	if m["@type"] != "sc:Manifest" || m["label"] != "คัมภีร์ใบลาน" || len(seq[0]["canvases"].([]Doc)) != 3 {
		t.Fatalf("v2 manifest: %v", m)
	}
}

func TestChangeDiscoveryPages(t *testing.T) {
	acts := []Activity{{Type: "Create", Item: "a1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	p := site.ActivityPage(1, 3, acts)
	if p["prev"].(Doc)["id"] != "https://archive.example.org/iiif/discovery/page/0" || p["next"].(Doc)["id"] != "https://archive.example.org/iiif/discovery/page/2" {
		t.Fatalf("page links: %v", p)
	}
	item := p["orderedItems"].([]Doc)[0]
	if item["type"] != "Create" || item["endTime"] != "2026-01-02T03:04:05Z" || item["object"].(Doc)["type"] != "Manifest" {
		t.Fatalf("activity: %v", item)
	}
	if s := site.ActivityStream(250, 3); s["last"].(Doc)["id"] != "https://archive.example.org/iiif/discovery/page/2" || s["totalItems"] != 250 {
		t.Fatalf("stream: %v", s)
	}
}

// TestSchemaCatchesBrokenManifests proves the validation above can fail.
func TestSchemaCatchesBrokenManifests(t *testing.T) {
	sch := schema(t)
	m := site.Manifest(Input{Item: items()["image"], Institution: cmu})
	m["label"] = "a plain string, not a language map"
	b, _ := json.Marshal(m)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err := sch.Validate(inst); err == nil {
		t.Fatal("the schema accepted a label that is not a language map")
	}
}

func TestAVCanvasOffersTheMasterOnlyToWhoMayDownload(t *testing.T) {
	it := items()["video"]
	for _, download := range []bool{true, false} {
		m := site.Manifest(Input{Item: it, Institution: tu, Download: download})
		c := m["items"].([]canvasDoc)[0]
		body := c.Items[0].Items[0].Body
		if body.ID != site.WebURL(it.ID, 1) || body.Format != "video/mp4" || body.Duration != 93.52 || body.Width != 640 {
			t.Fatalf("painting body: %+v", body)
		}
		if got := len(c.Rendering) == 1 && c.Rendering[0].Format == "video/quicktime" && c.Rendering[0].ID == site.FileURL(it.ID, 1); got != download {
			t.Errorf("download %v: canvas rendering %+v", download, c.Rendering)
		}
	}
}
