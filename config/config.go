// Package config loads the service's settings: one TOML file (optional) plus
// PSYX_* environment overrides, checked once at start so a bad setting stops
// the process before it serves anything.
package config

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is every setting of the service.
type Config struct {
	Addr              string   `toml:"addr"`
	AllowPublicListen bool     `toml:"allow_public_listen"`
	DatabaseURL       string   `toml:"database_url"`
	DataDir           string   `toml:"data_dir"`
	TimeZone          string   `toml:"time_zone"`
	PairsPerPack      int      `toml:"pairs_per_pack"`
	NamePattern       string   `toml:"name_pattern"`
	PhonePattern      string   `toml:"phone_pattern"`
	MaxUploadMB       int64    `toml:"max_upload_mb"`
	ShutdownTimeout   Duration `toml:"shutdown_timeout"`
	ReadHeaderTimeout Duration `toml:"read_header_timeout"`
	DBMaxConns        int      `toml:"db_max_conns"`
	LogMaxAgeDays     int      `toml:"log_max_age_days"`

	// Derived by Load/Validate; not read from the file.
	Location *time.Location `toml:"-"`
	NameRE   *regexp.Regexp `toml:"-"`
	PhoneRE  *regexp.Regexp `toml:"-"`
}

// Duration reads "20s"-style strings from TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	d.Duration = v
	return nil
}

// Default is the configuration when nothing is set.
func Default(home string) Config {
	return Config{
		Addr:            "127.0.0.1:5000",
		DatabaseURL:     "postgres://psyx@/psyx?host=/var/run/postgresql&sslmode=disable",
		DataDir:         filepath.Join(home, "PsyxStatic"),
		TimeZone:        "Asia/Seoul",
		PairsPerPack:    300,
		NamePattern:     `^[가-힣]{2,}$`,
		PhonePattern:    `^\d{3}-\d{4}-\d{4}$`,
		MaxUploadMB:     1024,
		ShutdownTimeout: Duration{20 * time.Second},
		// A client gets this long to send its request line and headers.
		ReadHeaderTimeout: Duration{10 * time.Second},
		DBMaxConns:        20,
		LogMaxAgeDays:     14,
	}
}

// Load reads the file named by PSYX_CONFIG (if any), applies the PSYX_*
// variables of env, and validates the result. getenv is os.Getenv in
// production; tests pass their own.
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
	return cfg, nil
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	strs := map[string]*string{
		"PSYX_ADDR":          &cfg.Addr,
		"PSYX_DATABASE_URL":  &cfg.DatabaseURL,
		"PSYX_DATA_DIR":      &cfg.DataDir,
		"PSYX_TIME_ZONE":     &cfg.TimeZone,
		"PSYX_NAME_PATTERN":  &cfg.NamePattern,
		"PSYX_PHONE_PATTERN": &cfg.PhonePattern,
	}
	for key, dst := range strs {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	ints := map[string]*int{
		"PSYX_PAIRS_PER_PACK": &cfg.PairsPerPack,
		"PSYX_DB_MAX_CONNS":   &cfg.DBMaxConns,
	}
	for key, dst := range ints {
		if v := getenv(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s=%q: not an integer", key, v)
			}
			*dst = n
		}
	}
	if v := getenv("PSYX_MAX_UPLOAD_MB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("PSYX_MAX_UPLOAD_MB=%q: not an integer", v)
		}
		cfg.MaxUploadMB = n
	}
	durations := map[string]*Duration{
		"PSYX_SHUTDOWN_TIMEOUT":    &cfg.ShutdownTimeout,
		"PSYX_READ_HEADER_TIMEOUT": &cfg.ReadHeaderTimeout,
	}
	for key, dst := range durations {
		if v := getenv(key); v != "" {
			if err := dst.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	if v := getenv("PSYX_ALLOW_PUBLIC_LISTEN"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("PSYX_ALLOW_PUBLIC_LISTEN=%q: not true/false", v)
		}
		cfg.AllowPublicListen = b
	}
	return nil
}

// Validate checks every setting and fills the derived fields.
func (c *Config) Validate() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		errs = append(errs, fmt.Errorf("addr %q: %w", c.Addr, err))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("addr %q: bad port", c.Addr))
	} else if !c.AllowPublicListen && !isLoopback(host) {
		errs = append(errs, fmt.Errorf("addr %q is not a loopback address: Nginx is meant to be the only way in; set allow_public_listen = true to do it anyway", c.Addr))
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		errs = append(errs, errors.New("database_url is empty"))
	}
	if c.DataDir == "" || !filepath.IsAbs(c.DataDir) {
		errs = append(errs, fmt.Errorf("data_dir %q must be an absolute path", c.DataDir))
	}
	if loc, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("time_zone %q: %w", c.TimeZone, err))
	} else {
		c.Location = loc
	}
	if c.PairsPerPack < 0 || c.PairsPerPack > 99999 {
		errs = append(errs, fmt.Errorf("pairs_per_pack %d: must be 0 (any) to 99999", c.PairsPerPack))
	}
	if re, err := regexp.Compile(c.NamePattern); err != nil {
		errs = append(errs, fmt.Errorf("name_pattern: %w", err))
	} else {
		c.NameRE = re
	}
	if re, err := regexp.Compile(c.PhonePattern); err != nil {
		errs = append(errs, fmt.Errorf("phone_pattern: %w", err))
	} else {
		c.PhoneRE = re
	}
	if c.MaxUploadMB < 1 {
		errs = append(errs, fmt.Errorf("max_upload_mb %d: must be at least 1", c.MaxUploadMB))
	}
	if c.ShutdownTimeout.Duration <= 0 {
		errs = append(errs, errors.New("shutdown_timeout must be positive"))
	}
	if c.ReadHeaderTimeout.Duration <= 0 {
		errs = append(errs, errors.New("read_header_timeout must be positive"))
	}
	if c.DBMaxConns < 2 {
		errs = append(errs, fmt.Errorf("db_max_conns %d: must be at least 2", c.DBMaxConns))
	}
	if c.LogMaxAgeDays < 1 {
		errs = append(errs, fmt.Errorf("log_max_age_days %d: must be at least 1", c.LogMaxAgeDays))
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PacksDir holds one folder of images per pack.
func (c *Config) PacksDir() string { return filepath.Join(c.DataDir, "packs") }

// LogDir holds api.log and Supervisor's logs.
func (c *Config) LogDir() string { return filepath.Join(c.DataDir, "logs") }

// MaxUploadBytes is the body limit of a pack upload.
func (c *Config) MaxUploadBytes() int64 { return c.MaxUploadMB << 20 }
