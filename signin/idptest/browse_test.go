package idptest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// page is an HTML answer and the URL it came from after redirects.
type page struct {
	url  *url.URL
	body []byte
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	return read(t, resp, err)
}

func post(t *testing.T, c *http.Client, u string, v url.Values) page {
	t.Helper()
	resp, err := c.PostForm(u, v)
	return read(t, resp, err)
}

func read(t *testing.T, resp *http.Response, err error) page {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %.500s", resp.Request.URL, resp.StatusCode, b)
	}
	return page{url: resp.Request.URL, body: b}
}

// form returns the action and the input fields of the page's first form
// that has any; an empty action is the page's own URL.
func form(t *testing.T, p page) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	var action string
	var fields url.Values
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode && n.Data == "form" && fields == nil {
			action, fields, in = attr(n, "action"), url.Values{}, true
		}
		if in && n.Type == html.ElementNode && (n.Data == "input" || n.Data == "button") {
			if name := attr(n, "name"); name != "" && attr(n, "type") != "submit" && attr(n, "type") != "checkbox" {
				fields.Set(name, attr(n, "value"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	if fields == nil {
		t.Fatalf("%s has no form: %.500s", p.url, p.body)
	}
	if strings.TrimSpace(action) == "" {
		action = p.url.String()
	}
	return action, fields
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
