// Package config loads the service's settings: one TOML file (optional) plus
// PSYX_* environment overrides, checked once at start so a bad setting stops
// the process before it serves anything.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/psyx-lab/psyx/results"
)

// Config is every setting of the service.
type Config struct {
	Addr              string             `toml:"addr"`
	AllowPublicListen bool               `toml:"allow_public_listen"`
	DatabaseURL       string             `toml:"database_url"`
	DataDir           string             `toml:"data_dir"`
	TimeZone          string             `toml:"time_zone"`
	PairsPerPack      int                `toml:"pairs_per_pack"`
	NamePattern       string             `toml:"name_pattern"`
	PhonePattern      string             `toml:"phone_pattern"`
	PhoneFormat       string             `toml:"phone_format"`
	MaxUploadMB       int64              `toml:"max_upload_mb"`
	MaxImagePixels    int                `toml:"max_image_pixels"`
	ShutdownTimeout   time.Duration      `toml:"shutdown_timeout"`
	ReadHeaderTimeout time.Duration      `toml:"read_header_timeout"`
	DBMaxConns        int                `toml:"db_max_conns"`
	LogMaxAgeDays     int                `toml:"log_max_age_days"`
	ResumeWithin      time.Duration      `toml:"resume_within"`
	AbandonAfter      time.Duration      `toml:"abandon_after"`
	CompletionURL     string             `toml:"completion_url"`
	Quality           results.Thresholds `toml:"quality"`

	// Compiled by Load from the settings above; not read from the file.
	Location *time.Location `toml:"-"`
	NameRE   *regexp.Regexp `toml:"-"`
	PhoneRE  *regexp.Regexp `toml:"-"`
}

// The limits of max_image_pixels. An image is decoded only after its header
// said it has at most this many pixels, and a decode holds up to 8 bytes a
// pixel (16-bit RGBA; a progressive JPEG's coefficients add up to 12 more),
// GOMAXPROCS decodes at once: 8 MB each by default, 512 MB each at the cap,
// beyond which a 2 GB machine cannot go.
const (
	DefaultMaxImagePixels = 1024 * 1024
	MaxMaxImagePixels     = 8192 * 8192
)

// Default is the configuration when nothing is set.
func Default(home string) Config {
	return Config{
		Addr:         "127.0.0.1:5000",
		DatabaseURL:  "postgres://psyx@/psyx?host=/var/run/postgresql&sslmode=disable",
		DataDir:      filepath.Join(home, "PsyxStatic"),
		TimeZone:     "Asia/Seoul",
		PairsPerPack: 300,
		NamePattern:  `^[가-힣]{2,}$`,
		PhonePattern: `^\d{3}-\d{4}-\d{4}$`,
		PhoneFormat:  "###-####-####",
		MaxUploadMB:  1024,
		// 1024²: rcicr's largest usual stimuli; a decode takes at most 8 MB.
		MaxImagePixels: DefaultMaxImagePixels,
		// Below Supervisor's stopwaitsecs (30 s).
		ShutdownTimeout: 20 * time.Second,
		// A client gets this long to send its request line and headers.
		ReadHeaderTimeout: 10 * time.Second,
		DBMaxConns:        20,
		LogMaxAgeDays:     14,
		ResumeWithin:      2 * time.Hour,
		AbandonAfter:      30 * time.Minute,
		Quality:           results.DefaultThresholds(),
	}
}

// Load reads the file named by PSYX_CONFIG (if any), applies the PSYX_*
// variables of env, validates the result and compiles its patterns. getenv
// is os.Getenv in production; tests pass their own.
func Load(getenv func(string) string, home string) (Config, error) {
	cfg := Default(home)
	if path := getenv("PSYX_CONFIG"); path != "" {
		meta, err := toml.DecodeFile(path, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
		if undec := meta.Undecoded(); len(undec) > 0 {
			return Config{}, fmt.Errorf("config file %s: unknown setting %q", path, undec[0].String())
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	// Validate compiled each of these once already; they cannot fail now.
	cfg.Location, _ = time.LoadLocation(cfg.TimeZone)
	cfg.NameRE = regexp.MustCompile(cfg.NamePattern)
	cfg.PhoneRE = regexp.MustCompile(cfg.PhonePattern)
	return cfg, nil
}

// Validate checks every setting.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		add("addr %q: %w", c.Addr, err)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		add("addr %q: bad port", c.Addr)
	} else if !c.AllowPublicListen && !isLoopback(host) {
		add("addr %q is not a loopback address: Nginx is meant to be the only way in; set allow_public_listen = true to do it anyway", c.Addr)
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		add("database_url is empty")
	}
	if c.DataDir == "" || !filepath.IsAbs(c.DataDir) {
		add("data_dir %q must be an absolute path", c.DataDir)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		add("time_zone %q: %w", c.TimeZone, err)
	}
	if c.PairsPerPack < 0 || c.PairsPerPack > 99999 {
		add("pairs_per_pack %d: must be 0 (any) to 99999", c.PairsPerPack)
	}
	if _, err := regexp.Compile(c.NamePattern); err != nil {
		add("name_pattern: %w", err)
	}
	if _, err := regexp.Compile(c.PhonePattern); err != nil {
		add("phone_pattern: %w", err)
	}
	if strings.Trim(c.PhoneFormat, "#- ().+") != "" {
		add("phone_format %q: only # (a digit), spaces, dashes, dots, parentheses and + are allowed", c.PhoneFormat)
	}
	if c.MaxUploadMB < 1 {
		add("max_upload_mb %d: must be at least 1", c.MaxUploadMB)
	}
	if c.MaxImagePixels < 1 || c.MaxImagePixels > MaxMaxImagePixels {
		add("max_image_pixels %d: must be 1 to %d (8192²)", c.MaxImagePixels, MaxMaxImagePixels)
	}
	for name, d := range map[string]time.Duration{"shutdown_timeout": c.ShutdownTimeout,
		"read_header_timeout": c.ReadHeaderTimeout, "resume_within": c.ResumeWithin, "abandon_after": c.AbandonAfter} {
		if d <= 0 {
			add("%s must be positive", name)
		}
	}
	if c.DBMaxConns < 2 {
		add("db_max_conns %d: must be at least 2", c.DBMaxConns)
	}
	if c.LogMaxAgeDays < 1 {
		add("log_max_age_days %d: must be at least 1", c.LogMaxAgeDays)
	}
	if c.CompletionURL != "" {
		if u, err := url.Parse(c.CompletionURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("completion_url %q: must be an http(s) URL", c.CompletionURL)
		}
	}
	errs = append(errs, c.Quality.Validate())
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LogDir holds api.log and Supervisor's logs.
func (c *Config) LogDir() string { return filepath.Join(c.DataDir, "logs") }

// StatsDir holds what is computed once per pack for its results.
func (c *Config) StatsDir() string { return filepath.Join(c.DataDir, "stats") }

// MaxUploadBytes is the body limit of a pack upload.
func (c *Config) MaxUploadBytes() int64 { return c.MaxUploadMB << 20 }
