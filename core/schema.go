package core

import (
	"context"
	"encoding/json"
	"errors"
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

// Kind is the type of the value of a [Field]: a small closed set that
// every schema format can express.
type Kind uint8

// The kinds of a field.
const (
	KindAny     Kind = iota // any JSON value
	KindString              // a JSON string
	KindNumber              // any JSON number
	KindInteger             // a JSON number with no fractional part (a Go integer)
	KindBool                // true or false
	KindObject              // a JSON object: of the declared Fields, or of anything when there are none
	KindArray               // a JSON array of Elem (of anything when Elem is nil)
	KindTime                // an RFC 3339 date-time string (a Go time.Time)
	KindBytes               // a base64 string (a Go []byte, as encoding/json writes it)
	KindMap                 // a JSON object of any keys to values of Elem (anything when Elem is nil)
	KindModel               // a record of the registered model Model, version ModelVersion
)

var kindNames = [...]string{"any", "string", "number", "integer", "bool", "object", "array", "time", "bytes", "map", "model"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Schema describes a model version: the fields a record of it has. It is
// what [Manager.RegisterSchema] registers for a model known only at run
// time, and what [Manager.Schema] returns for any registered version,
// whether it came from a Go struct or a Schema; validation checks records
// against that very description.
type Schema struct {
	// Model and Version name the model version described; Manager.Schema
	// sets them, RegisterSchema ignores them.
	Model   string
	Version Version
	// Fields in declaration order.
	Fields []Field
}

// Field describes one field of a record, or (as the Elem of an array or a
// map) the type of its elements, whose Name is then empty.
type Field struct {
	Name string
	// Required: the field must be present. A field with a default is not
	// required.
	Required bool
	// Nullable: the value may be an explicit null (a Go pointer, slice,
	// map or interface). For RegisterSchema, a field that is not required
	// is nullable too, as it always was.
	Nullable bool
	// Default is the JSON literal that auto-migration fills in when the
	// field is missing (nil: no default).
	Default json.RawMessage
	// Kind is the type of the value (KindAny accepts anything).
	Kind Kind
	// Elem is the type of the elements of a KindArray or KindMap field;
	// nil accepts any element.
	Elem *Field
	// Fields are the declared fields of a KindObject (a Go struct that is
	// not a registered model); nil accepts any object.
	Fields []Field
	// Model names the registered model of a KindModel field.
	// ModelVersion is its version; empty means the version of the
	// enclosing model (RegisterSchema); Manager.Schema always sets it.
	// For RegisterSchema, a Model with a zero Kind means KindModel, and
	// List: true an array of such records.
	Model        string
	ModelVersion string
	List         bool
	// Doc says what the field means (a Go struct field's `doc:"…"` tag).
	Doc string
	// Bits and Unsigned bound a KindInteger: the size of its Go integer
	// type (8, 16, 32 or 64; 0 means unbounded) and whether it is
	// unsigned. Validation rejects what the type cannot hold.
	Bits     int
	Unsigned bool

	goType reflect.Type // the Go struct of a KindObject, to find it registered
}

// schemaFields compiles the fields of a run-time Schema: each check is
// derived from the field's description.
func schemaFields(fields []Field) ([]field, error) {
	out := make([]field, 0, len(fields))
	seen := map[string]bool{}
	for _, sf := range fields {
		if sf.Name == "" {
			return nil, fmt.Errorf("%w: a schema field has no name", ErrInvalidModel)
		}
		if seen[sf.Name] {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrInvalidModel, sf.Name)
		}
		seen[sf.Name] = true
		f, err := schemaField(normalize(sf))
		if err != nil {
			return nil, fmt.Errorf("%w: field %q: %w", ErrInvalidModel, sf.Name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// normalize gives a RegisterSchema field its explicit form: a Model with no
// kind is KindModel (an array of them with List), and a field that is not
// required is nullable.
func normalize(sf Field) Field {
	if sf.Model != "" && sf.Kind == KindAny {
		sf.Kind = KindModel
		if sf.List {
			sf.Kind, sf.Elem = KindArray, &Field{Kind: KindModel, Model: sf.Model, ModelVersion: sf.ModelVersion}
			sf.Model, sf.ModelVersion = "", ""
		}
	}
	sf.List = false
	if !sf.Required {
		sf.Nullable = true
	}
	return sf
}

// schemaField compiles one described field.
func schemaField(sf Field) (field, error) {
	check, err := describedCheck(&sf)
	if err != nil {
		return field{}, err
	}
	f := field{name: sf.Name, required: sf.Required, nullable: sf.Nullable, check: check, desc: sf}
	model, ver := sf.Model, sf.ModelVersion
	if sf.Kind == KindArray && sf.Elem != nil && sf.Elem.Kind == KindModel {
		model, ver, f.list = sf.Elem.Model, sf.Elem.ModelVersion, true
	} else if sf.Kind != KindModel {
		model = ""
	}
	if model != "" {
		f.nestedModel = model
		if ver != "" {
			v, err := ParseVersion(ver)
			if err != nil {
				return field{}, err
			}
			f.nestedVersion, f.nestedVerSet = v, true
		}
	}
	if sf.Default != nil {
		if err := json.Unmarshal(sf.Default, &f.def); err != nil {
			return field{}, fmt.Errorf("default is not a JSON literal: %v", err)
		}
		f.hasDefault, f.required = true, false
		f.desc.Required = false
	}
	return f, nil
}

// describedCheck returns the check of a described type.
func describedCheck(f *Field) (checkFunc, error) {
	switch f.Kind {
	case KindString:
		return checkString, nil
	case KindNumber:
		return checkNumber, nil
	case KindInteger:
		lo, hi := integerBounds(f.Bits, f.Unsigned)
		return func(v any) *problem { return checkInteger(v, lo, hi) }, nil
	case KindBool:
		return checkBool, nil
	case KindTime:
		return checkTime, nil
	case KindBytes:
		return checkBytes, nil
	case KindModel:
		if f.Model == "" {
			return nil, errors.New("a model field names no model")
		}
		return checkObject, nil // its fields are checked against the model
	case KindObject:
		if f.Fields == nil {
			return checkObject, nil
		}
		fields, err := schemaFields(f.Fields)
		if err != nil {
			return nil, err
		}
		return objectCheck(fields), nil
	case KindArray, KindMap:
		return collectionCheck(f)
	case KindAny:
		return checkAny, nil
	}
	return nil, fmt.Errorf("unknown kind %v", f.Kind)
}

// collectionCheck returns the check of a described array or map.
func collectionCheck(f *Field) (checkFunc, error) {
	if f.Elem == nil || f.Elem.Kind == KindAny {
		if f.Kind == KindArray {
			return checkArray, nil
		}
		return checkObject, nil
	}
	elem, err := describedCheck(f.Elem)
	if err != nil {
		return nil, fmt.Errorf("elements: %w", err)
	}
	nullable := f.Elem.Nullable
	if f.Kind == KindArray {
		return func(v any) *problem { return checkList(v, elem, nullable) }, nil
	}
	return mapOf(func(string) *problem { return nil }, elem, nullable), nil
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

	// Of a Go struct's field: where it is (through embedded structs) and
	// its json tag's options, for the struct codec.
	index                         []int
	omitEmpty, omitZero, asString bool

	desc Field // the field as Manager.Schema describes it
}

func (f *field) isNested() bool { return f.nestedType != nil || f.nestedModel != "" }

// integerBounds returns the range [lo, hi) of an integer of bits bits (0:
// unbounded).
func integerBounds(bits int, unsigned bool) (lo, hi float64) {
	switch {
	case bits <= 0 || bits > 64:
		lo, hi = -math.MaxFloat64, math.MaxFloat64
		if unsigned {
			lo = 0
		}
		return lo, hi
	case unsigned:
		return 0, math.Ldexp(1, bits)
	}
	return -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
}
