package config

// The time zone database goes into the binary: a minimal server image may
// have no /usr/share/zoneinfo, and time_zone must still load.
import _ "time/tzdata"
