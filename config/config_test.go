package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "psyx.toml")
	if err := os.WriteFile(file, []byte("addr = \"127.0.0.1:6000\"\npairs_per_pack = 12\nshutdown_timeout = \"5s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("adress = \"x\"\n"), 0o644)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{"defaults", nil, "", func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:5000" || c.DataDir != "/home/u/PsyxStatic" || c.PairsPerPack != 300 || c.Location.String() != "Asia/Seoul" {
				t.Errorf("%+v", c)
			}
		}},
		{"file", map[string]string{"PSYX_CONFIG": file}, "", func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:6000" || c.PairsPerPack != 12 || c.ShutdownTimeout != 5*time.Second {
				t.Errorf("%+v", c)
			}
		}},
		{"env beats file", map[string]string{"PSYX_CONFIG": file, "PSYX_ADDR": "localhost:7000", "PSYX_PAIRS_PER_PACK": "0"}, "", func(t *testing.T, c Config) {
			if c.Addr != "localhost:7000" || c.PairsPerPack != 0 {
				t.Errorf("%+v", c)
			}
		}},
		{"unknown file key", map[string]string{"PSYX_CONFIG": bad}, "unknown setting", nil},
		{"missing file", map[string]string{"PSYX_CONFIG": filepath.Join(dir, "nope.toml")}, "config file", nil},
		{"public address", map[string]string{"PSYX_ADDR": "0.0.0.0:5000"}, "not a loopback address", nil},
		{"public with opt-in", map[string]string{"PSYX_ADDR": "0.0.0.0:5000", "PSYX_ALLOW_PUBLIC_LISTEN": "true"}, "", nil},
		{"bad port", map[string]string{"PSYX_ADDR": "127.0.0.1:99999"}, "bad port", nil},
		{"relative data dir", map[string]string{"PSYX_DATA_DIR": "data"}, "absolute", nil},
		{"bad zone", map[string]string{"PSYX_TIME_ZONE": "Mars/Base"}, "time_zone", nil},
		{"bad pattern", map[string]string{"PSYX_NAME_PATTERN": "(["}, "name_pattern", nil},
		{"pairs not int", map[string]string{"PSYX_PAIRS_PER_PACK": "many"}, "not an integer", nil},
		{"negative pairs", map[string]string{"PSYX_PAIRS_PER_PACK": "-1"}, "pairs_per_pack", nil},
		{"bad duration", map[string]string{"PSYX_SHUTDOWN_TIMEOUT": "soon"}, "PSYX_SHUTDOWN_TIMEOUT", nil},
		{"runs", map[string]string{"PSYX_RESUME_WITHIN": "90m", "PSYX_ABANDON_AFTER": "5s"}, "", func(t *testing.T, c Config) {
			if c.ResumeWithin != 90*time.Minute || c.AbandonAfter != 5*time.Second {
				t.Errorf("resume %v, abandon %v", c.ResumeWithin, c.AbandonAfter)
			}
		}},
		{"zero abandon", map[string]string{"PSYX_ABANDON_AFTER": "0s"}, "abandon_after must be positive", nil},
		{"log age", map[string]string{"PSYX_LOG_MAX_AGE_DAYS": "3"}, "", func(t *testing.T, c Config) {
			if c.LogMaxAgeDays != 3 {
				t.Errorf("log_max_age_days %d", c.LogMaxAgeDays)
			}
		}},
		{"quality threshold", map[string]string{"PSYX_QUALITY_INFOVAL_MIN": "2.5", "PSYX_QUALITY_BLUR_MAX": "5"}, "", func(t *testing.T, c Config) {
			if c.Quality.InfoValMin != 2.5 || c.Quality.BlurMax != 5 || c.Quality.TimeoutRate != 0.10 {
				t.Errorf("quality %+v", c.Quality)
			}
		}},
		{"share out of range", map[string]string{"PSYX_QUALITY_FAST_RATE": "1.5"}, "quality.fast_rate", nil},
		{"completion url", map[string]string{"PSYX_COMPLETION_URL": "https://lab.sona-systems.com/webstudy_credit.aspx?survey_code={code}"}, "", nil},
		{"completion url not http", map[string]string{"PSYX_COMPLETION_URL": "javascript:alert(1)"}, "completion_url", nil},
		{"phone format", map[string]string{"PSYX_PHONE_FORMAT": "##-##x"}, "phone_format", nil},
		{"image pixels default", nil, "", func(t *testing.T, c Config) {
			if c.MaxImagePixels != 1024*1024 {
				t.Errorf("max_image_pixels %d, want 1024²", c.MaxImagePixels)
			}
		}},
		{"image pixels", map[string]string{"PSYX_MAX_IMAGE_PIXELS": "262144"}, "", func(t *testing.T, c Config) {
			if c.MaxImagePixels != 512*512 {
				t.Errorf("max_image_pixels %d, want 512²", c.MaxImagePixels)
			}
		}},
		{"image pixels zero", map[string]string{"PSYX_MAX_IMAGE_PIXELS": "0"}, "max_image_pixels 0", nil},
		{"image pixels over the cap", map[string]string{"PSYX_MAX_IMAGE_PIXELS": "67108865"}, "max_image_pixels 67108865", nil},
		{"image pixels not int", map[string]string{"PSYX_MAX_IMAGE_PIXELS": "1024x1024"}, "PSYX_MAX_IMAGE_PIXELS", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env), "/home/u")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestExampleFileLoads(t *testing.T) {
	c, err := Load(env(map[string]string{"PSYX_CONFIG": "psyx.example.toml"}), "/home/u")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/home/ubuntu/PsyxStatic" || !c.PhoneRE.MatchString("010-1234-5678") || !c.NameRE.MatchString("홍길동") {
		t.Errorf("example file gives %+v", c)
	}
}

// Every setting of the file can be overridden by PSYX_<NAME> (PSYX_QUALITY_<NAME>
// inside [quality]), as the README promises.
func TestEverySettingHasAnEnvOverride(t *testing.T) {
	c := Default("/home/u")
	have := map[string]bool{}
	for _, ev := range envVars(&c) {
		have[ev.name] = true
	}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := f.Tag.Get("toml")
			if tag == "" || tag == "-" {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(prefix+strings.ToUpper(tag)+"_", f.Type)
				continue
			}
			if name := prefix + strings.ToUpper(tag); !have[name] {
				t.Errorf("setting %s has no override %s", tag, name)
			}
		}
	}
	walk("PSYX_", reflect.TypeOf(c))
}
