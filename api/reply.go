package api

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/psyx-lab/psyx/store"
)

const submitFailed = "Invalid Input. Failed To Submit Your Reply"

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// readJSONBody reads a bounded body; what is wrong with it is the client's.
func readJSONBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body larger than %d bytes", maxJSONBody)
		}
		return nil, fmt.Errorf("body could not be read: %w", err)
	}
	return body, nil
}

type startResponse struct {
	PackID   int          `json:"p_id"`
	PackPath string       `json:"pack_path"`
	PicPairs []store.Pair `json:"pic_pairs"`
}

func (h *Handler) start(c *gin.Context) {
	body, err := readJSONBody(c)
	if err != nil {
		h.fail(c, badInput("Invalid Input: %v", err))
		return
	}
	f, err := decodeObject(body)
	if err != nil {
		h.fail(c, badInput("Invalid Input: %v", err))
		return
	}
	p, err := h.Rules.participant(f)
	if err != nil {
		h.fail(c, err)
		return
	}
	pack, err := h.Packs.MatchPack(c.Request.Context(), p.Sex, p.Age)
	if errors.Is(err, store.ErrPackNotFound) {
		h.fail(c, badInput("No Suitable Pack for You"))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, startResponse{
		PackID:   pack.ID,
		PackPath: "/packs/" + pack.Name,
		PicPairs: h.shuffled(pack.Pairs),
	})
}

// shuffled is every pair once in random order, each pair's sides swapped at
// random: element 0 is shown on the left.
func (h *Handler) shuffled(pairs []store.Pair) []store.Pair {
	out := make([]store.Pair, len(pairs))
	copy(out, pairs)
	h.Rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := range out {
		if h.Rand.IntN(2) == 1 {
			out[i][0], out[i][1] = out[i][1], out[i][0]
		}
	}
	return out
}

func (h *Handler) submit(c *gin.Context) {
	r, err := h.parseSubmit(c)
	if err != nil {
		var in *InputError
		if errors.As(err, &in) {
			h.fail(c, &InputError{Msg: submitFailed + ": " + in.Msg, LogMsg: submitFailed + ": " + in.LogMsg})
			return
		}
		h.fail(c, err)
		return
	}
	_, err = h.Replies.InsertReply(c.Request.Context(), r)
	if errors.Is(err, store.ErrPackNotFound) {
		h.fail(c, badInput("%s: Unknown Pack %d", submitFailed, r.PackID))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	// Sent only now: the row is committed (or was, by an earlier try with this token).
	text(c, "Reply Submitted.")
}

// pairIndexOf is a pack's file index, built once: packs never change and
// p_ids are never reused.
func (h *Handler) pairIndexOf(p *store.PackFiles) pairIndex {
	if v, ok := h.indexes.Load(p.ID); ok {
		return v.(pairIndex)
	}
	idx := indexPairs(p.Pairs)
	h.indexes.Store(p.ID, idx)
	return idx
}

// parseSubmit checks a submit body against the pack it names. Errors that
// are the client's are *InputError; others are ours.
func (h *Handler) parseSubmit(c *gin.Context) (*store.Reply, error) {
	body, err := readJSONBody(c)
	if err != nil {
		return nil, badInput("%v", err)
	}
	f, err := decodeObject(body)
	if err != nil {
		return nil, badInput("%v", err)
	}
	p, err := h.Rules.participant(f)
	if err != nil {
		return nil, err
	}
	id, raw, ok := f.integer("p_id")
	if !ok || id < 1 {
		return nil, badInput("Unknown Pack %s", clip(raw))
	}
	pack, err := h.Packs.PackFiles(c.Request.Context(), id)
	if errors.Is(err, store.ErrPackNotFound) {
		return nil, badInput("Unknown Pack %d", id)
	}
	if err != nil {
		return nil, err
	}
	if p.Sex != pack.Sex || p.Age < pack.AgeMin || p.Age > pack.AgeMax {
		return nil, badInput("the pack is not for this sex and age")
	}
	answers, present := f["answers"]
	if !present {
		return nil, badInput("answers missing")
	}
	if err := checkAnswers(answers, h.pairIndexOf(pack)); err != nil {
		return nil, badInput("%v", err)
	}
	r := &store.Reply{PackID: id, Name: p.Name, Email: p.Email, No: p.No, Sex: p.Sex, Age: p.Age,
		Phone: p.Phone, Answers: answers}
	if rawToken, present := f["token"]; present && string(rawToken) != "null" {
		var token string
		if json.Unmarshal(rawToken, &token) != nil || !tokenRE.MatchString(token) {
			return nil, badInput("token must be 8 to 64 letters, digits or -")
		}
		r.Token = sql.NullString{String: token, Valid: true}
	}
	return r, nil
}
