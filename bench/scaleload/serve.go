package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is an `archive serve` started by the benchmark.
type server struct {
	cmd     *exec.Cmd
	started time.Time
}

// startServer starts archive serve on addr (the data folder comes from the
// environment, ARCHIVE_DATA), its log going to logPath, and waits until it
// says it is ready.
func startServer(archive, addr, logPath string) (*server, time.Duration, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, 0, err
	}
	defer log.Close()
	cmd := exec.Command(archive, "serve", "--addr", addr)
	cmd.Stdout, cmd.Stderr = log, log
	s := &server{cmd: cmd, started: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	deadline := s.started.Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(s.started), nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, 0, fmt.Errorf("the server was not ready within 10 minutes (see %s)", logPath)
}

// cpu is the CPU time the server has used since it started.
func (s *server) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command's name (in parentheses): utime and stime
	// are the 14th and 15th of the line, in clock ticks (100 a second on
	// Linux; see proc(5)).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot read the server's CPU time from %q", b)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// rss is the server's resident memory now, in MiB.
func (s *server) rss() int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb >> 10
		}
	}
	return 0
}

// stop asks the server to end and waits for it.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	return s.cmd.Wait()
}
