package annotation

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// The data model's names (https://www.w3.org/TR/annotation-model/).
const (
	Context    = "http://www.w3.org/ns/anno.jsonld"
	MediaFrags = "http://www.w3.org/TR/media-frags/"
)

// Motivations are the motivations an annotation or a body's purpose may name.
var Motivations = []string{"commenting", "tagging", "describing", "supplementing", "transcribing", "identifying"}

// served are the fields the archive sets on every annotation it answers;
// a client's own are ignored.
var served = []string{"id", "created", "modified", "creator", "generator", "audience", "review"}

var (
	xywh     = regexp.MustCompile(`^xywh=(?:pixel:|percent:)?(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$`)
	langTag  = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$`)
	sanitise = bluemonday.UGCPolicy()
)

// parsed is a posted annotation, checked: its document as it will be kept,
// and who may read it.
type parsed struct {
	doc      json.RawMessage
	audience string
	// transcription: its motivation is supplementing or transcribing,
	// so its text, once approved, is its page's.
	transcription bool
}

// modelError is an annotation refused by the data model's checks: the
// reason, of kind fault.Invalid.
type modelError struct{ reason string }

func (e *modelError) Error() string { return "annotation: " + e.reason + ": " + fault.Invalid.Error() }

// Unwrap makes it a fault.Invalid.
func (e *modelError) Unwrap() error { return fault.Invalid }

func invalid(format string, args ...any) error {
	return &modelError{reason: fmt.Sprintf(format, args...)}
}

// parse checks a posted annotation against the data model for a target on
// canvas (its IIIF canvas URI), and returns it as the archive keeps it:
// without the fields the archive sets, with the HTML of its bodies
// sanitised.
func parse(body []byte, canvas string) (*parsed, error) {
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, invalid("the body is not a JSON object (%v)", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("the body holds more than one JSON value")
	}
	if !names(doc["@context"], Context) {
		return nil, invalid(`"@context" must be %q`, Context)
	}
	if !names(doc["type"], "Annotation") {
		return nil, invalid(`"type" must be "Annotation"`)
	}
	out := &parsed{audience: repository.AudiencePrivate}
	if raw, ok := doc["audience"]; ok {
		var a string
		if json.Unmarshal(raw, &a) != nil || !validAudience(a) {
			return nil, invalid(`"audience" must be "public", "private" or "group:" and a group's id`)
		}
		out.audience = a
	}
	for _, k := range served {
		delete(doc, k)
	}
	if raw, ok := doc["motivation"]; ok {
		ms, err := strings1(raw)
		if err != nil || len(ms) == 0 {
			return nil, invalid(`"motivation" must be one motivation or a list of them`)
		}
		for _, m := range ms {
			if !slices.Contains(Motivations, m) {
				return nil, invalid("no motivation %q (one of %s)", m, strings.Join(Motivations, ", "))
			}
			out.transcription = out.transcription || m == "supplementing" || m == "transcribing"
		}
	}
	if err := checkTarget(doc["target"], canvas); err != nil {
		return nil, err
	}
	if raw, ok := doc["body"]; ok {
		b, err := checkBodies(raw)
		if err != nil {
			return nil, err
		}
		doc["body"] = b
	}
	if raw, ok := doc["bodyValue"]; ok {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return nil, invalid(`"bodyValue" must be text`)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	out.doc = b
	return out, nil
}

// names reports whether raw is want or a list holding it.
func names(raw json.RawMessage, want string) bool {
	ss, err := strings1(raw)
	return err == nil && slices.Contains(ss, want)
}

// strings1 reads a string or a list of strings.
func strings1(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(raw, &many)
	return many, err
}

type target struct {
	Type     string          `json:"type"`
	Source   json.RawMessage `json:"source"`
	Selector json.RawMessage `json:"selector"`
}

type selector struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	ConformsTo string `json:"conformsTo"`
}

// checkTarget: the canvas, alone, with a media fragment, or as a specific
// resource with a FragmentSelector (xywh) or an SvgSelector.
func checkTarget(raw json.RawMessage, canvas string) error {
	if len(raw) == 0 {
		return invalid(`a "target" is required: the canvas %s`, canvas)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		src, frag, _ := strings.Cut(s, "#")
		if src != canvas {
			return invalid("the target %q is not this canvas, %s", src, canvas)
		}
		if frag != "" && !xywh.MatchString(frag) {
			return invalid("the target's fragment %q is not xywh=x,y,w,h", frag)
		}
		return nil
	}
	var t target
	if err := json.Unmarshal(raw, &t); err != nil {
		return invalid(`"target" must be the canvas's URI or one object with a "source" and a "selector"`)
	}
	var src string
	if json.Unmarshal(t.Source, &src) != nil {
		var obj struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(t.Source, &obj) != nil || obj.ID == "" {
			return invalid(`the target needs a "source": the canvas %s`, canvas)
		}
		src = obj.ID
	}
	if src != canvas {
		return invalid("the target's source %q is not this canvas, %s", src, canvas)
	}
	if len(t.Selector) == 0 {
		return nil
	}
	var sels []selector
	if t.Selector[0] == '[' {
		if err := json.Unmarshal(t.Selector, &sels); err != nil {
			return invalid(`"selector" must be a selector or a list of them`)
		}
	} else {
		var one selector
		if err := json.Unmarshal(t.Selector, &one); err != nil {
			return invalid(`"selector" must be a selector or a list of them`)
		}
		sels = append(sels, one)
	}
	for _, sel := range sels {
		if err := checkSelector(sel); err != nil {
			return err
		}
	}
	return nil
}

