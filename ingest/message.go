package ingest

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository/edtf"
)

// Message is something ingest tells a person — why a file or a sheet's row
// was refused, or a warning about what was made of it — as a kind and its
// arguments, so that each reader is told it in their own language: the desk
// says it in Thai or English from its own words for each kind; String says
// it in the English of the command line and the logs.
type Message struct {
	Kind string   `json:"kind"`
	Args []string `json:"args,omitempty"`
	// Parts are messages said inside this one ({p1}, {p2}): an access
	// setting in words.
	Parts []Message `json:"parts,omitempty"`
	// What it is about, when that is narrower than the outcome it is in: a
	// file of a unit of several (and a line of it), a page of a multi-page
	// file, a sheet's row and column.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Page   int    `json:"page,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
}

// english is the command line's sentence for each kind of message. In a
// sentence, {1}, {2}… stand for the arguments, {1:dict} for an argument
// named in a dictionary's words (an access level, a media type), and {p1}
// for a part. Kinds starting with "at_" say where a message is.
var english = map[string]string{
	// Where.
	"at_file":   "{1}: ",
	"at_line":   "{1} line {2}: ",
	"at_page":   "page {1}: ",
	"at_cell":   "row {1}, column {2}: ",
	"at_row":    "row {1}: ",
	"at_column": "column {1}: ",

	// A file the pipeline refuses, and what it may note of one it takes.
	"no_files":            "no files",
	"unreadable":          "cannot be read ({1})",
	"not_regular":         "is not a regular file",
	"too_large":           "is {1} bytes, over the limit of {2}",
	"empty":               "is empty",
	"unsupported_content": "its content is not a supported image, audio, video, PDF or text file",
	"mismatched":          "{1} is {2:media}, not {3:ext}: rename it, or ingest it with --keep-mismatched to keep it as a file",
	"kept_mismatched":     "{1} is {2:media}, not {3:ext}; kept as {2:media}, as asked",
	"sheet_as_file":       "{1} is a metadata sheet: ingest it as a sheet (archive ingest {2}), not as a file",
	"checksum_algorithm":  "checksum algorithm \"{1}\" is not supported",
	"checksum_mismatch":   "{1} checksum is {2}, but its source says {3}: the file is damaged or changed",
	"changed_meanwhile":   "changed while it was being ingested",
	"unknown_library":     "institution \"{1}\" is not one of the archive's libraries",
	"no_collection":       "collection \"{1}\" does not exist (create it first)",
	"collection_other":    "collection \"{1}\" belongs to {2}, not {3}",
	"invalid":             "{1}",
	"failed":              "{1}",
	"unavailable":         "{1} (storage is unavailable; run the same ingest again to finish)",

	// A file that would hold an ingest worker too long.
	"tiff_too_many_pages": "the TIFF has {1} pages, more than the {2} one item may show: split it into volumes and ingest each",
	"too_slow":            "making its access copies took longer than one file may take ({1} s): split it into smaller files (volumes, shorter recordings) and ingest each, or raise --file-timeout",

	// A file whose content is of the family its name promises (a JPEG
	// named .png): taken as what it is, with a warning.
	"identified_by_content": "{1} is {2:media}, not {3:ext} as its name says; ingested as {2:media}, by its content",

	// Images.
	"cmyk":               "it is a CMYK image; its colours cannot be converted faithfully here — convert it to sRGB (for example: vips icc_transform in.jpg out.jpg srgb) and ingest that",
	"image_unsupported":  "{1} images are not supported",
	"image_header":       "the image header cannot be read ({1}): the file is damaged or not really {2}",
	"image_no_size":      "the image declares no size",
	"image_too_large":    "the image declares {1}×{2} pixels, over the limit of {3} megapixels (a damaged file or a decompression bomb; raise --max-megapixels if it is real)",
	"pdf_too_many_pages": "the PDF has {1} pages, more than the {2} one item may show: split it into volumes and ingest each",
	"image_size_differs": "the image decodes to {1}x{2}, not the {3}x{4} its header declares",
	"image_corrupt":      "the image cannot be decoded ({1}): it is truncated or corrupt",
	"image_unreadable":   "it is {1}, which this archive cannot read ({2}): save it as TIFF or JPEG with another program and ingest that",
	"image_colour":       "its colours cannot be converted to sRGB ({1}): its embedded ICC colour profile may be damaged; save it with an sRGB profile and ingest that",
	"icc_damaged":        "its embedded ICC colour profile is damaged ({1})",
	"icc_space":          "its ICC profile is for \"{1}\" colour, which does not match its RGB pixels",
	"icc_unsupported":    "its ICC profile (\"{1}\") is not a matrix/TRC RGB profile this archive can convert",
	"tiff_damaged":       "the TIFF structure is damaged or truncated ({1})",
	"tiff_no_layout":     "this JPEG-compressed TIFF has no usable tile or strip layout",
	"tiff_tile_size":     "a tile of this TIFF claims {1} bytes",
	"tiff_truncated":     "the TIFF is truncated (tile {1}: {2})",
	"tiff_tile_short":    "the TIFF is truncated (tile {1} holds {2} of {3} bytes)",
	"tiff_block_short":   "the TIFF is truncated (block {1}: {2})",
	"tiff_tile_corrupt":  "tile {1} of the TIFF cannot be decoded ({2})",

	// Audio and video.
	"media_no_tools":     "audio and video need ffprobe and ffmpeg (Debian package ffmpeg), which are not installed here",
	"media_unreadable":   "ffprobe cannot read it as audio or video: it is damaged or truncated",
	"media_report":       "ffprobe's report cannot be read",
	"media_unsupported":  "{1:media} recordings are not supported",
	"media_playlist":     "ffprobe reads it as a playlist ({1}) that names other files, not as a recording: refused",
	"media_other_format": "ffprobe reads it as {1}, not as {2:media}: the file is damaged or not really {2:media}",
	"media_no_duration":  "it has no duration: damaged or not really {1}",
	"video_no_stream":    "it is a video container without a video stream",
	"poster_no_tools":    "video posters need ffmpeg (Debian package ffmpeg), which is not installed here",
	"poster_failed":      "ffmpeg cannot take a frame from it: damaged video",
	"audio_no_stream":    "it is an audio container without an audio stream",
	"transcode_failed":   "ffmpeg cannot make a copy of it that browsers play ({1}): the recording may be damaged; it is tried again later",
	"waveform_failed":    "ffmpeg cannot draw its waveform ({1}): the recording may be damaged; it is tried again later",

	// Content already in the archive.
	"duplicate_bad_access":  "same content as item {1}, but {2}",
	"duplicate_kept":        "already in the archive as item {1}; its access was kept at {p1}, stricter than the {p2} asked for",
	"duplicate_would":       "already in the archive as item {1}; its access would be tightened to {p1} (now {p2})",
	"duplicate_tightened":   "already in the archive as item {1}; its access was tightened to {p1} (was {p2})",
	"duplicate_not_applied": "already in the archive as item {1}; this description was not applied: to describe it, use archive describe with the same sheet (or the desk)",
	"access_level":          "{1:level}",
	"access_embargoed":      "{1:level}, embargoed until {2}",
	"access_embargo":        "embargo until {1}",
	"access_in_room":        "{p1}, readable only in the reading rooms",

	// A sheet that cannot be read.
	"sheet_unreadable":       "sheet {1} cannot be read: {2}",
	"sheet_too_large":        "sheet {1} is {2} bytes, over the limit of {3}",
	"sheet_encoding":         "sheet {1} is neither UTF-8 nor Thai Windows-874/TIS-620 text: save it from Excel as \"CSV UTF-8\"",
	"sheet_not_xlsx":         "sheet {1} is not a readable Excel workbook (.xlsx): {2}",
	"sheet_no_worksheet":     "sheet {1} has no worksheet",
	"sheet_broken":           "sheet {1}: {2}",
	"sheet_not_csv":          "sheet {1} is not valid CSV: {2}",
	"sheet_no_rows":          "sheet {1} has no rows under its header",
	"sheet_unknown_columns":  "sheet {1} has unknown columns {2} (columns: item, files, title.th, title.en, date, rights, access, collection, …)",
	"sheet_no_names":         "sheet {1} names no items: give a column files (file names or SHA-256) or item (identifiers)",
	"sheet_too_many_rows":    "sheet {1} has more than {2} rows: split it into several sheets",
	"sheet_too_many_columns": "sheet {1} has more than {3} columns in row {2}",
	"sheet_unzips_too_large": "sheet {1} unpacks to more than {2} bytes: a damaged workbook or a decompression bomb",
	"sheet_too_many_strings": "the text of sheet {1} has more than {2} XML elements: a damaged workbook or a decompression bomb",
	"sheet_more_problems":    "and {1} more problems",

	// A sheet's cells.
	"column_unknown":       "unknown column \"{1}\" (columns: title.th, title.en, date, rights, access, files, collection, …)",
	"file_outside":         "file \"{1}\" is outside the sheet's folder",
	"file_missing":         "file \"{1}\" does not exist",
	"file_links_outside":   "file \"{1}\" links to outside the sheet's folder",
	"date_ambiguous":       "{2}",
	"date_invalid":         "{2}",
	"date_be":              "{1} is read as the Buddhist Era (พ.ศ. {2}) and stored as {3} in the Common Era; write ค.ศ. {1} if it is already in the Common Era",
	"embargo_not_day":      "embargo \"{1}\" is not a full date (2026-12-31 or 31 ธันวาคม 2569)",
	"rights_invalid":       "\"{1}\" is not a RightsStatements.org or Creative Commons URI (e.g. http://rightsstatements.org/vocab/InC/1.0/)",
	"access_invalid":       "access \"{1}\" is not one of {2}",
	"reading_room_invalid": "readingroom \"{1}\" is not yes or no (ใช่ or ไม่ใช่)",
	"toc_entry":            "table of contents entry \"{1}\" is not label=pages",
	"toc_pages":            "table of contents pages \"{1}\" are not like 1-3",
	"row_no_file":          "no file given for this item",
	"row_no_library":       "no library given (column institution, or --institution)",

	// Describing items already in the archive.
	"item_id_invalid":      "\"{1}\" is not an item identifier",
	"row_names_nothing":    "names no item: give its identifier (column item) or a file it holds (column files)",
	"stopped":              "stopped before this row: {1}",
	"upload_not_allowed":   "the uploader may no longer add to the items of {1} (their role changed or their account was disabled); it was not ingested",
	"described_twice":      "item {1} is already described by row {2}",
	"no_item":              "no item {1} in the archive",
	"item_lacks_file":      "item {1} holds no file {2}",
	"item_withdrawn":       "item {1} has been withdrawn",
	"no_item_holds":        "no item in the archive holds {1}",
	"file_in_many":         "{1} is in {2} items ({3}): name the item (column item) or give the file's SHA-256",
	"item_other_library":   "item {1} belongs to {2}, not to {3}",
	"collection_not_found": "collection \"{1}\" does not exist",
	"collection_mismatch":  "collection {1} belongs to {2}, not to {3}, which holds item {4}",
	"conflict":             "{1}",

	// A bag or a folder that the command line ingests.
	"source_unreadable": "cannot be read: {1}",
	"link_outside":      "is a symbolic link to outside the source folder; refused",
	"link_special":      "is a link to something other than a file; refused",
	"bag_not_bagit":     "cannot be read: this is not a BagIt bag",
	"bag_no_bagit_txt":  "is missing: a folder with a bag's manifests or tag files but no bagit.txt is a broken bag",
	"bag_bom":           "begins with a byte-order mark, which RFC 8493 forbids in bagit.txt",
	"bag_decl_utf8":     "is not UTF-8 text, as RFC 8493 requires of bagit.txt",
	"bag_decl_line":     "\"{1}\" is not \"BagIt-Version: M.N\" or \"Tag-File-Character-Encoding: ENCODING\" (no space before the colon, one after it)",
	"bag_no_version":    "no BagIt-Version line",
	"bag_version":       "BagIt-Version is \"{1}\", not a version this archive reads (0.97 or 1.0)",
	"bag_no_encoding":   "no Tag-File-Character-Encoding line",
	"bag_encoding":      "Tag-File-Character-Encoding is \"{1}\", not a character set this archive reads (UTF-8, UTF-16, ISO-8859-1, …)",
	"bag_no_manifest":   "no payload manifest (manifest-sha256.txt, manifest-sha512.txt, or of md5, sha1, sha224, sha384)",
	"bag_algorithm":     "checksum algorithm \"{1}\" cannot be checked here (md5, sha1, sha224, sha256, sha384, sha512), and a bag is valid only when every checksum is",
	"bag_unlisted":      "is in the payload but not in manifest-{1}.txt",
	"bag_missing":       "is listed in manifest-{1}.txt but missing from the bag",
	"bag_tag_missing":   "is listed in a tag manifest but missing from the bag",
	"bag_fetch":         "is listed in fetch.txt but not in the bag: the bag is incomplete until it is fetched; fetch its files and send the complete bag (nothing is fetched here)",
	"bag_twice":         "lists \"{1}\" twice (with the same checksum)",
	"bag_twice_differ":  "lists \"{1}\" twice with different checksums",
	"bag_nfc_match":     "lists \"{1}\", found as \"{2}\": the names differ only in Unicode normalization",
	"bag_names_nfc":     "\"{1}\" and \"{2}\" differ only in Unicode normalization: a file system that normalizes names sees one file",
	"bag_names_case":    "\"{1}\" and \"{2}\" differ only in case: a file system that ignores case sees one file",
	"bag_system_file":   "is a file the operating system leaves in folders: checked against the manifest, not kept as an item",
	"bag_md5sum_star":   "path \"{1}\" is written as md5sum writes a file read in binary mode; read as \"{2}\"",
	"bag_path_form":     "path \"{1}\" is read as \"{2}\"",
	"bag_oxum":          "Payload-Oxum is {1} but the payload holds {2} (bytes.files)",
	"bag_checksum":      "{1} checksum is {2}, but {3} says {4}",
	"fetch_line":        "is not \"url length path\"",
	"manifest_line":     "is not \"checksum path\"",
	"path_leaves_bag":   "path \"{1}\" leaves the bag; refused",
	"path_not_payload":  "payload path \"{1}\" is not under data/",
	"zip_slip":          "would be written outside the bag (zip-slip); refused",
	"unpack_twice":      "appears twice or cannot be written",
	"unpack_damaged":    "is damaged in the archive: {1}",
	"symlink_in_bag":    "is a symbolic link; refused",
	"special_in_bag":    "is a link or special file; refused",
}

