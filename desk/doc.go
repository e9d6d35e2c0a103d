// Package desk is what people do at the archivists' desk, as plain Go
// below the HTTP layer: describing items (one save for the edit form and
// the JSON API, restoring an earlier version, withdrawing, purging), the
// library's work list and its batch edit (Items); the management of
// people's accounts shared by the desk's page and the command line
// (Accounts); and the archival units' save and move and the EAD import
// shared by the desk and the command line (Units); and people's requests
// to read what they may not, the holding library's decisions and the
// grants they make (Requests); and the groups people make to share
// annotations with (Groups).
//
// Every service takes a context and, where a person acts, the
// access.Principal acting; it asks access.Decide (or access.MayGrant)
// before it reads for a write or writes, and returns errors of the
// repository's and access's kinds (not found, gone, forbidden, invalid,
// conflict) that the HTTP layer maps to statuses. A refusal a person reads
// carries the name of its words (Reason), which the caller says in the
// person's language.
package desk
