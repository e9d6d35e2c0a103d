package repository

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/thaiarchives/archive/storage"
)

// What the metadata store (package repository/bolt) is given and answers
// with, beside the domain's records.

// Blobs is what the store needs of blob storage: it writes each record there
// before registering it, and reads them back to rebuild.
type Blobs interface {
	storage.Receiver
	storage.Fetcher
	storage.Lister
}

// SchemaVersion is the layout of the bbolt file this program writes.
const SchemaVersion = 5

// RecordKey is where version v of an object's record is stored.
func RecordKey(kind, id string, v int) string {
	return fmt.Sprintf("records/%s/%s/v%06d.json", kind, id, v)
}

// The change feed announces every change to the archive's records, in the
// order they were committed: the search index follows it, and so can a
// replica, a cache or metrics. An entry is written in the same bbolt
// transaction as the change it announces, so the feed never misses a change
// nor announces one that did not happen.
//
// A feed has an epoch: a rebuilt or newly filled store starts a new feed
// (its entries are not those of the old one), and a follower that finds a
// different epoch than it last saw starts again from the records themselves.

// Feed entry operations.
const (
	OpCreate   = "create"
	OpUpdate   = "update"
	OpWithdraw = "withdraw"
	OpRemove   = "remove" // a record removed for good (a request past retention)
)

// FeedEntry is one change: which record, which version, what happened.
type FeedEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // item, collection, institution, user, token, request, point, annotation, group
	ID      string    `json:"id"`
	Version int       `json:"version"`
	Op      string    `json:"op"`
}

// Page is a slice of a listing and the cursor of the next one ("" at the end).
type Page struct {
	IDs  []string
	Next string
}

// Change is an item's latest state in the change index.
type Change struct {
	Modified time.Time
	ID       string
}

// Activity is an item's creation, change or deletion, for harvesters.
type Activity struct {
	Time time.Time
	Type string // Create, Update, Delete
	Item string
}

// Counts says how many records a rebuild read.
type Counts struct {
	Institutions, Collections, Items, Events, Users int
}

// Snapshot is a consistent copy of the database file in a temporary file,
// read from its start; Close removes it.
type Snapshot struct {
	*os.File
	Size int64
}

// Close closes and removes the snapshot's file.
func (s *Snapshot) Close() error {
	err := s.File.Close()
	os.Remove(s.Name())
	return err
}

// ErrLocked is returned by BackupFile when another process holds the file.
var ErrLocked = errors.New("metadata store in use by another process")
