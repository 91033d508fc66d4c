package composite

// Option configures a composite [Hook]. Options are created by the With
// functions of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	onPanic func(error)
	repanic bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithErrorHandler sets the function that receives a *[core.HookPanicError]
// when a member panics; its Hook field is the member. The default logs it
// with log/slog at Error level. A nil handler keeps the default.
func WithErrorHandler(handler func(error)) Option {
	return optionFunc(func(c *config) {
		if handler != nil {
			c.onPanic = handler
		}
	})
}

// WithRepanic makes a panicking member panic again, with its
// *[core.HookPanicError], once it is reported, so that a test sees it. Do
// not use it in production: a re-raised panic leaves the rest of the
// dispatch undone (members after the panicking one are not called, and
// pairing is no longer guaranteed for that migration), and a manager that
// runs the composite recovers the panic and reports it to its own error
// handler, wrapped in a second *core.HookPanicError whose Unwrap returns
// the member's.
func WithRepanic() Option {
	return optionFunc(func(c *config) { c.repanic = true })
}