// Kinds lists every kind of message, for a reader's words to be checked
// against: a language that lacks one cannot say it.
func Kinds() []string {
	return slices.Sorted(maps.Keys(english))
}

// English is the command line's sentence for a kind, as Message.Say takes
// it ("" for a kind that does not exist).
func English(kind string) string { return english[kind] }

// englishWord names a value of a dictionary in the command line's English.
func englishWord(dict, value string) string {
	switch dict {
	case "media":
		return describe(value)
	case "ext":
		if e, ok := byExtension[strings.ToLower(value)]; ok {
			return e.what
		}
	}
	return value
}

// String says the message in the command line's English.
func (m Message) String() string { return m.Say(English, englishWord) }

// Say says the message with sentence giving a kind's sentence in the
// reader's language and word naming a value of a dictionary in it. An
// unknown kind is said as its name and arguments.
func (m Message) Say(sentence func(kind string) string, word func(dict, value string) string) string {
	var b strings.Builder
	place := func(kind string, args ...string) {
		b.WriteString(fill(sentence(kind), args, nil, sentence, word))
	}
	switch {
	case m.Row > 0 && m.Column != "":
		place("at_cell", strconv.Itoa(m.Row), m.Column)
	case m.Row > 0:
		place("at_row", strconv.Itoa(m.Row))
	case m.Column != "":
		place("at_column", m.Column)
	}
	switch {
	case m.File != "" && m.Line > 0:
		place("at_line", m.File, strconv.Itoa(m.Line))
	case m.File != "":
		place("at_file", m.File)
	}
	if m.Page > 0 {
		place("at_page", strconv.Itoa(m.Page))
	}
	s := sentence(m.Kind)
	if s == "" {
		s = m.Kind + ": " + strings.Join(m.Args, ", ")
	}
	b.WriteString(fill(s, m.Args, m.Parts, sentence, word))
	return b.String()
}

