package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/api"
	"github.com/psyx-lab/psyx/config"
	"github.com/psyx-lab/psyx/internal/server"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/store"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

const usage = `usage: psyx [command]

commands:
  serve         run the API service (default)
  migrate       apply database migrations and exit
  pack import   --name N --sex 1|2 --age-min A --age-max B DIR
                add a pack from a local folder (same checks as the upload)
  pack generate --name N --sex 1|2 --age-min A --age-max B --base FILE
                [--trials T --img-size S --noise sinusoid|gabor --nscales K
                 --sigma G --seed X --no-contrast]
                make a pack from one base face (as the admin page does)
  render-config KIND [flags]
                write an Nginx or Supervisor config (psyx render-config -h)
  version       print the version

Settings come from the file named by PSYX_CONFIG and PSYX_* variables
(see config/psyx.example.toml).
`

// run is the whole program; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(stderr)
	case "migrate":
		err = migrate(stdout)
	case "pack":
		switch {
		case len(args) > 0 && args[0] == "import":
			err = importPack(args[1:], stdout, stderr)
		case len(args) > 0 && args[0] == "generate":
			err = generatePack(args[1:], stdout, stderr)
		default:
			fmt.Fprint(stderr, usage)
			return 2
		}
	case "render-config":
		err = renderConfig(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "psyx", buildVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "psyx: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "psyx: %v\n\n%s", err, usage)
		return 2
	}
	if err != nil {
		if msg, ok := api.Message(err); ok {
			fmt.Fprintln(stderr, "psyx:", msg)
		} else {
			fmt.Fprintln(stderr, "psyx:", err)
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "dev-" + s.Value
			}
		}
	}
	return version
}

func loadConfig() (config.Config, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "/"
	}
	return config.Load(os.Getenv, home)
}

func serve(stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	app, err := server.NewApp(ctx, cfg, buildVersion(), stderr)
	if err != nil {
		return err
	}
	runErr := app.Run(ctx)
	return errors.Join(runErr, app.Close())
}

// openMigrated opens the configured database and applies the migrations
// it lacks, for the one-shot commands.
func openMigrated(ctx context.Context) (config.Config, *store.Store, []int, error) {
	cfg, err := loadConfig()
	if err != nil {
		return cfg, nil, nil, err
	}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return cfg, nil, nil, err
	}
	return cfg, st, applied, nil
}

func migrate(stdout io.Writer) error {
	_, st, applied, err := openMigrated(context.Background())
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrations applied: %v\n", applied)
	return nil
}

func importPack(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pack import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "pack name ([a-z][a-z0-9_]*, under 16 characters)")
	sex := fs.Int("sex", 0, "participant sex: 1 male, 2 female")
	ageMin := fs.Int("age-min", -1, "youngest age (inclusive)")
	ageMax := fs.Int("age-max", -1, "oldest age (inclusive)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("pack import needs exactly one folder")}
	}
	meta, err := packs.ParseMeta(*name, strconv.Itoa(*sex), strconv.Itoa(*ageMin), strconv.Itoa(*ageMax))
	if err != nil {
		return err
	}
	ctx := context.Background()
	cfg, st, _, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	lib, err := packs.NewLibrary(cfg.DataDir, cfg.PairsPerPack, cfg.MaxImagePixels, server.NewStderrLogger(stderr))
	if err != nil {
		return err
	}
	up, skipped, err := lib.StageDir(fs.Arg(0))
	if err != nil {
		return err
	}
	defer up.Discard()
	for _, s := range skipped {
		fmt.Fprintf(stderr, "skipped (not a stimulus image): %s\n", s)
	}
	id, err := packs.Register(ctx, st, meta, up)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Pack %d Added.\n", id)
	return nil
}
