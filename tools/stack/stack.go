// Package stack runs Psyx the way it is deployed: the psyx binary under a
// real supervisord, behind a real nginx, on a PostgreSQL cluster from
// tools/pgtest, with the configs rendered by the code install.sh uses
// (psyx render-config). The e2e tests, the local run (tools/devstack)
// and the benchmarks (bench/) all start it from here.
package stack

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver the service uses too

	"github.com/psyx-lab/psyx/supervisor"
	"github.com/psyx-lab/psyx/tools/pgtest"
)

// Options shape one stack. Cluster, PsyxBin and HTMLDir are required.
type Options struct {
	Cluster     *pgtest.Cluster
	DatabaseURL string // empty: a new database in Cluster
	PsyxBin     string // the service binary supervisord runs
	HTMLDir     string // the pages (the checkout's nginx/html)
	// Root holds PsyxStatic/ and run/ (configs, sockets, logs). Empty: a
	// temp folder, removed by Close; a given one is kept (the local run's
	// ./var), and what it holds is reused.
	Root         string
	Instances    int // psyx processes behind one upstream; default 1
	PairsPerPack int // 0 = the service default (300); -1 = any size
	// Env adds settings (PSYX_NAME_PATTERN, ...) to every instance.
	Env map[string]string
	// HTTPAddr is Nginx's listen address; APIAddrs those of the instances.
	// Empty: free ports on 127.0.0.1.
	HTTPAddr string
	APIAddrs []string
	// AdminUser (default admin) gets AdminPassword (default random) in
	// psyx.htpasswd; other accounts there are kept.
	AdminUser, AdminPassword string
	StartTimeout             time.Duration // default 90 s: a -race build migrating a fresh database
}

// Stack is one running deployment.
type Stack struct {
	BaseURL                  string // http://127.0.0.1:<port>, Nginx
	AdminUser, AdminPassword string
	DataDir                  string // PsyxStatic: packs/, logs/, psyx.htpasswd
	DB                       *sqlx.DB
	Cluster                  *pgtest.Cluster
	DatabaseURL              string
	APIAddrs                 []string // host:port of each psyx instance, bypassing Nginx
	Programs                 []string // Supervisor program names, same order as APIAddrs
	RunDir                   string   // rendered configs, sockets, Nginx and supervisord logs

	root           string
	tempRoot       bool
	supervisorConf string
	supervisord    *process
	nginx          *process
}

// Start brings up supervisord(psyx) and nginx on a database of the
// cluster, and returns once /api/health answers on every instance and
// through Nginx. On an error, whatever it started is stopped again.
func Start(opts Options) (s *Stack, err error) {
	if opts.Cluster == nil || opts.PsyxBin == "" || opts.HTMLDir == "" {
		return nil, errors.New("stack: Cluster, PsyxBin and HTMLDir are required")
	}
	s = &Stack{Cluster: opts.Cluster, root: opts.Root, AdminUser: opts.AdminUser, AdminPassword: opts.AdminPassword}
	if s.root == "" {
		if s.root, err = os.MkdirTemp("", "psyxstack"); err != nil {
			return nil, fmt.Errorf("stack: %w", err)
		}
		s.tempRoot = true
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close())
			s = nil
		}
	}()
	if err := s.prepare(opts); err != nil {
		return s, err
	}
	if s.supervisord, err = startProcess(filepath.Join(s.RunDir, "supervisord.out"), syscall.SIGTERM,
		"supervisord", "-n", "-c", s.supervisorConf); err != nil {
		return s, err
	}
	if s.nginx, err = startProcess(filepath.Join(s.RunDir, "nginx.out"), syscall.SIGTERM,
		"nginx", "-p", s.RunDir, "-c", filepath.Join(s.RunDir, "nginx.conf"), "-e", filepath.Join(s.RunDir, "nginx-error.log")); err != nil {
		return s, err
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 90 * time.Second
	}
	for _, addr := range s.APIAddrs {
		if err := WaitHealthy(timeout, "http://"+addr+"/api/health", s.supervisord.alive); err != nil {
			return s, err
		}
	}
	return s, WaitHealthy(timeout, s.BaseURL+"/api/health", s.nginx.alive)
}

