package core

type config struct {
	onError    func(error)
	noCopy     bool
	versionKey string
}

// Option configures a [Manager]. Options are created by [WithErrorHandler],
// [WithoutInputCopy] and [WithVersionKey]; a nil Option is ignored.
type Option interface{ applyManager(*config) }

type optionFunc func(*config)

func (f optionFunc) applyManager(c *config) { f(c) }

// WithErrorHandler sets the function that receives errors the manager
// cannot return to a caller, such as a *[HookPanicError] when a hook
// panics. The default logs them with log/slog at Error level. A nil
// handler keeps the default.
func WithErrorHandler(handler func(error)) Option {
	return optionFunc(func(c *config) {
		if handler != nil {
			c.onError = handler
		}
	})
}

// WithoutInputCopy turns off the deep copy of the input on entry. Use it
// only when every migration function is proven not to modify its argument
// (nor any map or slice in it): the engine then passes the caller's map to
// the first step as it is.
func WithoutInputCopy() Option {
	return optionFunc(func(c *config) { c.noCopy = true })
}

// ModelOption configures a registered model version. Options are created
// by [WithBackwardCompatible]; a nil ModelOption is ignored.
type ModelOption interface{ applyModel(*modelVersion) }

type modelOptionFunc func(*modelVersion)

func (f modelOptionFunc) applyModel(mv *modelVersion) { f(mv) }

// WithBackwardCompatible marks a version whose incoming steps (an upgrade or a
// downgrade into it, from the adjacent registered version) may be
// auto-migrated when no function is registered for them: missing fields
// get their defaults, everything else is kept, nested models are migrated.
func WithBackwardCompatible() ModelOption {
	return modelOptionFunc(func(mv *modelVersion) { mv.compatible = true })
}

// WithVersionKey names the field in which records carry their version,
// such as "schema_version". [Manager.VersionOf] reads it, [Manager.MigrateTo]
// and the [WithVersionFromRecord] batches migrate from it, and every
// migration of a record (not of a nested one) sets it in its result to
// the target version, before validation and the hooks. Validation accepts
// the field in every model (records may carry undeclared fields), and
// auto-migration keeps it. "" means none (the default).
func WithVersionKey(key string) Option {
	return optionFunc(func(c *config) { c.versionKey = key })
}

// MigrationOption configures a migration as it is registered
// ([Manager.RegisterMigration], [RegisterTyped]). Options are created by
// the With functions of this package; a nil MigrationOption is ignored.
type MigrationOption interface{ applyMigration(*migrationConfig) }

type migrationConfig struct {
	description string
}

type migrationOptionFunc func(*migrationConfig)

func (f migrationOptionFunc) applyMigration(c *migrationConfig) { f(c) }

func newMigrationConfig(opts []MigrationOption) migrationConfig {
	var c migrationConfig
	for _, o := range opts {
		if o != nil {
			o.applyMigration(&c)
		}
	}
	return c
}

// WithDescription says what a migration does, in a sentence for people
// ("The name is split into first and last"): [Manager.Migrations] lists
// it, and changelogs (httpversion's) print it. An empty text is none.
func WithDescription(text string) MigrationOption {
	return migrationOptionFunc(func(c *migrationConfig) { c.description = text })
}