// fill puts arguments and parts in a sentence's placeholders.
func fill(s string, args []string, parts []Message, sentence func(string) string, word func(string, string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteString(placeholder(s[open+1:open+end], args, parts, sentence, word))
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

func placeholder(p string, args []string, parts []Message, sentence func(string) string, word func(string, string) string) string {
	if n, err := strconv.Atoi(strings.TrimPrefix(p, "p")); err == nil && strings.HasPrefix(p, "p") {
		if n >= 1 && n <= len(parts) {
			return parts[n-1].Say(sentence, word)
		}
		return ""
	}
	ref, dict, _ := strings.Cut(p, ":")
	n, err := strconv.Atoi(ref)
	if err != nil || n < 1 || n > len(args) {
		return ""
	}
	if dict != "" {
		return word(dict, args[n-1])
	}
	return args[n-1]
}

// Placeholders lists the arguments ({1}, {2:dict}: 1, 2) and parts ({p1}:
// -1) a sentence uses, for checking a translation against the English.
func Placeholders(s string) []int {
	var out []int
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return out
		}
		p := s[open+1 : open+end]
		ref, _, _ := strings.Cut(p, ":")
		if n, err := strconv.Atoi(strings.TrimPrefix(ref, "p")); err == nil {
			if strings.HasPrefix(ref, "p") {
				n = -n
			}
			out = append(out, n)
		}
		s = s[open+end+1:]
	}
}

