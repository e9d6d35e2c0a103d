// Package presentation builds IIIF Presentation 3.0 (and 2.1) documents —
// manifests for items, collections for archival collections, libraries and
// the whole archive — from the repository's records, without HTTP.
// https://iiif.io/api/presentation/3.0/
package presentation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/iiif/contentsearch"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Context3 is the Presentation 3 JSON-LD context.
const Context3 = "http://iiif.io/api/presentation/3/context.json"

// Doc is a JSON document; encoding/json sorts its keys, so output is stable.
type Doc = map[string]any

// Site builds the URLs documents point at.
type Site struct {
	Base string // scheme://host, no trailing slash
	// protected: image services carry the auth services (set by Manifest).
	protected bool
	// room: the images are read in their library's reading rooms only, so
	// their services name the kiosk (set by Manifest).
	room bool
}

// ManifestURL is an item's manifest.
func (s Site) ManifestURL(item string) string { return s.Base + "/iiif/3/manifest/" + item }

// CollectionURL is a collection document.
func (s Site) CollectionURL(id string) string { return s.Base + "/iiif/3/collection/" + id }

// ImageID is the IIIF image identifier of an item's file n (from 1).
func ImageID(item string, n int) string { return fmt.Sprintf("%s-%d", item, n) }

// WebURL is where the copy of a recording that browsers play is served
// (with byte ranges).
func (s Site) WebURL(item string, n int) string {
	return fmt.Sprintf("%s/api/v1/items/%s/files/%d/web", s.Base, item, n)
}

// FileURL is where a master file is served (with byte ranges).
func (s Site) FileURL(item string, n int) string {
	return fmt.Sprintf("%s/api/v1/items/%s/files/%d", s.Base, item, n)
}

// ALTOURL is where the text of an item's file n is served as ALTO XML.
func (s Site) ALTOURL(item string, n int) string {
	return fmt.Sprintf("%s/api/v1/items/%s/files/%d/alto", s.Base, item, n)
}

// searchServices are the Content Search 2.0 service of an item's text and
// the 1.0 one that viewers such as Mirador use, each with autocomplete;
// both answer with the canvases of the Presentation 3 manifest.
func (s Site) searchServices(item string) []any {
	return []any{
		Doc{"id": contentsearch.SearchURL(s.Base, item, 2), "type": "SearchService2",
			"service": []Doc{{"id": contentsearch.AutocompleteURL(s.Base, item, 2), "type": "AutoCompleteService2"}}},
		Doc{"@id": contentsearch.SearchURL(s.Base, item, 1), "@type": "SearchService1", "profile": "http://iiif.io/api/search/1/search",
			"service": []Doc{{"@id": contentsearch.AutocompleteURL(s.Base, item, 1), "@type": "AutoCompleteService1", "profile": "http://iiif.io/api/search/1/autocomplete"}}},
	}
}

// lang turns a repository language map into IIIF's: each language an array.
func lang(t repository.Text) Doc {
	out := Doc{}
	for k, v := range t {
		if v != "" {
			out[k] = []string{v}
		}
	}
	return out
}

func both(th, en string) Doc { return Doc{"th": []string{th}, "en": []string{en}} }

// Input is everything a manifest is made from.
type Input struct {
	Item        *repository.Item
	Institution *repository.Institution
	Collection  *repository.Collection // may be nil
	// Download says whether masters may be offered for download.
	Download bool
	// Protected: the images are not public, so their services carry the
	// sign-in (auth) services.
	Protected bool
	// Room: the images are read in their library's reading rooms only; their
	// services name the kiosk access service.
	Room bool
	// Stub: the reader may not see the description; the manifest names
	// nothing but the pages, so a viewer can offer to sign in.
	Stub bool
	// Annotated are the canvases (from 1) that hold public annotations,
	// whose manifest entries point to their first page.
	Annotated []int
}

// stubTitle names an item whose description the reader may not see.
var stubTitle = repository.Text{"th": "รายการจำกัดการเข้าถึง", "en": "Restricted item"}

