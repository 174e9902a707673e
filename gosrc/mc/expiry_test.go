package mc

import (
	"testing"
	"time"
)

func TestExpiration(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cases := []struct {
		secs    int64
		abs     bool
		want    int32
		wantErr bool
	}{
		{0, false, 0, false},
		{10, false, 10, false},
		{MaxRelativeExpiry, false, MaxRelativeExpiry, false},
		{MaxRelativeExpiry + 1, false, int32(now.Unix() + MaxRelativeExpiry + 1), false},
		{-1, false, 0, true},
		{now.Unix() - 10, true, -1, false},
		{now.Unix(), true, -1, false},
		{now.Unix() + 3600, true, int32(now.Unix() + 3600), false},
		{1 << 32, true, 0, true},
		{100 * 365 * 86400, false, 0, true},
	}
	for _, c := range cases {
		got, err := Expiration(c.secs, c.abs, func() time.Time { return now })
		if (err != nil) != c.wantErr || (err == nil && got != c.want) {
			t.Errorf("Expiration(%d, %v) = %d, %v; want %d, error %v", c.secs, c.abs, got, err, c.want, c.wantErr)
		}
	}
}
