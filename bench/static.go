package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/psyx-lab/psyx/tools/stack"
)

// staticServer is a bare nginx serving one file.
type staticServer struct {
	url  string
	cmd  *exec.Cmd
	stop func()
}

func (b *Bench) staticNginx(body []byte) (*staticServer, error) {
	dir := filepath.Join(b.work, "static")
	for _, d := range []string{filepath.Join(dir, "www"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "start.json"), body, 0o644); err != nil {
		return nil, err
	}
	addr, err := stack.FreeAddr()
	if err != nil {
		return nil, err
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes auto;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path %[2]s/tmp/body;
	proxy_temp_path %[2]s/tmp/proxy;
	fastcgi_temp_path %[2]s/tmp/fastcgi;
	uwsgi_temp_path %[2]s/tmp/uwsgi;
	scgi_temp_path %[2]s/tmp/scgi;
	default_type application/json;
	server {
		listen %[3]s;
		root %[2]s/www;
	}
}
`, user, dir, addr)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	path, err := stack.LookTool("nginx")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	s := &staticServer{url: "http://" + addr, cmd: cmd, stop: func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		cmd.Wait()
	}}
	if err := stack.WaitHealthy(20*time.Second, s.url+"/start.json", nil); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}
