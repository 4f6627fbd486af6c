package stack

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"

	"github.com/psyx-lab/psyx/nginx"
	"github.com/psyx-lab/psyx/supervisor"
)

// renderConfigs writes supervisord.conf, programs/psyx.conf, the site and
// nginx.conf into RunDir, with the renderers install.sh uses.
func (s *Stack) renderConfigs(opts Options) error {
	u, err := user.Current()
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	root := os.Geteuid() == 0
	sd := supervisor.Supervisord{RunDir: s.RunDir}
	if root {
		sd.User = "root" // silences supervisord's warning about running as root
	}
	env := map[string]string{}
	switch {
	case opts.PairsPerPack > 0:
		env["PSYX_PAIRS_PER_PACK"] = fmt.Sprint(opts.PairsPerPack)
	case opts.PairsPerPack < 0:
		env["PSYX_PAIRS_PER_PACK"] = "0"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	programs := supervisor.Programs{Command: opts.PsyxBin, DataDir: s.DataDir, User: u.Username, Home: u.HomeDir,
		DatabaseURL: s.DatabaseURL, Addrs: s.APIAddrs, Env: env}
	mime, err := nginx.MimeTypesPath()
	if err != nil {
		return err
	}
	site := filepath.Join(s.RunDir, "psyx.conf")
	standalone := nginx.Standalone{RunDir: s.RunDir, MimeTypes: mime, SiteConf: site,
		WorkerConnections: nginx.DefaultWorkerConnections}
	if root {
		// Workers would otherwise run as nobody, who cannot enter a
		// checkout under /root or a temp folder.
		standalone.User = "root root"
	}
	files := []struct {
		path   string
		render func(io.Writer) error
	}{
		{s.supervisorConf, sd.Render},
		{filepath.Join(s.RunDir, "programs", "psyx.conf"), programs.Render},
		{site, nginx.Site{Listen: s.BaseURL[len("http://"):], ServerName: "localhost", HTMLDir: opts.HTMLDir,
			DataDir: s.DataDir, Upstreams: s.APIAddrs, Limits: nginx.DefaultLimits()}.Render},
		{filepath.Join(s.RunDir, "nginx.conf"), standalone.Render},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.render(&b); err != nil {
			return err
		}
		if err := os.WriteFile(f.path, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("stack: %w", err)
		}
	}
	return nil
}