// stub is the item with nothing but its pages' shapes.
func stub(it *repository.Item) *repository.Item {
	out := &repository.Item{ID: it.ID, Institution: it.Institution, Title: stubTitle, Access: it.Access, Version: it.Version}
	for _, f := range it.Files {
		out.Files = append(out.Files, repository.File{MediaType: f.MediaType, Width: f.Width, Height: f.Height, Duration: f.Duration,
			Derivatives: map[string]string{"access": f.Derivatives["access"]}, Web: f.Web})
	}
	return out
}

// Manifest builds the Presentation 3 manifest of an item.
func (s Site) Manifest(in Input) Doc {
	if in.Stub {
		in.Item, in.Collection, in.Download = stub(in.Item), nil, false
	}
	s.protected, s.room = in.Protected, in.Room
	it := in.Item
	id := s.ManifestURL(it.ID)
	m := Doc{
		"@context": Context3,
		"id":       id,
		"type":     "Manifest",
		"label":    lang(it.Title),
		"metadata": s.metadata(in),
		"homepage": []Doc{{"id": s.Base + "/items/" + it.ID, "type": "Text", "label": lang(it.Title), "format": "text/html"}},
		"seeAlso": []Doc{{"id": s.Base + "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=" + OAIIdentifier(it.ID),
			"type": "Dataset", "format": "text/xml", "profile": "http://www.openarchives.org/OAI/2.0/oai_dc/", "label": both("ระเบียนดับลินคอร์", "Dublin Core record")}},
		"provider": []Doc{s.provider(in.Institution)},
	}
	if !it.Summary.Empty() {
		m["summary"] = lang(it.Summary)
	}
	attribution := it.Attribution
	if attribution.Empty() {
		attribution = in.Institution.Name
	}
	m["requiredStatement"] = Doc{"label": both("แหล่งที่มา", "Attribution"), "value": lang(attribution)}
	if it.Rights != "" {
		m["rights"] = it.Rights
	}
	if d, err := edtf.Parse(it.Date); err == nil {
		if t, ok := d.NavDate(); ok {
			m["navDate"] = t.UTC().Format(time.RFC3339)
		}
	}
	if len(it.Behavior) > 0 {
		m["behavior"] = it.Behavior
	}
	if it.ViewingDirection != "" {
		m["viewingDirection"] = it.ViewingDirection
	}
	if in.Collection != nil {
		m["partOf"] = []Doc{{"id": s.CollectionURL(in.Collection.ID), "type": "Collection", "label": lang(in.Collection.Title)}}
	}
	var canvases []canvasDoc
	var rendering []Doc
	canvasOf := map[int]string{}
	offered := map[string]bool{} // a PDF's pages share one master: offered once
	for i, f := range it.Files {
		n := i + 1
		if in.Download && !offered[f.SHA256] {
			offered[f.SHA256] = true
			rendering = append(rendering, Doc{"id": s.FileURL(it.ID, n), "type": renderingType(f.MediaType), "format": f.MediaType,
				"label": both(fmt.Sprintf("ดาวน์โหลดต้นฉบับ %s (%s)", f.Name, Size(f.Size)), fmt.Sprintf("Download the master %s (%s)", f.Name, Size(f.Size)))})
		}
		c := s.canvas(it, f, n, in.Download)
		if slices.Contains(in.Annotated, n) {
			c.Annotations = append(c.Annotations, annoPageRef{ID: fmt.Sprintf("%s/annotations/%s/%d/?page=0", s.Base, it.ID, n), Type: "AnnotationPage"})
		}
		canvasOf[i] = c.ID
		canvases = append(canvases, c)
	}
	m["items"] = canvases
	if in.Download && contentsearch.HasText(it) {
		m["service"] = s.searchServices(it.ID)
	}
	if len(rendering) > 0 {
		m["rendering"] = rendering
	}
	if th := s.thumbnail(it); th != nil {
		m["thumbnail"] = []Doc{th}
	}
	if len(it.Structures) > 0 {
		var ranges []Doc
		for i, r := range it.Structures {
			ranges = append(ranges, s.rangeDoc(id, fmt.Sprint(i+1), r, canvasOf))
		}
		m["structures"] = ranges
	}
	return m
}

func renderingType(mt string) string {
	switch {
	case strings.HasPrefix(mt, "image/"):
		return "Image"
	case strings.HasPrefix(mt, "audio/"):
		return "Sound"
	case strings.HasPrefix(mt, "video/"):
		return "Video"
	}
	return "Text"
}

