package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

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
	label := args[0]
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return fmt.Errorf("%s: no resource usage on this system", label)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// Maxrss is in KiB on Linux.
	fmt.Printf("wall %.1f s, cpu %.1f s, peak RSS %d MiB\n", took.Seconds(), cpu.Seconds(), ru.Maxrss>>10)
	return nil
}