// prepare makes the folders, the database, the admin account and the
// configs.
func (s *Stack) prepare(opts Options) error {
	s.DataDir = filepath.Join(s.root, "PsyxStatic")
	s.RunDir = filepath.Join(s.root, "run")
	s.supervisorConf = filepath.Join(s.RunDir, "supervisord.conf")
	for _, d := range []string{
		s.root, s.DataDir, filepath.Join(s.DataDir, "packs"), filepath.Join(s.DataDir, "logs"),
		s.RunDir, filepath.Join(s.RunDir, "programs"), filepath.Join(s.RunDir, "tmp"),
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("stack: %w", err)
		}
		// Readable by Nginx's and Supervisor's children whatever user they run as.
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("stack: %w", err)
		}
	}
	s.DatabaseURL = opts.DatabaseURL
	if s.DatabaseURL == "" {
		url, err := s.Cluster.CreateDatabase()
		if err != nil {
			return err
		}
		s.DatabaseURL = url
	}
	db, err := sqlx.Open("postgres", s.DatabaseURL)
	if err != nil {
		return fmt.Errorf("stack: open database: %w", err)
	}
	s.DB = db
	if err := s.setAdminPassword(); err != nil {
		return err
	}
	if err := s.chooseAddrs(opts); err != nil {
		return err
	}
	return s.renderConfigs(opts)
}

func (s *Stack) setAdminPassword() error {
	if s.AdminUser == "" {
		s.AdminUser = "admin"
	}
	if s.AdminPassword == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("stack: %w", err)
		}
		s.AdminPassword = hex.EncodeToString(b)
	}
	file := filepath.Join(s.DataDir, "psyx.htpasswd")
	args := []string{"-i", "-B", file, s.AdminUser}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		args = append([]string{"-c"}, args...)
	}
	path, err := LookTool("htpasswd")
	if err != nil {
		return err
	}
	// The password goes through stdin: never in ps.
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(s.AdminPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("htpasswd: %w\n%s", err, out)
	}
	return nil
}

func (s *Stack) chooseAddrs(opts Options) error {
	n := opts.Instances
	if n <= 0 {
		n = 1
	}
	s.APIAddrs = append([]string(nil), opts.APIAddrs...)
	for len(s.APIAddrs) < n {
		addr, err := FreeAddr()
		if err != nil {
			return err
		}
		s.APIAddrs = append(s.APIAddrs, addr)
	}
	for i := range s.APIAddrs {
		s.Programs = append(s.Programs, supervisor.ProgramName(i))
	}
	httpAddr := opts.HTTPAddr
	if httpAddr == "" {
		addr, err := FreeAddr()
		if err != nil {
			return err
		}
		httpAddr = addr
	}
	for _, a := range append([]string{httpAddr}, s.APIAddrs...) {
		if l, err := net.Listen("tcp", a); err != nil {
			return fmt.Errorf("stack: %s is taken (another run?): %w", a, err)
		} else {
			l.Close()
		}
	}
	s.BaseURL = "http://" + httpAddr
	return nil
}

// Exited is closed when nginx or supervisord exits on its own: a local
// run then stops the rest.
func (s *Stack) Exited() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		select {
		case <-s.nginx.done:
		case <-s.supervisord.done:
		}
		close(ch)
	}()
	return ch
}

// FreeAddr is a 127.0.0.1 address with a port nobody listens on now.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Close stops everything newest first: nginx, then psyx through
// Supervisor (as a maintainer would, so its exit is recorded; it drains its
// requests), then supervisord. It reports a race or panic in the service's
// stderr, and removes a temp Root.
func (s *Stack) Close() error {
	var errs []error
	if s.nginx != nil {
		errs = append(errs, s.nginx.Stop(45*time.Second))
	}
	if s.supervisord != nil && s.supervisord.alive() == nil {
		if out, err := s.Supervisorctl("stop", "all"); err != nil {
			errs = append(errs, fmt.Errorf("supervisorctl stop all: %w\n%s", err, out))
		}
	}
	if s.supervisord != nil {
		errs = append(errs, s.supervisord.Stop(45*time.Second))
	}
	errs = append(errs, s.CheckServiceStderr())
	if s.DB != nil {
		errs = append(errs, s.DB.Close())
	}
	if s.tempRoot {
		errs = append(errs, os.RemoveAll(s.root))
	}
	return errors.Join(errs...)
}
