package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// The units of a tree are written as HTML here rather than by a recursive
// template: a fonds of 10,000 units is some 200,000 template calls, each
// through reflection, which took most of a second; written directly it
// takes a few milliseconds. Every value is escaped with html.EscapeString.

var esc = html.EscapeString

// aidHTML writes the public finding aid's units.
func aidHTML(root *aidNode, units int) template.HTML {
	var b strings.Builder
	b.Grow(units * 500)
	var walk func(n *aidNode)
	walk = func(n *aidNode) {
		put(&b, `<li id="unit-`, esc(n.ID), `" class="aid-unit"><details`)
		if n.Open {
			b.WriteString(" open")
		}
		b.WriteString(">")
		summary(&b, n, "")
		fields(&b, n)
		if len(n.Items) > 0 {
			if n.ViewAll != "" {
				put(&b, `<p><a class="button view-all" href="`, esc(n.ViewAll), `">`, esc(t(n.Lang, "aid_view_all")), "</a></p>\n")
			}
			b.WriteString(`<ul class="aid-items">`)
			for _, it := range n.Items {
				put(&b, `<li><a href="/items/`, esc(it.ID), `">`)
				switch {
				case it.Thumb != "":
					put(&b, `<img src="`, esc(it.Thumb), `" alt="" loading="lazy" width="72" height="72">`)
				case it.Kind != "":
					put(&b, `<span class="filecard" aria-hidden="true">`, esc(t(n.Lang, "kind_"+it.Kind)), "</span>")
				}
				put(&b, "<span>", esc(it.Title.Get(n.Lang)), "</span></a>")
				if it.Date != "" {
					put(&b, " <small>", esc(pageFuncs["date"].(func(string, string) string)(n.Lang, it.Date)), "</small>")
				}
				b.WriteString("</li>")
			}
			b.WriteString("</ul>\n")
		}
		if len(n.Kids) > 0 {
			b.WriteString("<ul>")
			for _, k := range n.Kids {
				walk(k)
			}
			b.WriteString("</ul>")
		}
		b.WriteString("</details></li>\n")
	}
	walk(root)
	return template.HTML(b.String())
}

// outlineHTML writes the desk's outline: every unit open, draggable, with
// its actions.
func outlineHTML(root *aidNode, units int) template.HTML {
	var b strings.Builder
	b.Grow(units * 700)
	edit, addChild := esc(t(root.Lang, "edit")), esc(t(root.Lang, "outline_add_child"))
	up, down := esc(t(root.Lang, "outline_up")), esc(t(root.Lang, "outline_down"))
	var walk func(n *aidNode)
	walk = func(n *aidNode) {
		id := esc(n.ID)
		put(&b, `<li id="unit-`, id, `" class="aid-unit" data-unit="`, id, `"><details open>`)
		extra := " <code>" + id + "</code>"
		if n.ItemCount > 0 {
			extra += " <small>(" + strconv.Itoa(n.ItemCount) + " " + esc(t(n.Lang, "items")) + ")</small>"
		}
		summary(&b, n, extra)
		title := esc(n.Title)
		// The arrows submit the page's one reorder form, naming the unit.
		put(&b, `<div class="unit-actions"><a href="/desk/units/`, id, `">`, edit, `</a> · <a href="/desk/units/new?parent=`, id, `">`, addChild, `</a> <button type="submit" form="reorder" name="up" value="`, id, `" class="small" aria-label="`, up, ": ", title, `">↑</button> `, `<button type="submit" form="reorder" name="down" value="`, id, `" class="small" aria-label="`, down, ": ", title, "\">↓</button></div>\n")
		if len(n.Kids) > 0 {
			b.WriteString("<ul>")
			for _, k := range n.Kids {
				walk(k)
			}
			b.WriteString("</ul>")
		}
		b.WriteString("</details></li>\n")
	}
	walk(root)
	return template.HTML(b.String())
}

// printHTML writes the finding aid for paper: headings and descriptions,
// each level indented.
func printHTML(root *aidNode, units int) template.HTML {
	var b strings.Builder
	b.Grow(units * 400)
	var walk func(n *aidNode)
	walk = func(n *aidNode) {
		put(&b, `<section class="aid-unit"><h2><span class="aid-level">`, esc(n.Level), "</span> ", esc(n.Title))
		for _, s := range []string{n.Ref, n.Date} {
			if s != "" {
				put(&b, " · ", esc(s))
			}
		}
		b.WriteString("</h2>\n")
		fields(&b, n)
		if len(n.Items) > 0 {
			b.WriteString(`<ul class="aid-items">`)
			for _, it := range n.Items {
				put(&b, "<li>", esc(it.Title.Get(n.Lang)), " · ", esc(it.ID), "</li>")
			}
			b.WriteString("</ul>\n")
		}
		for _, k := range n.Kids {
			b.WriteString(`<div class="aid-kids">`)
			walk(k)
			b.WriteString("</div>")
		}
		b.WriteString("</section>\n")
	}
	walk(root)
	return template.HTML(b.String())
}

func summary(b *strings.Builder, n *aidNode, extra string) {
	put(b, `<summary><span class="aid-level">`, esc(n.Level), `</span> <span class="aid-title">`, esc(n.Title), "</span>")
	if n.Ref != "" {
		put(b, ` <span class="aid-ref">`, esc(n.Ref), "</span>")
	}
	if n.Date != "" {
		put(b, ` <span class="aid-date">`, esc(n.Date), "</span>")
	}
	if n.Internal {
		put(b, ` <strong class="badge">`, esc(t(n.Lang, "internal")), "</strong>")
	}
	put(b, extra, "</summary>\n")
}

func fields(b *strings.Builder, n *aidNode) {
	if len(n.Fields) == 0 {
		return
	}
	b.WriteString(`<dl class="aid-desc">`)
	for _, f := range n.Fields {
		put(b, "<dt>", esc(f.Label), "</dt><dd")
		if f.Lang != "" {
			put(b, ` lang="`, esc(f.Lang), `"`)
		}
		if f.Link != "" {
			put(b, `><a href="`, esc(f.Link), `">`, esc(f.Value), "</a>")
		} else {
			put(b, ">", esc(f.Value))
		}
		if f.Other != "" {
			put(b, `<br><span class="other" lang="`, esc(f.OtherLang), `">`, esc(f.Other), "</span>")
		}
		b.WriteString("</dd>")
	}
	b.WriteString("</dl>\n")
}

// put writes the parts in turn, with no string made of them first.
func put(b *strings.Builder, parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}
