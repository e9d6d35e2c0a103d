package repository

import "strings"

// The background work an item may wait for, as the store's queues name it.
const (
	// WorkTranscode: a recording lacks its copy for browsers or its waveform.
	WorkTranscode = "transcode"
	// WorkText: an item of type Text has pages whose text is not read.
	WorkText = "text"
)

// NeedsTranscode reports whether f is a recording still without the copy
// browsers play, or audio without its waveform thumbnail.
func (f *File) NeedsTranscode() bool {
	audio, video := strings.HasPrefix(f.MediaType, "audio/"), strings.HasPrefix(f.MediaType, "video/")
	return (audio || video) && (f.Web == nil || audio && f.Derivatives["thumb"] == "")
}

// TextUnread reports whether f is a page (it has an access copy) whose
// text is not read yet (it has no "alto" derivative).
func (f *File) TextUnread() bool {
	return f.Derivatives["access"] != "" && f.Derivatives["alto"] == ""
}

// Work lists the background work it waits for (WorkTranscode, WorkText):
// what the transcoder and the page reader take from the store's queues.
// A withdrawn item waits for nothing; pages of items of other types than
// Text are read only when asked for, so they are not queued.
func (it *Item) Work() []string {
	if it == nil || it.Deleted {
		return nil
	}
	var transcode, text bool
	for i := range it.Files {
		transcode = transcode || it.Files[i].NeedsTranscode()
		text = text || it.Type == "Text" && it.Files[i].TextUnread()
	}
	var out []string
	if transcode {
		out = append(out, WorkTranscode)
	}
	if text {
		out = append(out, WorkText)
	}
	return out
}