// Size writes a byte count the way people read it (12.3 MB).
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d kB", max(1, n>>10))
}

func (s Site) rangeDoc(manifest, id string, r repository.Range, canvasOf map[int]string) Doc {
	var items []Doc
	for _, c := range r.Canvases {
		if cid, ok := canvasOf[c]; ok {
			items = append(items, Doc{"id": cid, "type": "Canvas"})
		}
	}
	for j, sub := range r.Ranges {
		items = append(items, s.rangeDoc(manifest, fmt.Sprintf("%s-%d", id, j+1), sub, canvasOf))
	}
	return Doc{"id": manifest + "/range/" + id, "type": "Range", "label": lang(r.Label), "items": items}
}

func (s Site) provider(in *repository.Institution) Doc {
	p := Doc{"id": s.Base + "/libraries/" + in.ID, "type": "Agent", "label": lang(in.Name),
		"logo": []Doc{{"id": s.Base + "/assets/logo/" + in.ID + ".png", "type": "Image", "format": "image/png", "width": 120, "height": 120}}}
	if in.Homepage != "" {
		p["homepage"] = []Doc{{"id": in.Homepage, "type": "Text", "label": lang(in.Name), "format": "text/html"}}
	}
	return p
}

// imageService lists the Image API 3 service and a 2.1 one for older clients.
func (s Site) imageService(img string) []any {
	if s.protected || s.room {
		return []any{
			service3{ID: s.Base + "/iiif/3/" + img, Type: "ImageService3", Profile: "level2", Service: s.authServices(img)},
			service2{ID: s.Base + "/iiif/2/" + img, Type: "ImageService2", Profile: "http://iiif.io/api/image/2/level2.json", Service: s.authServices(img)},
		}
	}
	return []any{
		service3{ID: s.Base + "/iiif/3/" + img, Type: "ImageService3", Profile: "level2"},
		service2{ID: s.Base + "/iiif/2/" + img, Type: "ImageService2", Profile: "http://iiif.io/api/image/2/level2.json"},
	}
}

func (s Site) thumbnail(it *repository.Item) Doc {
	for i, f := range it.Files {
		switch {
		case f.Derivatives["access"] != "":
			img := ImageID(it.ID, i+1)
			w, h := fit(f.Width, f.Height, 400)
			return Doc{"id": fmt.Sprintf("%s/iiif/3/%s/full/%d,%d/0/default.jpg", s.Base, img, w, h), "type": "Image", "format": "image/jpeg",
				"width": w, "height": h, "service": s.imageService(img)}
		case f.Derivatives["poster"] != "":
			return Doc{"id": fmt.Sprintf("%s/api/v1/items/%s/files/%d/poster", s.Base, it.ID, i+1), "type": "Image", "format": "image/jpeg"}
		case strings.HasPrefix(f.MediaType, "audio/") && f.Derivatives["thumb"] != "":
			return Doc{"id": s.waveformURL(it.ID, i+1), "type": "Image", "format": "image/jpeg", "width": WaveformWidth, "height": WaveformHeight}
		}
	}
	return nil
}

func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, h*box/w)
	}
	return max(1, w*box/h), box
}

