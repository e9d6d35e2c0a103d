package web

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
)

func TestSheetWhoseRowsAllFailIsLoggedOnceWithTheCount(t *testing.T) {
	var logs bytes.Buffer
	outs := []ingest.RowOutcome{{Row: 2, Status: ingest.Described}}
	for row := 3; row < 3+5000; row++ {
		outs = append(outs, ingest.RowOutcome{Row: row, Status: ingest.Failed, Error: "stopped before this row: context canceled"})
	}
	logFailures(slog.New(slog.NewTextHandler(&logs, nil)), "bomb.xlsx", outs)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "failed_rows=5000") || !strings.Contains(lines[0], "first_row=3") {
		t.Fatalf("%d lines logged: %.300s", len(lines), logs.String())
	}
}
