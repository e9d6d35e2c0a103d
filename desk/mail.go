package desk

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/thaiarchives/archive/repository"
)

// Mailer sends the archive's messages through an SMTP server
// (ARCHIVE_SMTP_ADDR, ARCHIVE_SMTP_FROM; User and Password when the server
// asks for them, over TLS only, as net/smtp insists).
type Mailer struct {
	Addr     string // host:port
	From     string
	User     string
	Password string
}

// Send sends one plain-text message in UTF-8.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to+subject, "\r\n") {
		return fmt.Errorf("a header holds a line break")
	}
	var auth smtp.Auth
	if m.User != "" {
		host, _, _ := net.SplitHostPort(m.Addr)
		auth = smtp.PlainAuth("", m.User, m.Password, host)
	}
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: =?UTF-8?B?" + b64(subject) + "?=\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tell e-mails the requester the decision on r, in Thai and English.
func (s *Requests) tell(ctx context.Context, r *repository.Request) error {
	u, err := s.Store.User(r.Requester)
	if err != nil {
		return err
	}
	var th, en string
	if r.Status == repository.Approved {
		last := r.Until.In(Zone).Add(-time.Nanosecond).Format(time.DateOnly)
		th = fmt.Sprintf("คำขอเข้าถึงรายการ %s ได้รับการอนุมัติ ถึงวันที่ %s", r.Item, last)
		en = fmt.Sprintf("Your request for access to item %s was approved, until %s.", r.Item, last)
	} else {
		th = fmt.Sprintf("คำขอเข้าถึงรายการ %s ไม่ได้รับการอนุมัติ เหตุผล: %s", r.Item, r.Reason)
		en = fmt.Sprintf("Your request for access to item %s was refused. Reason: %s", r.Item, r.Reason)
	}
	return s.Mail.Send(ctx, u.Email, "คำขอเข้าถึง / Access request "+r.Item, th+"\n\n"+en+"\n")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
