package main

import (
	"fmt"
	"io"
	"time"

	"github.com/thaiarchives/archive/repository/bolt"
)

// progressEvery is how often a long rebuild says how far it has come.
const progressEvery = 5 * time.Second

// stageWords says what each stage of filling a store from storage does.
var stageWords = map[string]string{
	bolt.StageListing:  "listing the records in storage",
	bolt.StageRecords:  "records read and registered",
	bolt.StageActivity: "activity entries indexed",
}

// progressLines returns a progress callback that writes a line to w when
// a stage starts and ends, and in between at most every interval.
func progressLines(w io.Writer, every time.Duration) func(bolt.Progress) {
	var last time.Time
	var stage string
	return func(p bolt.Progress) {
		if p.Stage == stage && p.Done < p.Total && time.Since(last) < every {
			return
		}
		stage, last = p.Stage, time.Now()
		switch {
		case p.Stage == bolt.StageListing:
			fmt.Fprintf(w, "rebuild: %s\n", stageWords[p.Stage])
		case p.Total == 0:
			fmt.Fprintf(w, "rebuild: 0 %s\n", stageWords[p.Stage])
		default:
			fmt.Fprintf(w, "rebuild: %d of %d %s (%d%%)\n", p.Done, p.Total, stageWords[p.Stage], 100*p.Done/p.Total)
		}
	}
}

// countLines returns a progress callback that writes "done of total what"
// to w at the start and the end, and in between at most every interval.
func countLines(w io.Writer, command, what string, every time.Duration) func(done, total int) {
	var last time.Time
	return func(done, total int) {
		if done > 0 && done < total && time.Since(last) < every {
			return
		}
		last = time.Now()
		pct := 100
		if total > 0 {
			pct = 100 * done / total
		}
		fmt.Fprintf(w, "%s: %d of %d %s (%d%%)\n", command, done, total, what, pct)
	}
}
