package handshake

import (
	"context"
	"sync"
	"time"

	"github.com/quiverdb/quiver/pgerror"
)

// Defaults of AuthLimiter's zero fields.
const (
	DefaultAuthDelay    = 100 * time.Millisecond
	DefaultAuthMaxDelay = 5 * time.Second
	DefaultAuthForget   = time.Minute
)

// AuthLimiter slows down password guessing: after an authentication failure
// (SQLSTATE class 28) from an IP address, the next authentication from that
// address waits Delay, doubling with each further failure up to MaxDelay.
// An address without failures for Forget starts again from nothing. Clients
// that authenticate without failing are never delayed, and successes do not
// clear the record. The zero value is usable; it is safe for concurrent use.
type AuthLimiter struct {
	Delay, MaxDelay, Forget time.Duration

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n     int
	last  time.Time
	until time.Time // the next attempt waits until then
}

// wait blocks until an authentication from ip may start, or ctx ends.
func (l *AuthLimiter) wait(ctx context.Context, ip string) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	var until time.Time
	if f := l.m[ip]; f != nil {
		until = f.until
	}
	l.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failed records a failure from ip.
func (l *AuthLimiter) failed(ip string) {
	if l == nil {
		return
	}
	now := time.Now()
	delay, maxDelay, forget := durationOr(l.Delay, DefaultAuthDelay), durationOr(l.MaxDelay, DefaultAuthMaxDelay),
		durationOr(l.Forget, DefaultAuthForget)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]*failures)
	}
	f := l.m[ip]
	if f == nil || now.Sub(f.last) > forget {
		if len(l.m) >= 1024 {
			l.prune(now, forget)
		}
		f = &failures{}
		l.m[ip] = f
	}
	f.n++
	f.last = now
	for i := 1; i < f.n && delay < maxDelay; i++ {
		delay *= 2
	}
	f.until = now.Add(min(delay, maxDelay))
}

// prune forgets the addresses whose last failure is older than forget.
func (l *AuthLimiter) prune(now time.Time, forget time.Duration) {
	for ip, f := range l.m {
		if now.Sub(f.last) > forget {
			delete(l.m, ip)
		}
	}
}

func durationOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// isAuthFailure reports whether err is a refused authentication (SQLSTATE
// class 28) rather than a disconnect or a protocol error.
func isAuthFailure(err error) bool {
	if IsDisconnect(err) || isTimeout(err) {
		return false
	}
	code := pgerror.Flatten(err).Code
	return len(code) == 5 && code[:2] == "28"
}
