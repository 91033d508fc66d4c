package core

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// checkFunc checks a non-nil value. It allocates only on failure.
type checkFunc func(v any) *problem

func checkAny(any) *problem { return nil }

func checkObject(v any) *problem {
	if _, ok := v.(map[string]any); ok {
		return nil
	}
	return wrongKind("object", v)
}

func checkArray(v any) *problem {
	switch v.(type) {
	case []any, []map[string]any, []string:
		return nil
	}
	return wrongKind("array", v)
}

func checkList(v any, elem checkFunc, elemNullable bool) *problem {
	if l, ok := v.([]string); ok {
		for i, e := range l {
			if p := elem(e); p != nil {
				return p.prefix(fmt.Sprintf("[%d]", i))
			}
		}
		return nil
	}
	var bad *problem
	isList := eachElem(v, func(i int, e any) bool {
		if p := checkElem(e, elem, elemNullable); p != nil {
			bad = p.prefix(fmt.Sprintf("[%d]", i))
		}
		return bad == nil
	})
	if !isList {
		return wrongKind("array", v)
	}
	return bad
}

func checkElem(v any, elem checkFunc, elemNullable bool) *problem {
	if isNil(v) {
		if elemNullable {
			return nil
		}
		return &problem{reason: "must not be null"}
	}
	return elem(v)
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return x == nil
	}
	return false
}

func checkString(v any) *problem {
	if _, ok := v.(string); ok {
		return nil
	}
	return wrongKind("string", v)
}

func checkInteger(v any, lo, hi float64) *problem {
	switch n := v.(type) {
	case int:
		return int64In(int64(n), lo, hi)
	case int64:
		return int64In(n, lo, hi)
	case uint:
		return uint64In(uint64(n), hi)
	case uint64:
		return uint64In(n, hi)
	case json.Number: // exact, however large
		if x, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return int64In(x, lo, hi)
		}
		if x, err := strconv.ParseUint(string(n), 10, 64); err == nil {
			return uint64In(x, hi)
		}
		return bigIn(n, lo, hi)
	}
	f, ok := number(v)
	if !ok {
		return wrongKind("integer", v)
	}
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return &problem{reason: "want an integer, got a number that is not finite"}
	case f != math.Trunc(f):
		return &problem{reason: "want an integer, got a number with a fraction"}
	case f < lo || f >= hi:
		return outOfRange(lo, hi)
	case math.Abs(f) > maxExactFloat && isFloat(v):
		return &problem{reason: "an integer beyond 2^53 as a float64 is no longer exact (decode with json.Decoder.UseNumber)"}
	}
	return nil
}

// maxExactFloat is 2^53: every integer up to it is exact as a float64.
const maxExactFloat = 1 << 53

func isFloat(v any) bool {
	switch v.(type) {
	case float64, float32:
		return true
	}
	return false
}

// outOfRange says which integer type the value does not fit: the bounds
// [lo, hi) are those of a Go integer type, or ±MaxFloat64.
func outOfRange(lo, hi float64) *problem {
	if hi >= math.MaxFloat64 {
		return &problem{reason: "out of range of a float64"}
	}
	bits := int(math.Round(math.Log2(hi)))
	if lo == 0 {
		return &problem{reason: "out of range of an unsigned " + strconv.Itoa(bits) + "-bit integer"}
	}
	return &problem{reason: "out of range of a " + strconv.Itoa(bits+1) + "-bit integer"}
}

// int64In checks x against [lo, hi). The bounds are those of a Go integer
// type (powers of two) or ±MaxFloat64; only ±2^63 and 2^64 are beyond
// 2^53, where float64(x) could round onto a bound, and every int64 is
// within them.
func int64In(x int64, lo, hi float64) *problem {
	if (hi > 1<<62 || float64(x) < hi) && (lo < -(1<<62) || float64(x) >= lo) {
		return nil
	}
	return outOfRange(lo, hi)
}

