package stack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// process is a foreground daemon (nginx, supervisord) this stack started.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, once done is closed
	log  *os.File
	stop syscall.Signal
}

// startProcess runs name with its output in logPath. Its own process
// group: a Ctrl-C aimed at the caller does not hit it half-way (the caller
// stops it in order); Pdeathsig: it does not outlive a killed caller.
func startProcess(logPath string, stop syscall.Signal, name string, args ...string) (*process, error) {
	path, err := LookTool(name)
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), log: logFile, stop: stop}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// alive is nil while the process runs.
func (p *process) alive() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited: %v (see %s)", p.name, p.err, p.log.Name())
	default:
		return nil
	}
}

// Stop sends the stop signal and waits; SIGKILL if it is still there after
// grace (psyx under supervisord drains for up to 20 s).
func (p *process) Stop(grace time.Duration) error {
	defer p.log.Close()
	if p.alive() != nil {
		return nil
	}
	if err := p.cmd.Process.Signal(p.stop); err != nil {
		return fmt.Errorf("signal %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %v of %v", p.name, grace, p.stop)
	}
}

// LookTool finds a program on PATH or in the sbin folders, which a
// non-root PATH often lacks (nginx lives in /usr/sbin).
func LookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found: install it (scripts/test.sh installs nginx, supervisor, apache2-utils)", name)
}