// avCanvas paints a canvas with a recording: the copy browsers play once
// it is made (the master until then), with the master offered as a
// download beside it where the reader may have it.
func (s Site) avCanvas(c canvasDoc, it *repository.Item, f repository.File, n int, download bool) (canvasDoc, resource) {
	typ := "Sound"
	if strings.HasPrefix(f.MediaType, "video/") {
		typ = "Video"
	}
	body := resource{ID: s.FileURL(it.ID, n), Type: typ, Format: f.MediaType, Duration: f.Duration}
	if typ == "Video" {
		body.Width, body.Height = f.Width, f.Height
	}
	if w := f.Web; w != nil {
		body = resource{ID: s.WebURL(it.ID, n), Type: typ, Format: w.MediaType, Duration: cmpOr(w.Duration, f.Duration)}
		if typ == "Video" {
			body.Width, body.Height = w.Width, w.Height
		}
	}
	// The canvas is the shape people see: the copy's (square pixels).
	c.Width, c.Height, c.Duration = body.Width, body.Height, f.Duration
	switch {
	case f.Derivatives["poster"] != "":
		c.Thumbnail = []resource{{ID: fmt.Sprintf("%s/api/v1/items/%s/files/%d/poster", s.Base, it.ID, n), Type: "Image", Format: "image/jpeg"}}
	case typ == "Sound" && f.Derivatives["thumb"] != "":
		c.Thumbnail = []resource{{ID: s.waveformURL(it.ID, n), Type: "Image", Format: "image/jpeg", Width: WaveformWidth, Height: WaveformHeight}}
	}
	if download {
		c.Rendering = []rendering{{ID: s.FileURL(it.ID, n), Type: typ, Format: f.MediaType,
			Label: both(fmt.Sprintf("ดาวน์โหลดต้นฉบับ %s (%s)", f.Name, Size(f.Size)), fmt.Sprintf("Download the master %s (%s)", f.Name, Size(f.Size)))}}
	}
	return c, body
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// WaveformWidth and WaveformHeight are the size of a recording's waveform
// thumbnail (made by ingest's transcoder).
const (
	WaveformWidth  = 400
	WaveformHeight = 160
)

func (s Site) waveformURL(item string, n int) string {
	return fmt.Sprintf("%s/api/v1/items/%s/files/%d/thumb", s.Base, item, n)
}

// Canvases are the bulk of a large manifest: typed, so they marshal fast.
type canvasDoc struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"`
	Label     Doc           `json:"label"`
	Width     int           `json:"width,omitempty"`
	Height    int           `json:"height,omitempty"`
	Duration  float64       `json:"duration,omitempty"`
	Thumbnail []resource    `json:"thumbnail,omitempty"`
	Rendering []rendering   `json:"rendering,omitempty"`
	SeeAlso   []seeAlso     `json:"seeAlso,omitempty"`
	Items     []annoPageDoc `json:"items"`
	// Annotations link the page's text (supplementing annotations).
	Annotations []annoPageRef `json:"annotations,omitempty"`
}

type annoPageRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// seeAlso is a machine-readable description of a canvas: its text as ALTO.
type seeAlso struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Format  string `json:"format"`
	Profile string `json:"profile"`
	Label   Doc    `json:"label"`
}

// rendering is a download offered beside a canvas: a recording's master.
type rendering struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Format string `json:"format"`
	Label  Doc    `json:"label"`
}

type annoPageDoc struct {
	ID    string          `json:"id"`
	Type  string          `json:"type"`
	Items []annotationDoc `json:"items"`
}

type annotationDoc struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"`
	Motivation string   `json:"motivation"`
	Target     string   `json:"target"`
	Body       resource `json:"body"`
}

// resource is a content resource: an image, a recording, a document.
type resource struct {
	ID       string  `json:"id"`
	Type     string  `json:"type"`
	Format   string  `json:"format,omitempty"`
	Width    int     `json:"width,omitempty"`
	Height   int     `json:"height,omitempty"`
	Duration float64 `json:"duration,omitempty"`
	Service  []any   `json:"service,omitempty"`
}

type service3 struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Profile string `json:"profile"`
	Service []any  `json:"service,omitempty"`
}

type service2 struct {
	ID      string `json:"@id"`
	Type    string `json:"@type"`
	Profile string `json:"profile"`
	Service []any  `json:"service,omitempty"`
}

