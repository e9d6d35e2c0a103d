package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
)

// requestSettings reads how people hear of decisions on their access
// requests (ARCHIVE_SMTP_ADDR host:port, ARCHIVE_SMTP_FROM, optional
// ARCHIVE_SMTP_USER and ARCHIVE_SMTP_PASSWORD; no server: they read them on
// their requests page) and how long decided requests are kept
// (ARCHIVE_REQUEST_RETENTION: days for every library, or lib=days pairs,
// such as "365" or "cmu=365,tu=180"; default 365).
func (cfg *Config) requestSettings(st settings) error {
	addr, from := st["ARCHIVE_SMTP_ADDR"], st["ARCHIVE_SMTP_FROM"]
	switch {
	case addr == "" && from != "":
		return fmt.Errorf("ARCHIVE_SMTP_FROM is set but not ARCHIVE_SMTP_ADDR, the mail server (host:port)")
	case addr != "":
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
			return fmt.Errorf("ARCHIVE_SMTP_ADDR=%q is not a mail server's host:port such as mail.example.org:587", addr)
		}
		if a, err := mail.ParseAddress(from); err != nil || a.Address != from {
			return fmt.Errorf("ARCHIVE_SMTP_FROM=%q is not the e-mail address messages come from", from)
		}
		cfg.Mail = &desk.Mailer{Addr: addr, From: from, User: st["ARCHIVE_SMTP_USER"], Password: st["ARCHIVE_SMTP_PASSWORD"]}
	}
	cfg.Retention = desk.Retention{Keep: map[string]time.Duration{}}
	for _, f := range strings.Fields(strings.ReplaceAll(st["ARCHIVE_REQUEST_RETENTION"], ",", " ")) {
		lib, days, pair := strings.Cut(f, "=")
		if !pair {
			lib, days = "", f
		}
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 100*365 || pair && !repository.ValidID(lib) {
			return fmt.Errorf("ARCHIVE_REQUEST_RETENTION: %q is not a number of days, or library=days, such as 365 or cmu=365", f)
		}
		if pair {
			cfg.Retention.Keep[lib] = time.Duration(n) * 24 * time.Hour
		} else {
			cfg.Retention.Default = time.Duration(n) * 24 * time.Hour
		}
	}
	return nil
}

// pruneRequests removes decided requests past their library's period, at
// start and then every hour.
func pruneRequests(ctx context.Context, ret desk.Retention, store *bolt.Store, blobs storage.Remover, log *slog.Logger) {
	ret.Blobs = blobs
	for {
		if n, err := ret.Prune(ctx, store, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("removing old access requests", "err", err)
		} else if n > 0 {
			log.Info("old access requests removed", "requests", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
