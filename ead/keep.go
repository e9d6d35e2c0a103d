package ead

import (
	"slices"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// The elements of a unit's <did> that the import keeps as written: all but
// those modelled elsewhere (dates, origination, containers), which their
// own readers take.
var keptInDid = map[string]bool{
	"unitid": true, "unittitle": true, "physdesc": true, "physdescstructured": true, "physdescset": true,
	"langmaterial": true, "abstract": true, "repository": true, "physloc": true, "materialspec": true,
	"didnote": true, "note": true, "dao": true, "daoloc": true, "daogrp": true, "daoset": true, "head": true,
}

// The description elements of <archdesc> and of a component kept as
// written (descgrp is flattened into them; note becomes odd).
var keptInUnit = map[string]bool{
	"accessrestrict": true, "accruals": true, "acqinfo": true, "altformavail": true, "appraisal": true,
	"arrangement": true, "bibliography": true, "bioghist": true, "custodhist": true, "fileplan": true,
	"index": true, "legalstatus": true, "odd": true, "note": true, "originalsloc": true, "otherfindaid": true,
	"phystech": true, "prefercite": true, "processinfo": true, "relatedmaterial": true, "scopecontent": true,
	"separatedmaterial": true, "userestrict": true, "relations": true,
	// EAD 2002 allows these beside <did>; EAD3 only inside it.
	"dao": true, "daogrp": true,
}

// Elements of a unit that are neither kept here nor lost: the tree, and
// what other readers model.
var notDescription = map[string]bool{
	"did": true, "dsc": true, "controlaccess": true, "head": true, "thead": true,
}

// keeper keeps a unit's elements in EAD3's form, counting what it keeps
// and noting what it cannot.
type keeper struct {
	f     *Finding
	notes *[]Note
	kept  []repository.Markup // did's, then the unit's
}

// lose notes an element or attribute that has no place in EAD3.
func (k *keeper) lose(kind string, n *node, what string) {
	*k.notes = append(*k.notes, Note{Kind: kind, Args: []string{strconv.Itoa(n.line), what}})
}

// did keeps an element of <did>.
func (k *keeper) did(n *node) {
	if !keptInDid[n.name] {
		if !isModelled(n.name) {
			k.lose("not_kept", n, "did/"+n.name)
		}
		return
	}
	switch n.name {
	case "unittitle":
		if k.f.Version != "EAD3" {
			n = withoutDates(n)
		}
	case "note":
		n.name = "didnote"
	case "daoloc":
		n.name = "dao"
	}
	k.add(k.convert(n, "did")...)
}

// unit keeps a description element of <archdesc> or a component.
func (k *keeper) unit(n *node) {
	switch {
	case n.name == "descgrp":
		k.descgrp(n)
	case n.name == "note":
		n.name = "odd"
		k.add(k.convert(n, "unit")...)
	case n.name == "accessrestrict" && (n.attr["localtype"] == "access-level" || n.attr["localtype"] == "embargo"):
		// The archive's own access, modelled on the unit.
	case n.name == "accessrestrict" && n.child("legalstatus") != nil:
		k.add(k.legalstatus(n)...)
	case keptInUnit[n.name]:
		k.add(k.convert(n, "unit")...)
	case notDescription[n.name] || cName.MatchString(n.name) || isModelled(n.name):
	default:
		k.lose("not_kept", n, n.name)
	}
}

// isModelled reports the unit's elements another reader takes.
func isModelled(name string) bool {
	return name == "container" || name == "origination" || name == "unitdate" || name == "unitdatestructured"
}

func (k *keeper) add(ms ...repository.Markup) {
	for _, m := range ms {
		k.count(m)
		k.kept = append(k.kept, m)
	}
}

func (k *keeper) count(m repository.Markup) {
	if m.Name == "" {
		return
	}
	k.f.Kept[m.Name]++
	for _, c := range m.Content {
		k.count(c)
	}
}

// legalstatus keeps EAD 2002's <legalstatus> inside <accessrestrict> as
// EAD3's own element beside it, its words a paragraph; an accessrestrict
// that said nothing else becomes it, with its head.
func (k *keeper) legalstatus(n *node) []repository.Markup {
	m := k.convert(n, "unit")[0]
	var rest, status []repository.Markup
	var head *repository.Markup
	for _, c := range m.Content {
		switch c.Name {
		case "legalstatus":
			status = append(status, repository.Markup{Name: "legalstatus", Attrs: c.Attrs, Content: []repository.Markup{{Name: "p", Content: c.Content}}})
		case "head":
			head = &c
		default:
			rest = append(rest, c)
		}
	}
	if !slices.ContainsFunc(rest, func(c repository.Markup) bool { return c.Name != "" }) {
		if head != nil {
			status[0].Content = append([]repository.Markup{*head}, status[0].Content...)
		}
		for _, a := range m.Attrs {
			if status[0].Attr(a.Name) == "" {
				status[0].Attrs = append(status[0].Attrs, a)
			}
		}
		return status
	}
	if head != nil {
		rest = append([]repository.Markup{*head}, rest...)
	}
	m.Content = rest
	return append([]repository.Markup{m}, status...)
}

// descgrp keeps a group of descriptions (EAD 2002's descgrp, which EAD3
// does not have) as its elements, each in the unit, and its own head and
// paragraphs, lists… as an <odd> in its place; a head alone is reported.
func (k *keeper) descgrp(n *node) {
	odd := repository.Markup{Name: "odd"}
	var head *node
	for _, c := range n.kids {
		switch {
		case keptInUnit[c.name] || c.name == "descgrp":
			k.unit(c)
		case c.name == "head":
			head = c
			odd.Content = append(odd.Content, k.convert(c, "odd")...)
		case slices.Contains([]string{"p", "list", "chronlist", "table", "blockquote", "address", "note"}, c.name):
			odd.Content = append(odd.Content, k.within("odd", c, k.convert(c, "odd"))...)
		default:
			k.lose("not_kept", c, "descgrp/"+c.name)
		}
	}
	if len(odd.Content) == 0 || head != nil && len(odd.Content) == 1 {
		if head != nil {
			k.lose("not_kept", head, "descgrp/head: "+head.all())
		}
		return
	}
	k.add(odd)
}

// withoutDates is an EAD 2002 title without the dates it holds, which the
// import keeps as the unit's dates (Finding.title), as the EAD3 migration
// does; a title that is only a date stays whole.
func withoutDates(n *node) *node {
	rest := &node{name: n.name, attr: n.attr, attrs: n.attrs, line: n.line, up: n.up}
	for _, o := range n.order {
		if x, ok := o.(*node); ok && (x.name == "unitdate" || x.name == "date") && !internal(x) {
			continue
		}
		if x, ok := o.(*node); ok {
			rest.kids = append(rest.kids, x)
		}
		rest.order = append(rest.order, o)
	}
	if len(rest.order) == len(n.order) || strings.TrimRight(rest.all(), " ,;:") == "" {
		return n
	}
	for i := len(rest.order) - 1; i >= 0; i-- {
		s, ok := rest.order[i].(string)
		if !ok {
			break
		}
		if s = strings.TrimRight(s, " ,;:\n\t"); s != "" {
			rest.order[i] = s
			break
		}
		rest.order = rest.order[:i]
	}
	return rest
}
