// Package fault is the archive's one error type: an operation, a kind, the
// record it concerns and the cause, as Upspin's errors package has them.
// Callers ask errors.Is(err, fault.NotFound); the HTTP layer has one switch
// from kind to status. Messages are lower-case and never hold file system
// paths.
package fault

import (
	"errors"
	"strings"
)

// Kind is the class of an error: what a caller may do about it. A Kind is
// itself an error, so it may be wrapped with fmt.Errorf("…: %w", kind) and
// found again with errors.Is.
type Kind uint8

// The kinds. Other is no kind in particular: an internal error.
const (
	Other Kind = iota
	// NotFound: no such record, or one the reader may not learn exists.
	NotFound
	// Gone: the record was withdrawn.
	Gone
	// Unauthenticated: signing in may help.
	Unauthenticated
	// Forbidden: this person may not, signed in or not.
	Forbidden
	// Invalid: a request or record that cannot be taken as given.
	Invalid
	// Unsupported: a well-formed request for something the archive does not do.
	Unsupported
	// TooLarge: over the limits the archive or the record sets.
	TooLarge
	// Conflict: the record changed since it was read.
	Conflict
	// Unavailable: the store, storage or a service below cannot answer now.
	Unavailable
	// Busy: a bounded resource (renders, searches, text reads) is full; try
	// again in a moment.
	Busy
	// ReadOnly: a change sent to a read-only replica; it is made on the
	// writing node.
	ReadOnly
	// Checksum: content is not what its digest or size vouched; nothing was
	// stored.
	Checksum
	// ReadingRoom: the content may be read only inside the holding library's
	// reading rooms (the record names the library). Such an error also
	// wraps Forbidden, so that errors.Is(err, fault.Forbidden) holds.
	ReadingRoom
)

var kindText = [...]string{
	Other:           "internal error",
	NotFound:        "not found",
	Gone:            "withdrawn",
	Unauthenticated: "sign-in required",
	Forbidden:       "forbidden",
	Invalid:         "invalid",
	Unsupported:     "not supported",
	TooLarge:        "too large",
	Conflict:        "conflict",
	Unavailable:     "unavailable",
	Busy:            "busy",
	ReadOnly:        "read-only replica",
	Checksum:        "checksum mismatch",
	ReadingRoom:     "reading room only",
}

// String is the kind in a few lower-case words.
func (k Kind) String() string {
	if int(k) < len(kindText) {
		return kindText[k]
	}
	return kindText[Other]
}

// Error lets a kind be an error of its own, wrapped with %w.
func (k Kind) Error() string { return k.String() }

// Error is an error with its operation, kind, record and cause.
type Error struct {
	// Op is the operation that failed ("get item", "put blob").
	Op string
	// Kind is the class of the failure; Other when only the cause knows.
	Kind Kind
	// Record is the identifier or key the failure concerns, if any.
	Record string
	// Err is the cause, if any.
	Err error
}

// E builds an *Error. When kind is Other, the kind is the cause's.
func E(op string, kind Kind, record string, err error) error {
	if kind == Other {
		kind = KindOf(err)
	}
	return &Error{Op: op, Kind: kind, Record: record, Err: err}
}

// Error says the operation, the record and the cause; the kind when there is
// no cause that says it.
func (e *Error) Error() string {
	var b strings.Builder
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(s)
	}
	add(e.Op)
	add(e.Record)
	switch {
	case e.Err != nil:
		add(e.Err.Error())
	case e.Kind != Other:
		add(e.Kind.String())
	}
	return b.String()
}

// Unwrap is the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the kind of e, so that
// errors.Is(err, fault.NotFound) holds for an *Error of that kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k != Other && k == e.Kind
}

// KindOf is the kind of err: the first kind met walking its chain as
// errors.Is does (an *Error's own kind, else a Kind wrapped as an error), so
// the outermost kind decides; Other for nil and for errors of no kind.
func KindOf(err error) Kind {
	switch e := err.(type) {
	case nil:
		return Other
	case Kind:
		return e
	case *Error:
		if e.Kind != Other {
			return e.Kind
		}
		return KindOf(e.Err)
	case interface{ Unwrap() error }:
		return KindOf(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, c := range e.Unwrap() {
			if k := KindOf(c); k != Other {
				return k
			}
		}
	}
	return Other
}

// RecordOf is the record of the outermost *Error in err's chain that names
// one, or "".
func RecordOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Record != "" {
			return e.Record
		}
		err = e.Err
	}
	return ""
}
