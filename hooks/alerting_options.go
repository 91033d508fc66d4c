package hooks

import "time"

// AlertingOption configures an [Alerting] hook. Options are created by
// [WithAlertPerModel], [WithAlertCooldown], [WithAlertQueueSize], [WithAlertClock] and
// [WithAlertErrorHandler]; a nil AlertingOption is ignored.
type AlertingOption interface{ applyAlerting(*alertingConfig) }

type alertingConfig struct {
	perModel bool
	cooldown time.Duration
	queue    int
	now      func() time.Time
	onPanic  func(error)
}

type alertingOptionFunc func(*alertingConfig)

func (f alertingOptionFunc) applyAlerting(c *alertingConfig) { f(c) }

// WithAlertPerModel counts the failures of each model apart: an alert says which
// model reached the threshold, and each model has its own cooldown.
func WithAlertPerModel() AlertingOption {
	return alertingOptionFunc(func(c *alertingConfig) { c.perModel = true })
}

// WithAlertCooldown holds back further alerts (of the same model, with [WithAlertPerModel])
// for d after one is raised, so that one incident alerts once; the next
// alert says how many failures were held back. Without it (or with d <= 0)
// every failure that finds the threshold reached alerts.
func WithAlertCooldown(d time.Duration) AlertingOption {
	return alertingOptionFunc(func(c *alertingConfig) { c.cooldown = max(d, 0) })
}

// WithAlertQueueSize sets how many alerts may wait for the notify function
// (default 64; n < 1 keeps the default). When the queue is full, new
// alerts are dropped and counted by [Alerting.Dropped].
func WithAlertQueueSize(n int) AlertingOption {
	return alertingOptionFunc(func(c *alertingConfig) {
		if n >= 1 {
			c.queue = n
		}
	})
}

// WithAlertClock sets the function that tells the time of a failure (default
// [time.Now]); tests use it to move time by hand. A nil now keeps the
// default.
func WithAlertClock(now func() time.Time) AlertingOption {
	return alertingOptionFunc(func(c *alertingConfig) {
		if now != nil {
			c.now = now
		}
	})
}

// WithAlertErrorHandler sets the function that receives a *[core.PanicError] when
// the notify function panics; delivery goes on with the next alert. The
// default logs it with log/slog at Error level. A nil handler keeps the
// default.
func WithAlertErrorHandler(handler func(error)) AlertingOption {
	return alertingOptionFunc(func(c *alertingConfig) {
		if handler != nil {
			c.onPanic = handler
		}
	})
}
