// Package api is the HTTP JSON API of Psyx (Gin). Nginx sends it every
// /api/ request unchanged; admin routes are behind Nginx's basic auth.
package api

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/psyx-lab/psyx/packs"
	"github.com/psyx-lab/psyx/store"
)

// PackStore reads and changes packs.
type PackStore interface {
	ListPacks(ctx context.Context) ([]store.Pack, error)
	MatchPack(ctx context.Context, sex, age int) (*store.PackFiles, error)
	PackFiles(ctx context.Context, id int) (*store.PackFiles, error)
	CreatePack(ctx context.Context, np store.NewPack, folder store.PackFolder) (int, error)
	DeletePack(ctx context.Context, id int, folders store.FolderRetirer) error
	PackNameTaken(ctx context.Context, name string) (bool, error)
}

// ReplyStore stores and exports replies.
type ReplyStore interface {
	InsertReply(ctx context.Context, r *store.Reply) (bool, error)
	ExportPack(ctx context.Context, id int, head func(*store.Pack) error, each func(*store.Reply) error) error
}

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Folders holds the pack image folders.
type Folders interface {
	NewUpload() (*packs.Upload, error)
	store.FolderRetirer
}

// Randomizer orders pairs for a participant.
type Randomizer interface {
	Shuffle(n int, swap func(i, j int))
	IntN(n int) int
}

// Deps is everything the handlers use.
type Deps struct {
	Packs          PackStore
	Replies        ReplyStore
	DB             Pinger
	Folders        Folders
	Log            *zap.Logger
	Rules          Rules
	Location       *time.Location
	MaxUploadBytes int64
	Rand           Randomizer       // nil: math/rand/v2
	Now            func() time.Time // nil: time.Now
}

// Handler answers the /api routes.
type Handler struct {
	Deps
	indexes sync.Map // p_id -> pairIndex
}

type globalRand struct{}

func (globalRand) Shuffle(n int, swap func(i, j int)) { rand.Shuffle(n, swap) }
func (globalRand) IntN(n int) int                     { return rand.IntN(n) }

// maxJSONBody bounds start and submit bodies: 300 answers are about 20 KB.
const maxJSONBody = 1 << 20

// New builds the Gin engine with every route. Handlers hand the database
// c.Request.Context(), never the *gin.Context: Gin reuses a Context for the
// next request while database/sql may still watch the old one (a data race
// the fault tests caught).
func New(d Deps) http.Handler {
	if d.Rand == nil {
		d.Rand = globalRand{}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &Handler{Deps: d}
	gin.SetMode(gin.ReleaseMode)
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
	change := admin.Group("", h.sameOrigin())
	change.POST("/create", h.createPack)
	change.GET("/remove", quick, h.removePack)
	change.POST("/remove", quick, h.removePack)

	r.POST("/api/reply/start", quick, h.start)
	r.POST("/api/reply/submit", quick, h.submit)
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
