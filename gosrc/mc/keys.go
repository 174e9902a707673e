package mc

import "fmt"

// MaxKeyLen is memcached's limit on a key, in bytes.
const MaxKeyLen = 250

// CheckKey validates the full key (the prefix's prefixLen bytes, then the
// caller's key) against memcached's ASCII protocol rules: 1 to 250 bytes, no
// control characters, no space and no DEL. A key that breaks them could
// inject commands, so nothing is sent. A bad byte's offset is counted in
// the caller's key, as the message shows it.
func CheckKey(key string, prefixLen int) error {
	if len(key) == 0 {
		return errorf(CodeBadKey, "memcached keys must not be empty")
	}
	if len(key) > MaxKeyLen {
		return errorf(CodeBadKey, fmt.Sprintf("memcached keys must be at most %d bytes (this one is %d bytes, memcache.key_prefix included)", MaxKeyLen, len(key)))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c == 0x7f {
			where := fmt.Sprintf("at offset %d", i-prefixLen)
			if i < prefixLen {
				where = fmt.Sprintf("at offset %d of memcache.key_prefix", i)
			}
			return errorf(CodeBadKey, fmt.Sprintf("memcached keys must not contain spaces or control characters (byte 0x%02x %s)", c, where))
		}
	}
	return nil
}
