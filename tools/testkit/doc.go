// Package testkit is the one home of what Psyx's tests share: stimulus
// images and pack folders, upload bodies, participants and their answers,
// and waiting for a condition. Every test package uses it instead of a
// helper of its own.
package testkit
