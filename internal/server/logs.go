package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	rotatelogs "github.com/lestrrat-go/file-rotatelogs"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/psyx-lab/psyx/config"
)

// apiLogs is logs/api.YYYYMMDD.log (linked as logs/api.log, a new file at
// local midnight, 14 days kept) and the stderr Supervisor captures.
type apiLogs struct {
	api    *zap.Logger // requests and their errors
	sys    *zap.Logger // lifecycle: the api log and stderr
	rotate *rotatelogs.RotateLogs
}

func openAPILogs(cfg config.Config, stderr io.Writer) (*apiLogs, error) {
	dir := cfg.LogDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create log dir: %w", err)
	}
	rot, err := rotatelogs.New(
		filepath.Join(dir, "api.%Y%m%d.log"),
		rotatelogs.WithLinkName(filepath.Join(dir, "api.log")),
		rotatelogs.WithRotationTime(24*time.Hour),
		rotatelogs.WithMaxAge(time.Duration(cfg.LogMaxAgeDays)*24*time.Hour),
		rotatelogs.WithLocation(cfg.Location),
	)
	if err != nil {
		return nil, fmt.Errorf("open api log: %w", err)
	}
	enc := encoderConfig(cfg.Location)
	fileCore := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(rot), zap.InfoLevel)
	errCore := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(stderr), zap.InfoLevel)
	return &apiLogs{
		api:    zap.New(fileCore),
		sys:    zap.New(zapcore.NewTee(fileCore, errCore)),
		rotate: rot,
	}, nil
}

func encoderConfig(loc *time.Location) zapcore.EncoderConfig {
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "time"
	enc.EncodeTime = func(t time.Time, pe zapcore.PrimitiveArrayEncoder) {
		pe.AppendString(t.In(loc).Format("2006-01-02T15:04:05.000Z07:00"))
	}
	enc.EncodeDuration = zapcore.MillisDurationEncoder
	return enc
}

// NewStderrLogger is for the one-shot commands (pack import).
func NewStderrLogger(stderr io.Writer) *zap.Logger {
	enc := encoderConfig(time.Local)
	return zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(stderr), zap.InfoLevel))
}

// Close flushes and closes the log file.
func (l *apiLogs) Close() error {
	err := l.api.Sync()
	// Syncing a pipe or terminal fails with EINVAL; that is not a lost line.
	_ = l.sys.Sync()
	return errors.Join(err, l.rotate.Close())
}
