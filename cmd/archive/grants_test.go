package main

import (
	"strings"
	"testing"
	"time"
)

func TestRequestSettingsReadTheMailServerAndEachLibrarysRetention(t *testing.T) {
	var cfg Config
	if err := cfg.requestSettings(settings{}); err != nil || cfg.Mail != nil || cfg.Retention.Default != 0 || len(cfg.Retention.Keep) != 0 {
		t.Fatalf("no settings: %v, mail %v, retention %+v", err, cfg.Mail, cfg.Retention)
	}
	err := cfg.requestSettings(settings{"ARCHIVE_SMTP_ADDR": "127.0.0.1:2525", "ARCHIVE_SMTP_FROM": "archive@cmu.example",
		"ARCHIVE_SMTP_USER": "archive", "ARCHIVE_REQUEST_RETENTION": "400, cmu=30 tu=180"})
	if err != nil || cfg.Mail == nil || cfg.Mail.Addr != "127.0.0.1:2525" || cfg.Mail.User != "archive" {
		t.Fatalf("mail settings: %v, %+v", err, cfg.Mail)
	}
	day := 24 * time.Hour
	if cfg.Retention.Default != 400*day || cfg.Retention.Keep["cmu"] != 30*day || cfg.Retention.Keep["tu"] != 180*day {
		t.Fatalf("retention %+v", cfg.Retention)
	}
	for _, c := range []struct {
		st   settings
		says string
	}{
		{settings{"ARCHIVE_SMTP_FROM": "archive@cmu.example"}, "ARCHIVE_SMTP_ADDR"},
		{settings{"ARCHIVE_SMTP_ADDR": "mail.example.org"}, "host:port"},
		{settings{"ARCHIVE_SMTP_ADDR": "mail.example.org:25", "ARCHIVE_SMTP_FROM": "Archive <a@b.example>"}, "ARCHIVE_SMTP_FROM"},
		{settings{"ARCHIVE_REQUEST_RETENTION": "a year"}, "number of days"},
		{settings{"ARCHIVE_REQUEST_RETENTION": "cmu=0"}, "number of days"},
		{settings{"ARCHIVE_REQUEST_RETENTION": "CMU!=30"}, "library=days"},
	} {
		var cfg Config
		if err := cfg.requestSettings(c.st); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want an error naming %q", c.st, err, c.says)
		}
	}
}
