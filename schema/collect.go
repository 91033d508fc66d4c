package schema

import (
	"fmt"
	"strings"

	"github.com/transmute-go/transmute/core"
)

// document is a model version with every nested model version it uses,
// each once, named for the formats that need one name per definition.
type document struct {
	root  core.Schema
	defs  []core.Schema // nested model versions, in order of first use
	names map[ref]string
}

type ref struct {
	model   string
	version string
}

func refOf(s core.Schema) ref { return ref{s.Model, s.Version.String()} }

// collect describes model version and, depth first, every model version
// its fields use, each once.
func collect(m *core.Manager, model, version string) (*document, error) {
	if m == nil {
		return nil, fmt.Errorf("schema: nil manager")
	}
	root, err := m.Schema(model, version)
	if err != nil {
		return nil, fmt.Errorf("schema %s %s: %w", model, version, err)
	}
	d := &document{root: root}
	seen := map[ref]bool{refOf(root): true}
	var visit func(fields []core.Field) error
	visit = func(fields []core.Field) error {
		for _, f := range fields {
			for t := &f; t != nil; t = t.Elem {
				if t.Fields != nil {
					if err := visit(t.Fields); err != nil {
						return err
					}
				}
				if t.Kind != core.KindModel || seen[ref{t.Model, t.ModelVersion}] {
					continue
				}
				seen[ref{t.Model, t.ModelVersion}] = true
				s, err := m.Schema(t.Model, t.ModelVersion)
				if err != nil {
					return fmt.Errorf("schema %s %s: nested model %s %s: %w", model, version, t.Model, t.ModelVersion, err)
				}
				d.defs = append(d.defs, s)
				if err := visit(s.Fields); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := visit(root.Fields); err != nil {
		return nil, err
	}
	d.name()
	return d, nil
}

// name gives each definition a name: the model's own, made an identifier,
// or, when one document uses several versions of a model, the model's with
// the version ("Address_v1_0_0").
func (d *document) name() {
	versions := map[string]int{}
	for _, s := range append([]core.Schema{d.root}, d.defs...) {
		versions[s.Model]++
	}
	d.names = map[ref]string{}
	for _, s := range append([]core.Schema{d.root}, d.defs...) {
		n := identifier(s.Model)
		if versions[s.Model] > 1 {
			n += "_" + versionSuffix(s.Version)
		}
		d.names[refOf(s)] = n
	}
}

// nameOf returns the definition name of a KindModel type.
func (d *document) nameOf(f *core.Field) string { return d.names[ref{f.Model, f.ModelVersion}] }

// all returns the root and the definitions.
func (d *document) all() []core.Schema { return append([]core.Schema{d.root}, d.defs...) }

// versionSuffix is "v1_2_3" for 1.2.3.
func versionSuffix(v core.Version) string {
	return "v" + strings.ReplaceAll(v.String(), ".", "_")
}

// identifier makes s a name valid in Avro, proto and TypeScript: letters,
// digits and underscores, not starting with a digit.
func identifier(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
