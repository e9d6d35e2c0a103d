package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is what a command took: wall and CPU time, its peak resident
// memory as the kernel counts it, and the peaks of the two parts of it
// sampled while it ran: anonymous memory (what the program allocated) and
// mapped files (a database or index file it read through a mapping, which
// the kernel may drop at will and which grows with the files, not with
// what the program holds).
type usage struct {
	wall, cpu            time.Duration
	maxRSS, anon, mapped int64 // bytes
}

// runCommand runs a command as it is given and prints, after its own
// output, its wall time, CPU time and peak resident memory, so the script
// needs no time(1).
func runCommand(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("run: no command given")
	}
	u, err := measure1(args)
	if err != nil {
		return err
	}
	fmt.Printf("wall %.1f s, cpu %.1f s, peak RSS %d MiB (anonymous %d MiB, mapped files %d MiB)\n",
		u.wall.Seconds(), u.cpu.Seconds(), u.maxRSS>>20, u.anon>>20, u.mapped>>20)
	return nil
}

// measure1 runs args, sampling its memory every 50 ms until it ends.
func measure1(args []string) (usage, error) {
	var u usage
	label := args[0]
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return u, fmt.Errorf("%s: %w", label, err)
	}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			anon, mapped := resident(cmd.Process.Pid)
			u.anon, u.mapped = max(u.anon, anon), max(u.mapped, mapped)
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-sampled
	u.wall = time.Since(start)
	if err != nil {
		return u, fmt.Errorf("%s: %w", label, err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return u, fmt.Errorf("%s: no resource usage on this system", label)
	}
	u.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	u.maxRSS = ru.Maxrss << 10 // KiB on Linux
	return u, nil
}

// resident reads a process's resident anonymous memory and mapped files
// (shared memory counted with them) from /proc; zeros once it has ended.
func resident(pid int) (anon, mapped int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "RssAnon":
			anon = kb << 10
		case "RssFile", "RssShmem":
			mapped += kb << 10
		}
	}
	return anon, mapped
}
