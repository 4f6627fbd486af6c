package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
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

// statusClientGone is what the log says of a request whose client went
// away before it was answered (Nginx's own word for it): the browser
// closed the tab, nothing of ours failed.
const statusClientGone = 499

// requestLog writes one line per request: a 400's message at warn, a 500's
// cause at error, everything else (a client gone included) at info. Bodies
// are never logged.
func requestLog(log *zap.Logger, now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := now()
		// The server's own context: a handler's deadline wraps (and at its
		// end cancels) a child of it.
		served := c.Request.Context()
		c.Next()
		status := c.Writer.Status()
		if status >= 500 && errors.Is(served.Err(), context.Canceled) {
			status = statusClientGone
		}
		fields := []zap.Field{
			zap.String("ip", clientIP(c.Request)),
			zap.String("method", c.Request.Method),
			zap.String("path", c.Request.URL.Path),
			zap.Int("status", status),
			zap.Duration("latency", now().Sub(start)),
		}
		switch {
		case status == statusClientGone:
			log.Info("request", fields...)
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

// sameOrigin refuses requests that a logged-in browser sends on behalf of
// another page (the admin's basic-auth credentials go with them), and
// navigations: opening a link to /api/admin/remove from a mail must not
// delete a pack. Scripts and curl send none of these headers and pass.
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
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode == "navigate" || mode == "nested-navigate" {
		return errCrossSite(errors.New("a browser navigation"))
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return errCrossSite(errors.New("Sec-Fetch-Site " + model.Echo(site)))
	}
	want := siteOrigin(r)
	if origin := r.Header.Get("Origin"); origin != "" && !strings.EqualFold(origin, want) {
		return errCrossSite(errors.New("origin " + model.Echo(origin) + ", site " + model.Echo(want)))
	}
	// Old browsers send no Sec-Fetch-* and no Origin on an <img> or a
	// link, but they do send the page that asked for it.
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		if err != nil || !strings.EqualFold(u.Scheme+"://"+u.Host, want) {
			return errCrossSite(errors.New("referer " + model.Echo(ref) + ", site " + model.Echo(want)))
		}
	}
	return nil
}

// siteOrigin is scheme://host[:port] as the browser saw this site: Nginx
// passes the scheme and the Host header it received (port included) in
// X-Forwarded-Proto and X-Forwarded-Host.
func siteOrigin(r *http.Request) string {
	scheme := r.Header.Get("X-Forwarded-Proto")
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
	}
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	return scheme + "://" + host
}

// errCrossSite refuses a state-changing admin request a browser sent from
// another site or as a navigation; why goes to the log.
func errCrossSite(why error) error { return &model.Error{Reason: crossSite, Cause: why} }