// Error is an error said as a Message. Err, when set, is what errors.Is
// finds in it: ErrRefused for content the archive will not take,
// fault.Checksum for content that is not what its source vouched.
type Error struct {
	Message
	Err error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message.String()
	}
	return e.Message.String() + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrRefused marks content the archive will not take, with a reason for people.
var ErrRefused = errors.New("refused")

// refuse refuses content with a message of a kind.
func refuse(kind string, args ...string) error {
	return &Error{Message: Message{Kind: kind, Args: args}, Err: ErrRefused}
}

// fail is an error of a kind that is not a refusal of content (a sheet
// that cannot be read).
func fail(kind string, args ...string) error {
	return &Error{Message: Message{Kind: kind, Args: args}}
}

// at says where an error is (a file of several, a page), when it is one of
// ours; other errors are returned as they are for the caller to wrap.
func at(err error, where func(*Message)) (error, bool) {
	var e *Error
	if !errors.As(err, &e) {
		return err, false
	}
	c := *e
	where(&c.Message)
	return &c, true
}

// MessageOf says an error as a message: its own when it is one of ours; a
// description the store refuses, a conflict or a storage outage by their
// kinds; anything else as a failure, with its English.
func MessageOf(err error) Message {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	switch fault.KindOf(err) {
	case fault.Conflict:
		return Message{Kind: "conflict", Args: []string{err.Error()}}
	case fault.Invalid:
		return Message{Kind: "invalid", Args: []string{err.Error()}}
	case fault.Unavailable:
		return Message{Kind: "unavailable", Args: []string{err.Error()}}
	}
	return Message{Kind: "failed", Args: []string{err.Error()}}
}