func checkSelector(sel selector) error {
	switch sel.Type {
	case "FragmentSelector":
		if sel.ConformsTo != "" && sel.ConformsTo != MediaFrags {
			return invalid("a FragmentSelector must conform to %s, not %q", MediaFrags, sel.ConformsTo)
		}
		m := xywh.FindStringSubmatch(sel.Value)
		if m == nil {
			return invalid("the FragmentSelector's value %q is not xywh=x,y,w,h", sel.Value)
		}
		for _, n := range m[3:] {
			if f, _ := strconv.ParseFloat(n, 64); f <= 0 {
				return invalid("the FragmentSelector's value %q has an empty width or height", sel.Value)
			}
		}
		return nil
	case "SvgSelector":
		return checkSVG(sel.Value)
	}
	return invalid("no selector type %q (FragmentSelector or SvgSelector)", sel.Type)
}

// shapes are the SVG elements a selector may draw with.
var shapes = []string{"svg", "g", "path", "polygon", "polyline", "rect", "circle", "ellipse", "line"}

// checkSVG takes an SVG of shapes only: no scripts, links, styles or
// event handlers, which a viewer would run.
func checkSVG(v string) error {
	d := xml.NewDecoder(strings.NewReader(v))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return invalid("the SvgSelector's value is not XML (%v)", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = el.Name.Local
		}
		if !slices.Contains(shapes, el.Name.Local) {
			return invalid("the SvgSelector may draw with %s, not <%s>", strings.Join(shapes, ", "), el.Name.Local)
		}
		for _, a := range el.Attr {
			if n := strings.ToLower(a.Name.Local); strings.HasPrefix(n, "on") || n == "href" || n == "style" {
				return invalid("the SvgSelector's <%s> may not have the attribute %q", el.Name.Local, a.Name.Local)
			}
		}
	}
	if root != "svg" {
		return invalid("the SvgSelector's value must be an <svg> element")
	}
	return nil
}

// textBody is a TextualBody as the archive takes it.
type textBody struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Format   string `json:"format,omitempty"`
	Language string `json:"language,omitempty"`
	Purpose  string `json:"purpose,omitempty"`
}

// checkBodies takes one TextualBody or a list of them, and returns them
// with their HTML sanitised.
func checkBodies(raw json.RawMessage) (json.RawMessage, error) {
	var list []textBody
	many := len(raw) > 0 && raw[0] == '['
	if many {
		if err := strictly(raw, &list); err != nil {
			return nil, invalid(`"body" must be a TextualBody or a list of them (%v)`, err)
		}
	} else {
		var one textBody
		if err := strictly(raw, &one); err != nil {
			return nil, invalid(`"body" must be a TextualBody or a list of them (%v)`, err)
		}
		list = []textBody{one}
	}
	for i := range list {
		b := &list[i]
		switch {
		case b.Type != "TextualBody":
			return nil, invalid("body %d: no body type %q (TextualBody)", i+1, b.Type)
		case strings.TrimSpace(b.Value) == "":
			return nil, invalid(`body %d: a TextualBody needs a "value"`, i+1)
		case b.Language != "" && !langTag.MatchString(b.Language):
			return nil, invalid("body %d: %q is not a language tag (th, en, …)", i+1, b.Language)
		case b.Purpose != "" && !slices.Contains(Motivations, b.Purpose):
			return nil, invalid("body %d: no purpose %q (one of %s)", i+1, b.Purpose, strings.Join(Motivations, ", "))
		}
		switch b.Format {
		case "", "text/plain":
		case "text/html":
			b.Value = sanitise.Sanitize(b.Value)
		default:
			return nil, invalid("body %d: no format %q (text/plain or text/html)", i+1, b.Format)
		}
	}
	var out any = list
	if !many {
		out = list[0]
	}
	return json.Marshal(out)
}

// strictly decodes raw into v, refusing fields v does not have.
func strictly(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
