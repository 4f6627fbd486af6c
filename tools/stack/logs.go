package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Supervisorctl runs supervisorctl against this stack's supervisord. Note
// that `status` exits non-zero whenever a program is not running.
func (s *Stack) Supervisorctl(args ...string) (string, error) {
	path, err := LookTool("supervisorctl")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := exec.CommandContext(ctx, path, append([]string{"-c", s.supervisorConf}, args...)...).CombinedOutput()
	return string(b), err
}

// ProgramState is a program's Supervisor state (RUNNING, STOPPING, ...).
func (s *Stack) ProgramState(program string) string {
	out, _ := s.Supervisorctl("status", program)
	f := strings.Fields(out)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// ServicePID is the pid of a psyx program, for reading its /proc entry.
func (s *Stack) ServicePID(program string) (int, error) {
	out, err := s.Supervisorctl("pid", program)
	if err != nil {
		return 0, fmt.Errorf("supervisorctl pid %s: %w: %s", program, err, out)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("supervisorctl pid %s: %q", program, out)
	}
	return pid, nil
}

// NginxPID is the Nginx master's pid (its workers are its children).
func (s *Stack) NginxPID() int { return s.nginx.cmd.Process.Pid }

// NginxErrorLog is the path of Nginx's error log (level warn).
func (s *Stack) NginxErrorLog() string { return filepath.Join(s.RunDir, "nginx-error.log") }

// CheckServiceStderr fails when a program's stderr has a race report, a
// panic or a fatal error.
func (s *Stack) CheckServiceStderr() error {
	for _, p := range s.Programs {
		b, err := os.ReadFile(filepath.Join(s.DataDir, "logs", p+"_supervisord_stderr.log"))
		if err != nil {
			continue
		}
		for _, bad := range []string{"WARNING: DATA RACE", "panic:", "fatal error:"} {
			if strings.Contains(string(b), bad) {
				return fmt.Errorf("%s stderr has %q:\n%s", p, bad, b)
			}
		}
	}
	return nil
}

// LogTail is the end of every log of the stack, for a failure report.
func (s *Stack) LogTail() string {
	files := []string{
		s.NginxErrorLog(),
		filepath.Join(s.RunDir, "supervisord.log"),
		filepath.Join(s.DataDir, "logs", "api.log"),
	}
	for _, p := range s.Programs {
		files = append(files, filepath.Join(s.DataDir, "logs", p+"_supervisord_stderr.log"))
	}
	var out strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(b) > 8000 {
			b = append([]byte("...\n"), b[len(b)-8000:]...)
		}
		fmt.Fprintf(&out, "---- %s ----\n%s\n", f, b)
	}
	return out.String()
}
