package ead

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Note is something an import tells the archivist about a unit it read: a
// date kept as text, or a date whose words and normal form disagree. It is
// a kind and its arguments, so that the desk says it in Thai or English
// (Say) and the command line in English (String).
type Note struct {
	Unit string   `json:"unit"` // the unit's identifier, once it is made
	Kind string   `json:"kind"`
	Args []string `json:"args,omitempty"`
}

// english is the command line's sentence for each kind of note: {1} is the
// unit, {2}, {3}… the note's arguments.
var english = map[string]string{
	"date_unread": "unit {1}: date \"{2}\" could not be read as a date; kept as text",
	"date_disagrees": "unit {1}: the date's words \"{2}\" read in the Buddhist Era as {3} (Common Era), but its normal form is {4}; " +
		"{4} was kept, as EAD's normal form is in the Common Era (add calendar=\"buddhist\" if it is not)",
	"read":              "{2} finding aid: {3} elements read, {4} kept as written (by kind, read → kept: {5})",
	"header_not_kept":   "line {2}: the finding aid's <{3}> has no place in EAD3; not kept",
	"header_kept":       "line {2}: the finding aid's <{3}> is kept: the export writes it back in its <control>, after the archive's own record id",
	"header_internal":   "unit {1}, line {2}: the finding aid's <{3}> is for the library's staff (audience=\"internal\"); not kept, as the export is public",
	"not_kept":          "unit {1}, line {2}: <{3}> has no place in EAD3; not kept",
	"attr_not_kept":     "unit {1}, line {2}: attribute {3} has no place in EAD3; not kept",
	"moved":             "unit {1}, line {2}: <{3}> has no place there in EAD3; kept in the unit's <did>",
	"unwrapped":         "unit {1}, line {2}: <{3}> has no place in EAD3; its words are kept in place, without the element",
	"chronitem_undated": "unit {1}, line {2}: a chronology's event has no date, which EAD3 requires; an empty date is written before it",
}

// NoteKinds lists every kind of note, for a reader's words to be checked
// against.
func NoteKinds() []string {
	return slices.Concat(slices.Sorted(maps.Keys(english)), slices.Sorted(maps.Keys(daoEnglish)))
}

// NoteEnglish is the command line's sentence for a kind of note ("" for
// a kind that does not exist).
func NoteEnglish(kind string) string { return cmpOr(english[kind], daoEnglish[kind]) }

// Say says the note with sentence giving a kind's sentence in the
// reader's language. An unknown kind is said as its name and arguments.
func (n Note) Say(sentence func(kind string) string) string {
	args := append([]string{n.Unit}, n.Args...)
	s := sentence(n.Kind)
	if s == "" {
		return n.Kind + ": " + strings.Join(args, ", ")
	}
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i+1)+"}", a)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// String says the note in the command line's English.
func (n Note) String() string { return n.Say(NoteEnglish) }
