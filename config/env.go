package config

import (
	"fmt"
	"strconv"
	"time"
)

// envVar is one PSYX_* override: its name and how it sets its field.
type envVar struct {
	name string
	set  func(v string) error
}

// envVars lists an override for every setting of the file; a test checks
// that none is missing.
func envVars(c *Config) []envVar {
	q := &c.Quality
	return []envVar{
		{"PSYX_ADDR", str(&c.Addr)},
		{"PSYX_ALLOW_PUBLIC_LISTEN", boolean(&c.AllowPublicListen)},
		{"PSYX_DATABASE_URL", str(&c.DatabaseURL)},
		{"PSYX_DATA_DIR", str(&c.DataDir)},
		{"PSYX_TIME_ZONE", str(&c.TimeZone)},
		{"PSYX_PAIRS_PER_PACK", integer(&c.PairsPerPack)},
		{"PSYX_NAME_PATTERN", str(&c.NamePattern)},
		{"PSYX_PHONE_PATTERN", str(&c.PhonePattern)},
		{"PSYX_PHONE_FORMAT", str(&c.PhoneFormat)},
		{"PSYX_MAX_UPLOAD_MB", int64Of(&c.MaxUploadMB)},
		{"PSYX_MAX_IMAGE_PIXELS", integer(&c.MaxImagePixels)},
		{"PSYX_SHUTDOWN_TIMEOUT", duration(&c.ShutdownTimeout)},
		{"PSYX_READ_HEADER_TIMEOUT", duration(&c.ReadHeaderTimeout)},
		{"PSYX_DB_MAX_CONNS", integer(&c.DBMaxConns)},
		{"PSYX_LOG_MAX_AGE_DAYS", integer(&c.LogMaxAgeDays)},
		{"PSYX_RESUME_WITHIN", duration(&c.ResumeWithin)},
		{"PSYX_ABANDON_AFTER", duration(&c.AbandonAfter)},
		{"PSYX_COMPLETION_URL", str(&c.CompletionURL)},
		{"PSYX_QUALITY_TIMEOUT_RATE", float(&q.TimeoutRate)},
		{"PSYX_QUALITY_FAST_RT", float(&q.FastRT)},
		{"PSYX_QUALITY_FAST_RATE", float(&q.FastRate)},
		{"PSYX_QUALITY_SIDE_MIN", float(&q.SideMin)},
		{"PSYX_QUALITY_SIDE_MAX", float(&q.SideMax)},
		{"PSYX_QUALITY_ORI_MIN", float(&q.OriMin)},
		{"PSYX_QUALITY_ORI_MAX", float(&q.OriMax)},
		{"PSYX_QUALITY_INFOVAL_MIN", float(&q.InfoValMin)},
		{"PSYX_QUALITY_BLUR_MAX", integer(&q.BlurMax)},
		{"PSYX_QUALITY_HIDDEN_MS_MAX", integer(&q.HiddenMSMax)},
		{"PSYX_QUALITY_MIN_DURATION_SHARE", float(&q.MinDurationShare)},
		{"PSYX_QUALITY_MIN_TRIAL_SECONDS", float(&q.MinTrialSeconds)},
		{"PSYX_QUALITY_INFLUENCE_Z", float(&q.InfluenceZ)},
	}
}

func applyEnv(c *Config, getenv func(string) string) error {
	for _, ev := range envVars(c) {
		if v := getenv(ev.name); v != "" {
			if err := ev.set(v); err != nil {
				return fmt.Errorf("%s=%q: %w", ev.name, v, err)
			}
		}
	}
	return nil
}

func str(dst *string) func(string) error {
	return func(v string) error { *dst = v; return nil }
}

func boolean(dst *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not true/false")
		}
		*dst = b
		return nil
	}
}

func integer(dst *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		*dst = n
		return nil
	}
}

func int64Of(dst *int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
		*dst = n
		return nil
	}
}

func float(dst *float64) func(string) error {
	return func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		*dst = f
		return nil
	}
}

func duration(dst *time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration like 30m or 2h: %w", err)
		}
		*dst = d
		return nil
	}
}
