// Package model is Psyx's shared vocabulary: packs, pairs, replies, runs
// and the error type that carries a message for the person who caused it.
// The store, the pack folders and the API all speak it; it imports none
// of them.
package model
