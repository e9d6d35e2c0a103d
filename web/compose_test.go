package web

import (
	"testing"
)

// TestNewRefusesAConfigWithoutItsServices: the server builds no service
// of its own (the command that runs it builds them and owns their
// lifetime); a Config without one of them is refused, not filled in.
func TestNewRefusesAConfigWithoutItsServices(t *testing.T) {
	store, blobs := emptyStore(t)
	whole := withServices(t, Config{Store: store, Blobs: blobs, Hosts: testHosts})
	if _, err := New(whole); err != nil {
		t.Fatalf("a Config with every service: %v", err)
	}
	for name, drop := range map[string]func(*Config){
		"search":         func(c *Config) { c.Search = nil },
		"images":         func(c *Config) { c.Images = nil },
		"presentation":   func(c *Config) { c.Presentation = nil },
		"content search": func(c *Config) { c.Within = nil },
		"OAI-PMH":        func(c *Config) { c.OAI = nil },
		"full text":      func(c *Config) { c.FullText = nil },
		"groups":         func(c *Config) { c.Groups = nil },
		"identifiers":    func(c *Config) { c.Identifiers = nil },
		"citation":       func(c *Config) { c.Cite = nil },
	} {
		cfg := whole
		drop(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("a Config without its %s service was taken", name)
		}
	}
}
