package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// problem is a validation failure: which field (dotted path) and why.
type problem struct {
	field  string
	reason string
}

func (p *problem) prefix(name string) *problem {
	switch {
	case p.field == "":
		p.field = name
	case strings.HasPrefix(p.field, "["):
		p.field = name + p.field
	default:
		p.field = name + "." + p.field
	}
	return p
}

func validateFields(fields []field, d map[string]any) *problem {
	for i := range fields {
		f := &fields[i]
		v, ok := d[f.name]
		if !ok {
			if f.required {
				return &problem{field: f.name, reason: "required field missing"}
			}
			continue
		}
		if v == nil {
			if !f.nullable { // a field that may be missing is not therefore nullable
				return &problem{field: f.name, reason: "must not be null"}
			}
			continue
		}
		if p := f.check(v); p != nil {
			return p.prefix(f.name)
		}
	}
	return nil
}

func (p *problem) describe() string {
	if p.field == "" {
		return p.reason
	}
	return fmt.Sprintf("field %q: %s", p.field, p.reason)
}

func (mv *modelVersion) problem(p *problem) *ValidationError {
	return &ValidationError{Model: mv.model, Version: mv.version, Field: p.field, Reason: p.reason}
}

// validate checks d against a registered model version.
func (r *registry) validate(model string, v Version, d Data) error {
	mv, err := r.modelVersion(model, v)
	if err != nil {
		return err
	}
	if p := validateFields(mv.fields, d); p != nil {
		return mv.problem(p)
	}
	if mv.hasNested {
		return r.validateNested(mv, d)
	}
	return nil
}

// validateNested checks the nested records of schema-described fields
// against their registered model versions (a Go struct's nested types are
// already checked by its compiled checker).
func (r *registry) validateNested(mv *modelVersion, d Data) error {
	for i := range mv.fields {
		f := &mv.fields[i]
		v := d[f.name]
		if f.nestedModel == "" || v == nil {
			continue
		}
		model, ver, _ := r.resolveNested(f, mv.version)
		var err error
		isList := eachElem(v, func(j int, e any) bool {
			err = r.validateIn(mv, model, ver, e, f.name, j)
			return err == nil
		})
		if !isList {
			err = r.validateIn(mv, model, ver, v, f.name, -1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// validateIn checks x, found in field name (element idx of it, unless -1)
// of a record of mv, against the nested model version; a problem is named
// from the parent.
func (r *registry) validateIn(mv *modelVersion, model string, ver Version, x any, name string, idx int) error {
	xm, ok := x.(map[string]any)
	if !ok || xm == nil {
		return nil // the kind check has run already
	}
	err := r.validate(model, ver, xm)
	if err == nil {
		return nil
	}
	path := name
	if idx >= 0 {
		path = fmt.Sprintf("%s[%d]", name, idx)
	}
	// A field of the nested record: name it from the parent.
	var inner *ValidationError
	if errors.As(err, &inner) && inner.Err == nil {
		p := &problem{field: inner.Field, reason: inner.Reason}
		return mv.problem(p.prefix(path))
	}
	return &ValidationError{Model: mv.model, Version: mv.version, Field: path, Err: err}
}

// Validate checks data against a registered model version, as
// [Manager.Migrate] does with its result.
func (m *Manager) Validate(data Data, model, version string) error {
	v, err := ParseVersion(version)
	if err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("validate %q %s: %w", model, v, ErrInvalidData)
	}
	return m.registry().validate(model, v, data)
}

// ValidateJSON is [Manager.Validate] for a record given as JSON (one
// object, [DecodeJSON]'s rules; anything else is a *[DecodeError]). When
// the version is registered from a Go struct and the text fits it (no
// field it does not declare, nested records included; the required ones;
// no null where a field cannot hold one), it is checked by decoding it
// into the struct, with no record built; otherwise as Validate does.
func (m *Manager) ValidateJSON(b []byte, model, version string) error {
	_, err := m.DecodeJSONValue(b, model, version)
	return err
}

// DecodeJSONValue is [Manager.ValidateJSON] that keeps what it decoded: a
// pointer to a new value of the Go struct registered for model at
// version (a *UserV3, as any), or, for a version not registered from a
// struct, the record (a [Data]). A text that does not fit the struct is
// validated as a record, and decoded into the struct when it is valid.
func (m *Manager) DecodeJSONValue(b []byte, model, version string) (any, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return nil, err
	}
	mv, err := m.registry().modelVersion(model, v)
	typed := err == nil && mv.goType != nil && mv.goType.Kind() == reflect.Struct
	if typed {
		if sc := m.codecs.structCodec(mv.goType); sc != nil && utf8.Valid(b) && sc.fitsObject(b, m.cfg.versionKey) {
			p := reflect.New(mv.goType)
			if json.Unmarshal(b, p.Interface()) == nil {
				return p.Interface(), nil
			}
		}
	}
	d, err := DecodeJSON(b)
	if err != nil {
		return nil, err
	}
	if err := m.registry().validate(model, v, d); err != nil {
		return nil, err
	}
	if !typed {
		return d, nil
	}
	p := reflect.New(mv.goType)
	if pr := m.codecs.of(mv.goType).dec(map[string]any(d), p.Elem(), false); pr != nil {
		return nil, &ValidationError{Model: model, Version: v, Field: pr.field, Reason: pr.reason}
	}
	return p.Interface(), nil
}