func (s Site) canvas(it *repository.Item, f repository.File, n int, download bool) canvasDoc {
	cid := fmt.Sprintf("%s/canvas/%d", s.ManifestURL(it.ID), n)
	label := f.Label
	if label.Empty() {
		label = repository.Text{"th": fmt.Sprintf("หน้า %d", n), "en": fmt.Sprintf("Page %d", n)}
		if len(it.Files) == 1 {
			label = it.Title
		}
	}
	c := canvasDoc{ID: cid, Type: "Canvas", Label: lang(label)}
	var body resource
	switch {
	case f.Derivatives["access"] != "":
		img := ImageID(it.ID, n)
		c.Width, c.Height = f.Width, f.Height
		tw, th := fit(f.Width, f.Height, 200)
		c.Thumbnail = []resource{{ID: fmt.Sprintf("%s/iiif/3/%s/full/%d,%d/0/default.jpg", s.Base, img, tw, th), Type: "Image", Format: "image/jpeg", Width: tw, Height: th}}
		body = resource{ID: s.Base + "/iiif/3/" + img + "/full/max/0/default.jpg", Type: "Image", Format: "image/jpeg",
			Width: f.Width, Height: f.Height, Service: s.imageService(img)}
	case strings.HasPrefix(f.MediaType, "video/"), strings.HasPrefix(f.MediaType, "audio/"):
		c, body = s.avCanvas(c, it, f, n, download)
	default:
		// Text and PDF: a page-shaped canvas painted with the document.
		c.Width, c.Height = 1000, 1414
		body = resource{ID: s.FileURL(it.ID, n), Type: renderingType(f.MediaType), Format: strings.Split(f.MediaType, ";")[0]}
	}
	c.Items = []annoPageDoc{{ID: cid + "/page", Type: "AnnotationPage",
		Items: []annotationDoc{{ID: cid + "/page/painting", Type: "Annotation", Motivation: "painting", Target: cid, Body: body}}}}
	if download && f.Derivatives["alto"] != "" {
		c.Annotations = []annoPageRef{{ID: contentsearch.TextURL(s.Base, it.ID, n), Type: "AnnotationPage"}}
		c.SeeAlso = []seeAlso{{ID: s.ALTOURL(it.ID, n), Type: "Dataset", Format: "application/xml", Profile: "http://www.loc.gov/standards/alto/v4/alto.xsd",
			Label: both("ข้อความของหน้านี้ (ALTO)", "Text of this page (ALTO)")}}
	}
	return c
}

var dcTypeLabel = map[string]Doc{
	"Image":       both("ภาพ", "Image"),
	"Text":        both("ข้อความ", "Text"),
	"Sound":       both("เสียง", "Sound"),
	"MovingImage": both("ภาพเคลื่อนไหว", "Moving image"),
}

func (s Site) metadata(in Input) []Doc {
	it := in.Item
	var md []Doc
	add := func(label, value Doc) { md = append(md, Doc{"label": label, "value": value}) }
	if d, err := edtf.Parse(it.Date); err == nil {
		add(both("วันที่", "Date"), both(d.Format("th"), d.Format("en")))
	}
	if !it.Creator.Empty() {
		add(both("ผู้สร้างสรรค์", "Creator"), lang(it.Creator))
	}
	if len(it.Subjects) > 0 {
		v := Doc{}
		for _, sub := range it.Subjects {
			for k, t := range sub {
				list, _ := v[k].([]string)
				v[k] = append(list, t)
			}
		}
		add(both("หัวเรื่อง", "Subjects"), v)
	}
	if t, ok := dcTypeLabel[it.Type]; ok {
		add(both("ประเภท", "Type"), t)
	}
	if len(it.Language) > 0 {
		add(both("ภาษา", "Language"), Doc{"none": slices.Clone(it.Language)})
	}
	add(both("หน่วยงานผู้ถือครอง", "Holding library"), lang(in.Institution.Name))
	if in.Collection != nil {
		add(both("ชุดเอกสาร", "Collection"), lang(in.Collection.Title))
	}
	for _, f := range it.Metadata {
		add(lang(f.Label), lang(f.Value))
	}
	if it.ARK != "" {
		add(both("ตัวระบุถาวร (ARK) สำหรับอ้างอิง", "Persistent identifier (ARK) to cite"), Doc{"none": []string{s.ARKURL(it.ARK)}})
	}
	return md
}

// ARKURL is where an ARK answers on this site.
func (s Site) ARKURL(a string) string { return s.Base + "/" + a }

// OAIIdentifier is an item's identifier in OAI-PMH.
func OAIIdentifier(item string) string { return "oai:archive:" + item }

// authServices are the auth services of an image that is not public: the
// kiosk's and the sign-in for reading-room material, the sign-in else.
func (s Site) authServices(img string) []any {
	if s.room {
		return auth.RoomServices(s.Base, img)
	}
	return auth.Services(s.Base, img)
}
