// Package server is the running Psyx service: its logs, database, pack
// folders, results and HTTP server, from start to a drained stop.
package server

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/analysis"
	"github.com/psyx-lab/psyx/api"
	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/runs"
	"github.com/psyx-lab/psyx/store"
)

// App is the running service: its logs, database, pack folders and server.
type App struct {
	cfg      config.Config
	version  string
	sys      *zap.Logger // start, stop and fatal: the api log and stderr
	logs     *apiLogs
	store    *store.Store
	library  *packs.Library
	analysis *analysis.Service
	srv      *http.Server
}

// NewApp opens everything the service needs, migrates the schema and
// repairs what a crash may have left in the pack folders.
func NewApp(ctx context.Context, cfg config.Config, version string, stderr io.Writer) (app *App, err error) {
	logs, err := openAPILogs(cfg, stderr)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, version: version, logs: logs, sys: logs.sys}
	defer func() {
		if err != nil {
			a.sys.Error("start failed", zap.Error(err))
			a.Close()
		}
	}()
	if a.store, err = OpenStore(ctx, cfg); err != nil {
		return nil, err
	}
	applied, err := a.store.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if len(applied) > 0 {
		a.sys.Info("migrations applied", zap.Ints("versions", applied))
	}
	if a.library, err = packs.NewLibrary(cfg.DataDir, cfg.PairsPerPack, cfg.MaxImagePixels, logs.api); err != nil {
		return nil, err
	}
	if a.analysis, err = analysis.New(a.store, filepath.Join(cfg.DataDir, "packs"), cfg.StatsDir(), cfg.MaxImagePixels, logs.api); err != nil {
		return nil, err
	}
	a.analysis.UseStimuli(a.library)
	sweep := func(packs map[string]int) error {
		return errors.Join(a.library.Sweep(packs), a.analysis.Sweep(packs))
	}
	if err := a.store.WithFoldersLocked(ctx, sweep); err != nil {
		return nil, fmt.Errorf("repair pack folders: %w", err)
	}
	fresh := make([]byte, 32)
	crand.Read(fresh)
	secret, err := a.store.Secret(ctx, "completion", fresh)
	if err != nil {
		return nil, err
	}
	participants := runs.New(a.store, systemRand{}, time.Now, runs.Rules{ResumeWithin: cfg.ResumeWithin,
		AbandonAfter: cfg.AbandonAfter, CompletionURL: cfg.CompletionURL}, secret)
	handler := api.New(api.Deps{
		Packs:          a.store,
		Replies:        a.store,
		Participants:   participants,
		DB:             a.store,
		Folders:        a.library,
		Log:            logs.api,
		Rules:          api.Rules{Name: cfg.NameRE, Phone: cfg.PhoneRE, PhoneFormat: cfg.PhoneFormat},
		AbandonAfter:   cfg.AbandonAfter,
		Location:       cfg.Location,
		MaxUploadBytes: cfg.MaxUploadBytes(),
		Now:            time.Now,
		Analysis:       a.analysis,
		Quality:        cfg.Quality,
		Completions:    a.store,
		Version:        version,
		MaxImagePixels: cfg.MaxImagePixels,
	})
	a.srv = &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		// JSON requests are small; uploads and downloads lift their own
		// deadlines (api's createPack and download).
		ReadTimeout:    30 * time.Second,
		WriteTimeout:   60 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       zap.NewStdLog(logs.api),
	}
	return a, nil
}

// OpenStore connects to the configured database.
func OpenStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return store.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
}

// Run serves until ctx ends (SIGTERM), then stops taking connections and
// gives requests in flight the configured time to finish.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	a.sys.Info("serving", zap.String("addr", ln.Addr().String()), zap.String("version", a.version))
	served := make(chan error, 1)
	go func() { served <- a.srv.Serve(ln) }()
	fctx, stopFold := context.WithCancel(context.Background())
	folded := make(chan struct{})
	go func() { a.foldSeen(fctx); close(folded) }()
	defer func() { stopFold(); <-folded }() // before Close closes the store
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.sys.Info("stopping: draining requests in flight", zap.Duration("deadline", a.cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := a.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.sys.Info("stopped")
	return nil
}

// Close releases the database and flushes the logs.
func (a *App) Close() error {
	var errs []error
	if a.analysis != nil {
		errs = append(errs, a.analysis.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	errs = append(errs, a.logs.Close())
	return errors.Join(errs...)
}

// systemRand orders pairs with math/rand/v2's goroutine-safe generator.
type systemRand struct{}

func (systemRand) Shuffle(n int, swap func(i, j int)) { rand.Shuffle(n, swap) }
func (systemRand) IntN(n int) int                     { return rand.IntN(n) }
