package api

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
)

// Keys handlers set for the request log.
const (
	logMessageKey = "psyx.msg"
	logErrorKey   = "psyx.err"
)

// clientIP trusts X-Real-IP: the service listens on loopback behind Nginx,
// which sets it.
func clientIP(r *http.Request) string {
	if ip := r.Header.Get("X-Real-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestLog writes one line per request: a 400's message at warn, a 500's
// cause at error, everything else at info. Bodies are never logged.
func requestLog(log *zap.Logger, now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := now()
		c.Next()
		status := c.Writer.Status()
		fields := []zap.Field{
			zap.String("ip", clientIP(c.Request)),
			zap.String("method", c.Request.Method),
			zap.String("path", c.Request.URL.Path),
			zap.Int("status", status),
			zap.Duration("latency", now().Sub(start)),
		}
		switch {
		case status >= 500:
			if err, ok := c.Get(logErrorKey); ok {
				fields = append(fields, zap.Any("error", err))
			}
			log.Error("request", fields...)
		case status >= 400:
			if msg, ok := c.Get(logMessageKey); ok {
				fields = append(fields, zap.Any("msg", msg))
			}
			log.Warn("request", fields...)
		default:
			log.Info("request", fields...)
		}
	}
}

// recovery turns a panic into a logged 500 so no panic reaches a client.
// http.ErrAbortHandler is re-raised: it deliberately cuts a response short
// (a download that failed half-way must not look complete).
func (h *Handler) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel value, not wrapped
				panic(v)
			}
			err, ok := v.(error)
			if !ok {
				err = fmt.Errorf("panic: %v", v)
			} else {
				err = fmt.Errorf("panic: %w", err)
			}
			if c.Writer.Written() {
				h.Log.Error("panic after response started", zap.Error(err))
				panic(http.ErrAbortHandler)
			}
			h.fail(c, err)
			c.Abort()
		}()
		c.Next()
	}
}

// sameOrigin refuses requests that another site's page makes a logged-in
// browser send (the admin's basic-auth credentials go with them). Scripts
// and curl send neither header and pass.
func (h *Handler) sameOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkSameOrigin(c.Request); err != nil {
			h.fail(c, err)
			c.Abort()
			return
		}
		c.Next()
	}
}

func checkSameOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errCrossSite
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return errCrossSite
	}
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	// Hostnames only: proxies differ in whether Host keeps the port.
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if u.Hostname() != host {
		return fmt.Errorf("%w: origin %s, host %s", errCrossSite, u.Host, host)
	}
	return nil
}
