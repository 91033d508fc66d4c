package core

import "time"

// BatchOption configures [Manager.MigrateBatch] and [Manager.MigrateStream].
// Options are created by [WithWorkers], [WithContinueOnError],
// [WithProgress], [WithoutValidation], [WithVersionFromRecord] and
// [WithJSONCodec]; a nil BatchOption is ignored.
type BatchOption interface{ applyBatch(*batchConfig) }

type batchConfig struct {
	workers    int
	continueOn bool
	progress   func(Progress)
	noValidate bool
	fromRecord bool
	codec      JSONCodec
}

type batchOptionFunc func(*batchConfig)

func (f batchOptionFunc) applyBatch(c *batchConfig) { f(c) }

// WithWorkers sets how many items are migrated at once (default 1; n < 1
// keeps the default). Results keep the input order whatever n is.
func WithWorkers(n int) BatchOption {
	return batchOptionFunc(func(c *batchConfig) {
		if n >= 1 {
			c.workers = n
		}
	})
}

// WithContinueOnError migrates every item even when some fail. MigrateBatch
// then returns every result (nil for a failed item) with a *[BatchError]
// naming each failed index; MigrateStream yields an *[ItemError] for each
// failed item and goes on. Without it, the first failure in input order
// ends the batch and the rest is cancelled.
func WithContinueOnError() BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.continueOn = true })
}

// WithProgress calls fn after each item finishes. Calls are serialised and
// Done grows by one each time, whatever the number of workers. A nil fn is
// ignored.
func WithProgress(fn func(Progress)) BatchOption {
	return batchOptionFunc(func(c *batchConfig) {
		if fn != nil {
			c.progress = fn
		}
	})
}

// WithoutValidation migrates the items as [Manager.MigrateData] does, with
// no validation of the results.
func WithoutValidation() BatchOption {
	return batchOptionFunc(func(c *batchConfig) { c.noValidate = true })
}

// JSONCodec encodes and decodes Go values as JSON, as encoding/json's
// Marshal and Unmarshal do: the codec [WithJSONCodec] gives
// [Manager.MigrateBatchJSON].
type JSONCodec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// WithJSONCodec makes [Manager.MigrateBatchJSON] decode the input into the
// first Go struct of a typed path, and encode the result from the last
// one, with c instead of encoding/json (a faster codec of the same rules:
// json tags, omitempty, RFC 3339 times, base64 bytes). encoding/json stays
// for the record path. A nil c keeps encoding/json.
func WithJSONCodec(c JSONCodec) BatchOption {
	return batchOptionFunc(func(cfg *batchConfig) { cfg.codec = c })
}

// Progress is reported by [WithProgress].
type Progress struct {
	Done    int           // items finished so far, failed ones included
	Failed  int           // items failed so far
	Total   int           // items in the batch, or -1 for a stream
	Elapsed time.Duration // since the batch started
}

func newBatchConfig(opts []BatchOption) batchConfig {
	c := batchConfig{workers: 1}
	for _, o := range opts {
		if o != nil {
			o.applyBatch(&c)
		}
	}
	return c
}
