package schema

import "github.com/transmute-go/transmute/core"

// Option configures an export. Options are created by the With functions
// of this package; a nil Option is ignored.
type Option interface{ apply(*config) }

type config struct {
	namespace  string
	models     []string
	transforms []Transformer
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultNamespace is the Avro namespace and the proto package unless
// [WithNamespace] sets another.
const DefaultNamespace = "transmute"

// Transformer post-processes the JSON Schema document of one model
// version, and returns the document to write (it may modify doc and
// return it).
type Transformer func(model string, v core.Version, doc map[string]any) (map[string]any, error)

func newConfig(opts []Option) config {
	c := config{namespace: DefaultNamespace}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithNamespace sets the Avro namespace and the proto package, such as
// "com.example.users"; "" keeps [DefaultNamespace]. Names are made valid
// for each format (see docs/schemas.md).
func WithNamespace(ns string) Option {
	return optionFunc(func(c *config) {
		if ns != "" {
			c.namespace = ns
		}
	})
}

// WithModels limits [Dump] to the named models (every version of each);
// without it, Dump writes every registered model.
func WithModels(names ...string) Option {
	return optionFunc(func(c *config) { c.models = append(c.models, names...) })
}

// WithTransform adds a function that post-processes each JSON Schema
// document that [JSON] and [Dump] produce, after the ones added before it.
// A nil fn is ignored.
func WithTransform(fn Transformer) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.transforms = append(c.transforms, fn)
		}
	})
}
