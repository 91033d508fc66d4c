package core

import "strconv"

// The elements of a JSON array, as the engine meets them: []any from
// decoded JSON, or the []map[string]any that Go code builds. These two
// helpers are the one place that knows both shapes.

// eachElem calls fn with each element of v, in order, until fn returns
// false; it reports whether v is an array of one of the two shapes.
func eachElem(v any, fn func(i int, e any) bool) (isList bool) {
	switch l := v.(type) {
	case []any:
		for i, e := range l {
			if !fn(i, e) {
				break
			}
		}
		return true
	case []map[string]any:
		for i, e := range l {
			if !fn(i, e) {
				break
			}
		}
		return true
	}
	return false
}

// mapElems returns a new array of the same shape as v, of fn applied to
// each element (a nil map of a []map[string]any stays nil, and fn must
// return a map[string]any, or nil, for the others). A nil array stays nil.
// It reports whether v is an array, and the first error of fn.
func mapElems(v any, fn func(e any) (any, error)) (out any, isList bool, err error) {
	switch l := v.(type) {
	case []any:
		if l == nil {
			return l, true, nil
		}
		o := make([]any, len(l))
		for i, e := range l {
			if o[i], err = fn(e); err != nil {
				return nil, true, elemError(i, err)
			}
		}
		return o, true, nil
	case []map[string]any:
		if l == nil {
			return l, true, nil
		}
		o := make([]map[string]any, len(l))
		for i, e := range l {
			if e == nil {
				continue
			}
			r, err := fn(e)
			if err != nil {
				return nil, true, elemError(i, err)
			}
			o[i], _ = r.(map[string]any)
		}
		return o, true, nil
	}
	return v, false, nil
}

// elemError says which element of an array failed.
func elemError(i int, err error) error {
	return &pathError{path: "[" + strconv.Itoa(i) + "]", err: err}
}
