package repository

import "strings"

// Markup is an element of a finding aid kept as written (in EAD3's form):
// its name, its attributes in order, and its content in order. A text in
// the content is a Markup with no name and only Text. It is what the
// archive does not model as a field, so that a finding aid goes out as it
// came in.
type Markup struct {
	Name    string   `json:"n,omitempty"`
	Attrs   []Attr   `json:"a,omitempty"`
	Content []Markup `json:"c,omitempty"`
	Text    string   `json:"t,omitempty"`
}

// Attr is an attribute of a kept element.
type Attr struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

// Attr is the value of the element's attribute name ("" when it has none).
func (m Markup) Attr(name string) string {
	for _, a := range m.Attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// String is the element's text, its spaces collapsed.
func (m Markup) String() string {
	var b strings.Builder
	var walk func(Markup)
	walk = func(m Markup) {
		b.WriteString(m.Text)
		for _, c := range m.Content {
			walk(c)
		}
	}
	walk(m)
	return strings.Join(strings.Fields(b.String()), " ")
}
