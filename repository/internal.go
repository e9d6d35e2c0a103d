package repository

// Aside is a text a finding aid marked audience="internal" (a staff note,
// an internal title, contact details): kept for the holding library's
// staff and written back for them, never published. It is kept apart from
// the description's public fields, so that nothing that publishes those can
// publish it.
type Aside struct {
	Element string `json:"element"`       // the EAD element it was (odd, unittitle, processinfo…)
	Did     bool   `json:"did,omitempty"` // a child of <did>
	// Within names the public element it was inside ("scopecontent"), when
	// only a part of that was internal.
	Within string            `json:"within,omitempty"`
	Text   Text              `json:"text"`
	Attrs  map[string]string `json:"attrs,omitempty"` // its attributes but audience
}