// uint64In checks x, which is not negative, against [0, hi).
func uint64In(x uint64, hi float64) *problem {
	if hi > 1<<63 || float64(x) < hi {
		return nil
	}
	return outOfRange(0, hi)
}

// bigIn checks a number that is not a 64-bit integer: one with a
// fraction or an exponent is refused, as encoding/json refuses to decode
// it into a Go integer; a larger integer is checked exactly.
func bigIn(n json.Number, lo, hi float64) *problem {
	if strings.ContainsAny(string(n), ".eE") {
		if _, err := strconv.ParseFloat(string(n), 64); err != nil && !isRangeErr(err) {
			return wrongKind("integer", n)
		}
		return &problem{reason: "want an integer, got a number with a fraction or an exponent"}
	}
	f, _, err := big.ParseFloat(string(n), 10, 256, big.ToNearestEven)
	if err != nil {
		return wrongKind("integer", n)
	}
	if f.Cmp(big.NewFloat(lo)) < 0 || f.Cmp(big.NewFloat(hi)) >= 0 {
		return outOfRange(lo, hi)
	}
	return nil
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

// number returns v as a float64 when it is any Go number or a json.Number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case int16:
		return float64(n), true
	case int8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint8:
		return float64(n), true
	}
	return 0, false
}

func wrongKind(want string, v any) *problem {
	return &problem{reason: fmt.Sprintf("want %s, got %s", want, jsonKind(v))}
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any, []map[string]any, []string:
		return "array"
	}
	if _, ok := v.(json.Number); ok {
		return "number"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func checkBool(v any) *problem {
	if _, ok := v.(bool); ok {
		return nil
	}
	return wrongKind("bool", v)
}

// checkNumber accepts a finite number that a float64 holds: NaN and ±Inf
// have no JSON form, and a json.Number beyond ±MaxFloat64 does not
// decode into a Go float.
func checkNumber(v any) *problem {
	f, ok := number(v)
	switch {
	case ok && !math.IsNaN(f) && !math.IsInf(f, 0):
		return nil
	case ok:
		return &problem{reason: "not a finite number (NaN and ±Inf have no JSON form)"}
	}
	if n, isNum := v.(json.Number); isNum {
		if _, err := strconv.ParseFloat(string(n), 64); isRangeErr(err) {
			return outOfRange(-math.MaxFloat64, math.MaxFloat64)
		}
	}
	return wrongKind("number", v)
}

// checkTime accepts an RFC 3339 date-time string, as a Go time.Time
// decodes.
func checkTime(v any) *problem {
	s, ok := v.(string)
	if !ok {
		return wrongKind("string", v)
	}
	var t time.Time
	if err := t.UnmarshalText([]byte(s)); err != nil {
		return &problem{reason: "not an RFC 3339 date-time"}
	}
	return nil
}

// checkBytes accepts a base64 string, as a Go []byte decodes.
func checkBytes(v any) *problem {
	s, ok := v.(string)
	if !ok {
		return wrongKind("string", v)
	}
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		return &problem{reason: "not base64"}
	}
	return nil
}

// objectCheck accepts an object whose fields pass fields.
func objectCheck(fields []field) checkFunc {
	return func(v any) *problem {
		m, ok := v.(map[string]any)
		if !ok {
			return wrongKind("object", v)
		}
		return validateFields(fields, m)
	}
}

// mapKey stands for a map's key in a field path: keys are record values,
// which errors never quote.
const mapKey = "<key>"

// mapOf accepts an object whose keys pass key and whose values pass elem
// (null only when nullable).
func mapOf(key func(string) *problem, elem checkFunc, nullable bool) checkFunc {
	return func(v any) *problem {
		m, ok := v.(map[string]any)
		if !ok {
			return wrongKind("object", v)
		}
		for k, e := range m {
			if p := key(k); p != nil {
				return p.prefix(mapKey)
			}
			if p := checkElem(e, elem, nullable); p != nil {
				return p.prefix(mapKey)
			}
		}
		return nil
	}
}
