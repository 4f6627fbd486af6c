package testkit

import (
	"os"
	"strconv"
	"strings"
)

// ResidentBytes is this process's resident set in bytes, from
// /proc/self/statm (Linux); 0 where that file cannot be read. Memory
// benchmarks sample it for their RSS growth.
func ResidentBytes() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
