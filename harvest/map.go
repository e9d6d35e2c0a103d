package harvest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/edtf"
)

// mapDC reads an oai_dc or a qualified Dublin Core (qdc: DSpace's, with
// dcterms) record into e.
func mapDC(e *repository.Entry, root *node) {
	var dates, issued []string
	for _, f := range root.Nodes {
		v := f.value()
		if v == "" {
			continue
		}
		switch f.XMLName.Local {
		case "title", "alternative":
			e.Title = add(e.Title, language(f.lang(), v), v, " ; ")
		case "description", "abstract":
			e.Summary = add(e.Summary, language(f.lang(), v), v, "\n\n")
		case "creator":
			e.Creators = append(e.Creators, v)
		case "subject":
			e.Subjects = append(e.Subjects, repository.Text{language(f.lang(), v): v})
		case "date", "created", "available", "dateAccepted":
			dates = append(dates, v)
		case "issued":
			issued = append(issued, v)
		case "type":
			if t := dcmiType(v); t != "" && e.Type == "" {
				e.Type = t
			}
		case "language":
			if l := languageCode(v); l != "" && !slices.Contains(e.Language, l) {
				e.Language = append(e.Language, l)
			}
		case "identifier", "relation":
			identify(e, f.XMLName.Local, v)
		}
	}
	if e.Date = pickDate(issued); e.Date == "" {
		e.Date = pickDate(dates)
	}
}

// add puts v in t under lang, after what is there already.
func add(t repository.Text, lang, v, sep string) repository.Text {
	if t == nil {
		t = repository.Text{}
	}
	if old := t[lang]; old != "" {
		v = old + sep + v
	}
	t[lang] = v
	return t
}

// language is the language of a value: its xml:lang when it names Thai or
// English, else Thai when it has Thai letters and English when not.
func language(lang, v string) string {
	switch l := strings.ToLower(lang); {
	case l == "th" || l == "tha" || strings.HasPrefix(l, "th-") || strings.HasPrefix(l, "th_"):
		return "th"
	case l == "en" || l == "eng" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_"):
		return "en"
	}
	for _, r := range v {
		if unicode.Is(unicode.Thai, r) {
			return "th"
		}
	}
	return "en"
}

// languageCode is an ISO 639-1 code for a dc:language value, "" when it
// names no language this reads.
func languageCode(v string) string {
	switch l := strings.ToLower(strings.TrimSpace(v)); l {
	case "th", "tha", "thai", "ไทย", "ภาษาไทย", "th_th", "th-th":
		return "th"
	case "en", "eng", "english", "อังกฤษ", "ภาษาอังกฤษ", "en_us", "en-us", "en_gb", "en-gb":
		return "en"
	default:
		if len(l) == 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' {
			return l
		}
		return iso639b[l]
	}
}

// iso639b is the ISO 639-1 code of the ISO 639-2 (bibliographic and
// terminology) codes MODS and MARC records of the region's libraries use
// most.
var iso639b = map[string]string{
	"fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "jpn": "ja", "chi": "zh", "zho": "zh",
	"lao": "lo", "khm": "km", "bur": "my", "mya": "my", "vie": "vi", "may": "ms", "msa": "ms",
	"ind": "id", "kor": "ko", "san": "sa", "pli": "pi", "hin": "hi", "ara": "ar", "rus": "ru",
	"spa": "es", "dut": "nl", "nld": "nl", "ita": "it", "por": "pt",
}

// dcmiType is the DCMI type a dc:type value names or implies ("" when
// none): repositories write "Thesis" or "Article" for a text.
func dcmiType(v string) string {
	l := strings.ToLower(strings.TrimSpace(v))
	l = strings.TrimPrefix(l, "http://purl.org/dc/dcmitype/")
	switch l {
	case "text", "thesis", "article", "book", "book chapter", "working paper", "technical report", "journal article", "conference paper", "วิทยานิพนธ์", "บทความ", "หนังสือ":
		return "Text"
	case "image", "stillimage", "still image", "photograph", "map", "ภาพ", "ภาพถ่าย", "แผนที่":
		return "Image"
	case "sound", "audio", "เสียง":
		return "Sound"
	case "movingimage", "moving image", "video", "วีดิทัศน์":
		return "MovingImage"
	case "dataset":
		return "Dataset"
	}
	return ""
}

// pickDate is the record's date in EDTF: the first of its dates without a
// time of day that reads (dc.date.issued, where a DSpace record also gives
// the times it was accessioned and made available), else the first that
// reads. A bare year of 2400–2700 or one written with พ.ศ. is read as the
// Buddhist Era.
func pickDate(dates []string) string {
	var later string
	for _, d := range dates {
		date, _, err := edtf.Normalize(d)
		if err != nil {
			continue
		}
		if !strings.Contains(d, "T") {
			return date
		}
		if later == "" {
			later = date
		}
	}
	return later
}

// identify keeps an identifier or relation: a handle or DOI (the link to
// the original first of all), a URL (the link when there is no handle or
// DOI), or an image URL (the thumbnail).
func identify(e *repository.Entry, kind, v string) {
	link, persistent := resolvable(v)
	switch {
	case link == "":
		if kind == "identifier" {
			e.Identifiers = append(e.Identifiers, v)
		}
		return
	case isImage(link):
		if e.Thumbnail == "" {
			e.Thumbnail = link
		}
		return
	case kind == "relation":
		return
	}
	e.Identifiers = append(e.Identifiers, v)
	if e.Link == "" || persistent && !persistentLink(e.Link) {
		e.Link = link
	}
}

// resolvable is v as a URL to open, and whether it is a handle or a DOI.
func resolvable(v string) (string, bool) {
	l := strings.ToLower(v)
	switch {
	case strings.HasPrefix(l, "hdl:"):
		return "https://hdl.handle.net/" + strings.TrimSpace(v[4:]), true
	case strings.HasPrefix(l, "doi:"):
		return "https://doi.org/" + strings.TrimSpace(v[4:]), true
	case strings.HasPrefix(l, "10.") && strings.Contains(l, "/"):
		return "https://doi.org/" + v, true
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t") {
		return "", false
	}
	return v, persistentLink(v)
}

func persistentLink(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Host)
	return h == "hdl.handle.net" || h == "doi.org" || h == "dx.doi.org"
}

func isImage(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return true
	}
	return false
}

// digest is the SHA-256 of what an entry says (not its datestamp, which a
// provider may move without a change): the same record mapped again has
// the same digest, and is not written again.
func digest(e *repository.Entry) string {
	b, _ := json.Marshal([]any{e.Sets, e.Title, e.Summary, e.Creators, e.Subjects, e.Date, e.Type, e.Language, e.Link, e.Identifiers, e.Thumbnail, e.Manifest})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
