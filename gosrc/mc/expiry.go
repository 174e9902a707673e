package mc

import (
	"fmt"
	"math"
	"time"
)

// MaxRelativeExpiry is the longest relative expiry memcached accepts; larger
// exptime values are read as Unix times.
const MaxRelativeExpiry = 30 * 24 * 60 * 60

// Expiration converts an expiry into memcached's exptime. seconds is either
// relative (absolute false: 0 means never, negative is an error) or a Unix
// time (absolute true). A relative expiry over 30 days is sent as a Unix time,
// since memcached would read it as one; an absolute time not in the future
// is sent as -1, which memcached treats as already expired. now is called
// only for those two (a call's usual expiry needs no clock read).
func Expiration(seconds int64, absolute bool, now func() time.Time) (int32, error) {
	if !absolute {
		switch {
		case seconds < 0:
			return 0, errorf(CodeBadArg, "expiry must not be negative")
		case seconds <= MaxRelativeExpiry:
			return int32(seconds), nil
		}
		if seconds > math.MaxInt32 {
			return 0, errorf(CodeBadArg, fmt.Sprintf("expiry of %d seconds is too far in the future", seconds))
		}
	}
	unix := now().Unix()
	if !absolute {
		seconds += unix
	}
	if seconds <= unix {
		return -1, nil
	}
	if seconds > math.MaxInt32 {
		return 0, errorf(CodeBadArg, "expiry is too far in the future (memcached stores 32-bit Unix times, up to 2038-01-19)")
	}
	return int32(seconds), nil
}
