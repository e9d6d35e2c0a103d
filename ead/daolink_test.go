package ead

import "testing"

func TestItemAddressNamesItemsOnlyOnThisArchive(t *testing.T) {
	const base = "https://archive.example/a"
	for _, c := range []struct {
		href, id string
	}{
		{base + "/items/abc123", "abc123"},
		{base + "/iiif/3/manifest/abc123", "abc123"},
		{base + "/iiif/2/manifest/abc123", "abc123"},
		{"HTTPS://ARCHIVE.EXAMPLE/a/items/abc123", "abc123"},
		{"/iiif/3/manifest/abc123", "abc123"},
		{"/items/abc123", "abc123"},
		{"https://archive.example/items/abc123", ""},           // not under the base's path
		{"https://other.example/a/items/abc123", ""},           // another host
		{"http://archive.example/a/items/abc123", ""},          // another scheme
		{base + "/items/abc123?page=2", ""},                    // a query: not the item's address
		{base + "/items/abc123/", ""},                          // not an identifier
		{base + "/iiif/3/abc123-1/full/max/0/default.jpg", ""}, // an image, not an item
		{base + "/iiif/3/collection/abc123", ""},
		{"items/abc123", ""}, // a file beside the finding aid
		{"scans/p1.tif", ""},
		{"", ""},
	} {
		id, ok := ItemAddress(c.href, base)
		if id != c.id || ok != (c.id != "") {
			t.Errorf("ItemAddress(%q) = %q, %v; want %q", c.href, id, ok, c.id)
		}
	}
	if id, ok := ItemAddress(base+"/items/abc123", ""); ok {
		t.Errorf("with no base, an absolute address names %q", id)
	}
}
