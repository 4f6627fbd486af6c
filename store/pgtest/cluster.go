// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb into a
// temporary folder, a unix socket only, torn down when the tests end. Tests
// never skip when PostgreSQL is missing; they fail and say how to install it.
package pgtest

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	_ "github.com/lib/pq" // the driver the service uses too
)

// Cluster is one running PostgreSQL server owned by a test process.
type Cluster struct {
	root    string // temp folder holding data/, sock/ and server.log
	binDir  string
	cred    *syscall.Credential // set when we are root: PostgreSQL refuses to run as root
	mu      sync.Mutex
	nextDB  int
	running bool
}

// Options tune a cluster. Durable keeps fsync on, for measurements that must
// match a production server.
type Options struct {
	Durable bool
}

// BinDir finds initdb/pg_ctl: $PSYX_PG_BIN, then Debian's versioned folders,
// then PATH.
func BinDir() (string, error) {
	if d := os.Getenv("PSYX_PG_BIN"); d != "" {
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql (scripts/test.sh does) or set PSYX_PG_BIN")
}

// Start creates and starts a new cluster.
func Start(opts Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "psyxpg")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	c := &Cluster{root: root, binDir: bin}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			os.RemoveAll(root)
			return nil, err
		}
		c.cred = cred
		if err := os.Chown(root, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(root)
			return nil, fmt.Errorf("chown %s: %w", root, err)
		}
	}
	if err := c.run("initdb", "-D", c.dataDir(), "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	if err := c.run("mkdir", c.SocketDir()); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	conf := "listen_addresses = ''\n" +
		"unix_socket_directories = '" + c.SocketDir() + "'\n" +
		"port = 5432\nmax_connections = 200\nshared_buffers = 128MB\n"
	if !opts.Durable {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
	if err := appendFile(filepath.Join(c.dataDir(), "postgresql.conf"), conf); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	if err := c.StartServer(); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	return c, nil
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and no 'postgres' user to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func (c *Cluster) dataDir() string { return filepath.Join(c.root, "data") }

// SocketDir is the folder holding the server's unix socket (port 5432).
func (c *Cluster) SocketDir() string { return filepath.Join(c.root, "sock") }

// BinDir is where this cluster's PostgreSQL programs live.
func (c *Cluster) BinDir() string { return c.binDir }

// LogPath is the server log, useful when a test fails.
func (c *Cluster) LogPath() string { return filepath.Join(c.root, "server.log") }

// run executes a PostgreSQL program (or mkdir) as the cluster's owner.
func (c *Cluster) run(prog string, args ...string) error {
	path := prog
	if prog != "mkdir" {
		path = filepath.Join(c.binDir, prog)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = c.root
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", prog, strings.Join(args, " "), err, out)
	}
	return nil
}

// StartServer (re)starts a stopped cluster and waits until it accepts
// connections (pg_ctl -w).
func (c *Cluster) StartServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return nil
	}
	if err := c.run("pg_ctl", "-D", c.dataDir(), "-l", c.LogPath(), "-w", "-t", "60", "start"); err != nil {
		return err
	}
	c.running = true
	return nil
}

// StopServer stops the server (fast mode: clients are disconnected) and
// keeps the data, so StartServer can bring it back.
func (c *Cluster) StopServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil
	}
	if err := c.run("pg_ctl", "-D", c.dataDir(), "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return err
	}
	c.running = false
	return nil
}

// Close stops the server and deletes everything.
func (c *Cluster) Close() error {
	err := c.StopServer()
	if rmErr := os.RemoveAll(c.root); err == nil {
		err = rmErr
	}
	return err
}

// URL is a lib/pq connection string for database db.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("host=%s port=5432 user=postgres dbname=%s sslmode=disable", c.SocketDir(), db)
}

// CreateDatabase makes a new empty database and returns its URL.
func (c *Cluster) CreateDatabase() (string, error) {
	c.mu.Lock()
	c.nextDB++
	name := fmt.Sprintf("psyx_test_%d", c.nextDB)
	c.mu.Unlock()
	admin, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("open admin connection: %w", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// NewDatabase is CreateDatabase for a test: it fails the test on error.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	url, err := c.CreateDatabase()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// New starts a cluster that belongs to one test and is removed after it.
func New(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return c
}

// Main runs a package's tests with one shared cluster, started before and
// removed after them. Use it from TestMain: os.Exit(pgtest.Main(m, &cluster)).
func Main(m *testing.M, c **Cluster) int {
	cl, err := Start(Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	*c = cl
	code := m.Run()
	if err := cl.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: close:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
