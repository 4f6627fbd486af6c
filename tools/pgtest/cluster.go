// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb into a
// temporary folder, a unix socket only, torn down when the tests end. Tests
// never skip when PostgreSQL is missing; they fail and say how to install it.
package pgtest

import (
	"database/sql"
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
	root    string // folder holding data/, sock/ and server.log
	temp    bool   // root is ours to delete on Close
	binDir  string
	cred    *syscall.Credential // set when we are root: PostgreSQL refuses to run as root
	mu      sync.Mutex
	nextDB  int
	running bool
	adopted bool // the server was running before Start: Close leaves it running
}

// Options tune a cluster.
type Options struct {
	// Durable keeps fsync on, for measurements that must match a
	// production server.
	Durable bool
	// Dir keeps the cluster in this folder across runs (the local run's
	// ./var/pg): created on the first Start, reused after, never deleted.
	// Empty: a temp folder removed by Close. When we are root, the postgres
	// user must be able to enter every folder above it.
	Dir string
}

// Start creates and starts a new cluster.
func Start(opts Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{root: opts.Dir, binDir: bin}
	if c.root == "" {
		if c.root, err = os.MkdirTemp("", "psyxpg"); err != nil {
			return nil, fmt.Errorf("temp dir: %w", err)
		}
		c.temp = true
	} else if err := os.MkdirAll(c.root, 0o755); err != nil {
		return nil, fmt.Errorf("cluster dir: %w", err)
	}
	if err := c.start(opts); err != nil {
		if c.temp {
			os.RemoveAll(c.root)
		}
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(opts Options) error {
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return err
		}
		c.cred = cred
		if err := os.Chown(c.root, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("chown %s: %w", c.root, err)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err != nil {
		if err := c.initdb(opts); err != nil {
			return err
		}
	} else if c.run("pg_ctl", "-D", c.dataDir(), "status") == nil {
		// Left running by an earlier run that was killed: use it, and
		// leave it as we found it.
		c.running, c.adopted = true, true
		return nil
	}
	return c.StartServer()
}

func (c *Cluster) initdb(opts Options) error {
	if err := c.run("initdb", "-D", c.dataDir(), "-U", "postgres", "--auth=trust",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return err
	}
	if err := c.run("mkdir", "-p", c.SocketDir()); err != nil {
		return err
	}
	// Unix socket only, reachable by its owner (and root): trust is safe.
	conf := "listen_addresses = ''\n" +
		"unix_socket_directories = '" + c.SocketDir() + "'\n" +
		"unix_socket_permissions = 0700\n" +
		"port = 5432\nmax_connections = 200\nshared_buffers = 128MB\n"
	if !opts.Durable {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
	return appendFile(filepath.Join(c.dataDir(), "postgresql.conf"), conf)
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

// DataDir is the cluster's PGDATA.
func (c *Cluster) DataDir() string { return c.dataDir() }

// Close stops the server (unless it was running before Start) and deletes
// a temp cluster; a cluster in Options.Dir keeps its data.
func (c *Cluster) Close() error {
	var err error
	if !c.adopted {
		err = c.StopServer()
	}
	if c.temp {
		if rmErr := os.RemoveAll(c.root); err == nil {
			err = rmErr
		}
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

// EnsureDatabase creates database name unless it exists, and returns its
// URL: the local run's one database, kept across runs.
func (c *Cluster) EnsureDatabase(name string) (string, error) {
	admin, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("open admin connection: %w", err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for database %s: %w", name, err)
	}
	if !exists {
		if _, err := admin.Exec(`CREATE DATABASE "` + strings.ReplaceAll(name, `"`, `""`) + `"`); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
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
