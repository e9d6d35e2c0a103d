package repository

import (
	"strings"
	"testing"
)

func TestASourcesMetadataFormatIsOneTheHarvesterReads(t *testing.T) {
	for _, f := range []string{"oai_dc", "qdc", "mods", "marcxml", "ead"} {
		s := Source{ID: "s1", Institution: "cmu", OAI: "https://repo.example.org/oai", Format: f, Every: "24h"}
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, f := range []string{"MODS", "marc21", ""} {
		s := Source{ID: "s1", Institution: "cmu", OAI: "https://repo.example.org/oai", Format: f, Every: "24h"}
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "the metadata format") {
			t.Errorf("%q: %v", f, err)
		}
	}
}
