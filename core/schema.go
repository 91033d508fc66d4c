package core

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
)

// Data is a record as decoded from JSON.
type Data = map[string]any

// MigrationFunc turns a record of one version into the next. It owns data
// (the manager passes it a private copy) and may modify and return it. It
// runs under the ctx produced by the hooks, so spans it starts nest under
// the migration's step span.
type MigrationFunc func(ctx context.Context, data Data) (Data, error)

// Kind is the JSON kind a [Field] of a [Schema] accepts.
type Kind uint8

// The kinds of a schema field.
const (
	KindAny     Kind = iota // any JSON value
	KindString              // a JSON string
	KindNumber              // any JSON number
	KindInteger             // a JSON number with no fractional part
	KindBool                // true or false
	KindObject              // a JSON object
	KindArray               // a JSON array
)

var kindNames = [...]string{"any", "string", "number", "integer", "bool", "object", "array"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Schema describes a model version known only at run time, as an
// alternative to a Go struct ([Register]).
type Schema struct {
	Fields []Field
}

// Field is one field of a [Schema].
type Field struct {
	Name     string
	Required bool
	// Default is the JSON literal that auto-migration fills in when the
	// field is missing (nil: no default). A field with a default is not
	// required.
	Default json.RawMessage
	// Kind is the JSON kind of the value (KindAny accepts anything).
	Kind Kind
	// Model names a registered model when the field holds a nested record
	// (or, with List, an array of them). ModelVersion is its version; empty
	// means the version of the enclosing model.
	Model        string
	ModelVersion string
	List         bool
}

// schemaFields compiles the fields of a run-time Schema.
func schemaFields(s Schema) ([]field, error) {
	out := make([]field, 0, len(s.Fields))
	seen := map[string]bool{}
	for _, sf := range s.Fields {
		if sf.Name == "" {
			return nil, fmt.Errorf("%w: a schema field has no name", ErrInvalidModel)
		}
		if seen[sf.Name] {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrInvalidModel, sf.Name)
		}
		seen[sf.Name] = true
		f := field{name: sf.Name, required: sf.Required, nullable: !sf.Required, check: kindCheck(sf.Kind)}
		if sf.Model != "" {
			f.nestedModel, f.list = sf.Model, sf.List
			if sf.ModelVersion != "" {
				v, err := ParseVersion(sf.ModelVersion)
				if err != nil {
					return nil, fmt.Errorf("%w: field %q: %w", ErrInvalidModel, sf.Name, err)
				}
				f.nestedVersion, f.nestedVerSet = v, true
			}
			if sf.List {
				f.check = kindCheck(KindArray)
			} else {
				f.check = kindCheck(KindObject)
			}
		}
		if sf.Default != nil {
			if err := json.Unmarshal(sf.Default, &f.def); err != nil {
				return nil, fmt.Errorf("%w: field %q: default is not a JSON literal: %v", ErrInvalidModel, sf.Name, err)
			}
			f.hasDefault, f.required = true, false
		}
		out = append(out, f)
	}
	return out, nil
}

func kindCheck(k Kind) checkFunc {
	switch k {
	case KindString:
		return checkString
	case KindNumber:
		return func(v any) *problem {
			if _, ok := number(v); ok {
				return nil
			}
			return wrongKind("number", v)
		}
	case KindInteger:
		return func(v any) *problem { return checkInteger(v, -math.MaxFloat64, math.MaxFloat64) }
	case KindBool:
		return func(v any) *problem {
			if _, ok := v.(bool); ok {
				return nil
			}
			return wrongKind("bool", v)
		}
	case KindObject:
		return checkObject
	case KindArray:
		return checkArray
	}
	return checkAny
}

// field is a compiled field of a model version.
type field struct {
	name       string
	required   bool
	nullable   bool
	hasDefault bool
	def        any
	check      checkFunc

	// nested model: by Go type (struct models) or by name (schemas).
	nestedType    reflect.Type
	nestedModel   string
	nestedVersion Version
	nestedVerSet  bool
	list          bool
}

func (f *field) isNested() bool { return f.nestedType != nil || f.nestedModel != "" }
