package harvest

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/fault"
)

// maxRecord bounds the memory one record's tree takes (its names,
// attributes and text, and nodeCost for each element or run of mixed
// text): a larger record is read to its end, keeps nothing more and is
// refused, so a harvest's memory is bounded whatever a provider sends.
const maxRecord = 4 << 20

// nodeCost is what a node takes besides its strings (its struct and its
// place in its parent's slice), counted so that many empty elements
// cannot pass the bound.
const nodeCost = 128

// maxNesting bounds how deep a record's tree goes (MARC is 3 deep, an
// EAD archdesc's notes a few more).
const maxNesting = 200

// readTree reads the element that start opened, to its end, as a tree.
// Past limit bytes or maxNesting it reads on but keeps nothing more, and
// says so.
func readTree(d *xml.Decoder, start xml.StartElement, limit int) (*node, bool, error) {
	root := &node{XMLName: start.Name, Attrs: start.Attr}
	stack := []*node{root} // the open elements that are kept
	used, cut, depth := elementSize(start), false, 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return nil, false, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			used += elementSize(t) + nodeCost
			cut = cut || used > limit || depth > maxNesting
			if !cut {
				n := &node{XMLName: t.Name, Attrs: t.Attr}
				if len(top.Nodes) == 0 && strings.TrimSpace(top.Text) != "" {
					// Mixed content: its text keeps its place among the elements.
					used += len(top.Text) + nodeCost
					top.Nodes = append(top.Nodes, &node{Text: top.Text})
				}
				top.Nodes = append(top.Nodes, n)
				stack = append(stack, n)
			}
		case xml.EndElement:
			if depth == len(stack) {
				stack = stack[:len(stack)-1]
			}
			depth--
		case xml.CharData:
			used += len(t)
			cut = cut || used > limit
			if !cut {
				top.Text += string(t)
				if len(top.Nodes) > 0 && strings.TrimSpace(string(t)) != "" {
					used += len(t) + nodeCost
					top.Nodes = append(top.Nodes, &node{Text: string(t)})
				}
			}
		}
	}
	return root, cut, nil
}

// deepText is the text of n and everything in it, in document order,
// with its white space folded (an EAD unittitle with an emph in it).
func (n *node) deepText() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		if n.XMLName.Local == "" {
			b.WriteString(n.Text)
			return
		}
		b.WriteByte(' ')
		if len(n.Nodes) == 0 {
			b.WriteString(n.Text)
		}
		for _, c := range n.Nodes {
			walk(c)
		}
		b.WriteByte(' ')
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func elementSize(e xml.StartElement) int {
	n := len(e.Name.Space) + len(e.Name.Local)
	for _, a := range e.Attr {
		n += len(a.Name.Space) + len(a.Name.Local) + len(a.Value)
	}
	return n
}

// recordOf is the record a <record> element's tree holds.
func recordOf(t *node, cut bool) *record {
	rec := &record{Cut: cut}
	for _, c := range t.Nodes {
		switch c.XMLName.Local {
		case "header":
			rec.Header.Status = c.attr("status")
			for _, h := range c.Nodes {
				switch h.XMLName.Local {
				case "identifier":
					rec.Header.Identifier = h.Text
				case "datestamp":
					rec.Header.Datestamp = h.Text
				case "setSpec":
					rec.Header.Sets = append(rec.Header.Sets, h.Text)
				}
			}
		case "metadata":
			for _, m := range c.Nodes {
				if m.XMLName.Local != "" && rec.Metadata.Root == nil {
					rec.Metadata.Root = m
				}
			}
		}
	}
	return rec
}

// tooLarge is the error of a record cut short by maxRecord or maxNesting.
func tooLarge(identifier string) error {
	return fmt.Errorf("record %s is larger than the %d MiB or deeper than the %d levels a record may be: %w", strings.TrimSpace(identifier), maxRecord>>20, maxNesting, fault.Invalid)
}
