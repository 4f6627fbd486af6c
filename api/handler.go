// Package api is the HTTP JSON API of Psyx (Gin). Nginx sends it every
// /api/ request unchanged; admin routes are behind Nginx's basic auth.
package api

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/model"
	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/results"
	"github.com/psyx-lab/psyx/runs"
)

// PackStore reads and changes packs.
type PackStore interface {
	ListPacks(ctx context.Context, now time.Time, abandonAfter time.Duration) ([]model.PackSummary, error)
	PackFiles(ctx context.Context, id int) (*model.PackFiles, error)
	CreatePack(ctx context.Context, np model.NewPack, folder model.PackFolder) (int, error)
	DeletePack(ctx context.Context, id int, folders model.FolderRetirer) (string, error)
	PackNameTaken(ctx context.Context, name string) (bool, error)
}

// ReplyStore exports replies: as rows for the CSV, as the JSON objects
// the download shows, dates in zone, for the JSON.
type ReplyStore interface {
	ExportPack(ctx context.Context, id int, now time.Time, abandonAfter time.Duration, e model.Export) error
	ExportPackJSON(ctx context.Context, id int, now time.Time, abandonAfter time.Duration, zone string, e model.ExportJSON) error
}

// Participants apply the participant's rules (package runs).
type Participants interface {
	Start(ctx context.Context, in runs.StartInput) (*runs.Started, error)
	Progress(ctx context.Context, token string, answers []byte, ev *model.Events) (int, bool, error)
	Submit(ctx context.Context, in runs.SubmitInput) (bool, error)
	Completion(ctx context.Context, token string) (*runs.Completion, error)
}

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Folders holds the pack image folders.
type Folders interface {
	Receive(contentType string, body io.Reader, check func(map[string]string) (packs.Meta, error)) (*packs.Upload, packs.Meta, error)
	NewPlan(form *packs.GenerateForm, opt packs.PlanOptions) (*packs.Plan, error)
	Generate(ctx context.Context, reg packs.Registry, meta packs.Meta, p *packs.Plan) (int, error)
	ReadStimuliSettings(name string) (*packs.StimuliSettings, error)
	ReadStimuli(name string) (*packs.Stimuli, error)
	model.FolderRetirer
}

// Deps is everything the handlers use. Every field is required.
type Deps struct {
	Packs          PackStore
	Replies        ReplyStore
	Participants   Participants
	DB             Pinger
	Folders        Folders
	Log            *zap.Logger
	Rules          Rules
	AbandonAfter   time.Duration // a run not seen for this long is abandoned
	Location       *time.Location
	MaxUploadBytes int64
	Now            func() time.Time
	Analysis       Analysis
	Quality        results.Thresholds
	Completions    CompletionFinder
	Version        string // this build: in the provenance of every figure and a generated pack's stimuli.json
	MaxImagePixels int    // the largest image decoded (max_image_pixels)
}

// CompletionFinder finds a finished reply by its completion code.
type CompletionFinder interface {
	ReplyByCompletion(ctx context.Context, code string) (*model.Completed, error)
}

// Handler answers the /api routes.
type Handler struct {
	Deps
	// generating holds one token per pack being generated or previewed:
	// one at a time, since each uses every core and tens of MB.
	generating chan struct{}
}

// New builds the Gin engine with every route. Handlers hand the database
// c.Request.Context(), never the *gin.Context: Gin reuses a Context for the
// next request while database/sql may still watch the old one (a data race
// the fault tests caught).
func New(d Deps) http.Handler {
	h := &Handler{Deps: d, generating: make(chan struct{}, 1)}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestLog(d.Log, d.Now), h.recovery())
	r.NoRoute(func(c *gin.Context) { c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("Not Found")) })
	r.NoMethod(func(c *gin.Context) {
		c.Data(http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("Method Not Allowed"))
	})

	quick := requestDeadline(quickDeadline)
	r.GET("/api/health", h.health)

	admin := r.Group("/api/admin")
	admin.GET("/list", quick, h.listPacks)
	admin.GET("/download", h.download)
	admin.GET("/ci", h.ci)
	admin.GET("/quality", h.quality)
	admin.GET("/reliability", h.reliability)
	admin.GET("/compare", h.compare)
	admin.GET("/completion", quick, h.findCompletion)
	admin.GET("/stimuli", h.stimuli)
	change := admin.Group("", h.sameOrigin())
	change.POST("/create", h.createPack)
	change.POST("/generate", h.generate)
	change.GET("/remove", quick, h.removePack)
	change.POST("/remove", quick, h.removePack)

	reply := r.Group("/api/reply", quick)
	reply.POST("/start", h.start)
	reply.POST("/progress", h.progress)
	reply.POST("/submit", h.submit)
	reply.GET("/completion", h.completion)
	return r
}

func (h *Handler) health(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.DB.Ping(ctx); err != nil {
		c.Set(logErrorKey, err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// text answers 200 with a message for a person.
func text(c *gin.Context, msg string) {
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(msg))
}

const dateLayout = "2006-01-02 15:04:05"

func (h *Handler) date(t time.Time) string { return t.In(h.Location).Format(dateLayout) }

// The server's timeouts fit JSON requests; a 300 MB upload or a 10,000-reply
// download gets longer, but still bounded, so a stalled client is cut off.
const (
	uploadDeadline   = 30 * time.Minute
	downloadDeadline = 10 * time.Minute
	// A JSON request waits no longer than this for the database: a hung
	// database gives a quick 500, not a pile of stuck requests.
	quickDeadline = 10 * time.Second
)

func requestDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func extendDeadlines(c *gin.Context, d time.Duration) {
	rc := http.NewResponseController(c.Writer)
	until := time.Now().Add(d)
	// Not every ResponseWriter (httptest's) supports deadlines; the server's do.
	_ = rc.SetReadDeadline(until)
	_ = rc.SetWriteDeadline(until)
}