// sayAll says messages in the command line's English, one after another.
func sayAll(ms []Message) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return strings.Join(out, "; ")
}

// ReadDate reads a date as archivists write it, as edtf.Normalize does, and
// returns EDTF in the Common Era, with a warning when a bare year in
// 2400–2700 was read as the Buddhist Era (kind date_be: what was typed, the
// year in the Buddhist Era, the date stored). A date that cannot be read
// one way only is an *Error of kind date_ambiguous or date_invalid (what
// was typed, edtf's sentence) that errors.Is finds as edtf.ErrAmbiguous or
// edtf.ErrSyntax.
func ReadDate(s string) (string, *Message, error) {
	date, warning, err := edtf.Normalize(s)
	if err != nil {
		kind, cause := "date_invalid", edtf.ErrSyntax
		if errors.Is(err, edtf.ErrAmbiguous) {
			kind, cause = "date_ambiguous", edtf.ErrAmbiguous
		}
		return "", nil, &Error{Message: Message{Kind: kind, Args: []string{strings.TrimSpace(s), err.Error()}}, Err: cause}
	}
	if warning == "" {
		return date, nil, nil
	}
	// The same sentence as edtf's warning, with the years in the Buddhist Era.
	return date, &Message{Kind: "date_be", Args: []string{strings.TrimSpace(s), edtf.BuddhistYears(date), date}}, nil
}
